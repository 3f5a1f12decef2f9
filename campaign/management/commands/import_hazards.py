import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from campaign.importing.engine import ImportFailed, run_import
from campaign.models import Campaign
from hazards.importers import HazardSheetImport


class Command(BaseCommand):
    help = "导入重大事故隐患台账（.xlsx/.xls/.ods）。出错时逐行列出问题，且不写入任何数据。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--campaign", required=True)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        campaign = Campaign.objects.filter(slug=options["campaign"]).first()
        if campaign is None:
            raise CommandError(f"找不到三年行动“{options['campaign']}”。")
        try:
            preview = run_import(HazardSheetImport(campaign), path.read_bytes(), dry_run=options["dry_run"])
        except ImportFailed as failed:
            for problem in failed.problems:
                self.stderr.write(str(problem))
            sys.exit(1)
        counts = preview.counts
        self.stdout.write(f"created={counts['new']} updated={counts['changed']} unchanged={counts['unchanged']}")
