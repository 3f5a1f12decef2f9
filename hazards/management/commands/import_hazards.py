from django.core.management.base import BaseCommand, CommandError

from campaign.models import Campaign
from hazards.importers import HazardSheetImport
from imports.commands import read_file, run_and_report


class Command(BaseCommand):
    help = "导入重大事故隐患台账（.xlsx/.xls/.ods）。出错时逐行列出问题，且不写入任何数据。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--campaign", required=True)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **options):
        data = read_file(options["file"])
        campaign = Campaign.objects.filter(slug=options["campaign"]).first()
        if campaign is None:
            raise CommandError(f"找不到三年行动“{options['campaign']}”。")
        run_and_report(self, HazardSheetImport(campaign), data, dry_run=options["dry_run"])
