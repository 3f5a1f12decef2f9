from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = ("备份：把数据库（PostgreSQL 用 pg_dump，SQLite 用一致性复制）、上传的文件和清单写成一个带时间戳的 "
            "tracker-backup-YYYYMMDD-HHMMSS.tar.gz。最后一行是备份文件的路径。")

    def add_arguments(self, parser):
        parser.add_argument("--output", help="备份目录（默认：设置 BACKUP_DIR，或项目下的 backups/）")

    def handle(self, *args, **options):
        output = options.get("output") or getattr(settings, "BACKUP_DIR", None) or Path(settings.BASE_DIR) / "backups"
        try:
            path = backup_create(output_dir=Path(output))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"备份完成，数据库与上传文件已写入：{path.name}")
        self.stdout.write(str(path))
