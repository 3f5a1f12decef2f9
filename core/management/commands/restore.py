from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = ("从 backup 命令生成的备份文件恢复数据库和上传的文件。只恢复到空数据库；目标数据库已有数据时拒绝，"
            "除非加 --force（将覆盖）。恢复前请先停止网站和后台任务（Celery）。")

    def add_arguments(self, parser):
        parser.add_argument("archive", help="备份文件（tracker-backup-….tar.gz）")
        parser.add_argument("--force", action="store_true",
                            help="目标数据库已有数据、或上传目录中有同名文件时仍然恢复（覆盖现有内容）")

    def handle(self, *args, **options):
        try:
            result = backup_restore(archive=options["archive"], force=options["force"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(result.row_counts.values())
        self.stdout.write(f"已恢复备份 {result.archive.name}（{result.manifest.get('created_at', '')}）："
                          f"数据 {len(result.row_counts)} 张表共 {rows} 行，上传文件 {result.media_files} 个。")
        for note in result.notes:
            self.stdout.write(note)
