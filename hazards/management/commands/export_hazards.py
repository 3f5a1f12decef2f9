from django.core.management.base import BaseCommand, CommandError

from campaign.models import Campaign
from core.xlsx import write_xlsx
from hazards.importers import export_sheet


class Command(BaseCommand):
    help = "导出重大事故隐患台账（与导入相同的列），导出的文件可直接再导入。"

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True)
        parser.add_argument("--output", required=True)

    def handle(self, *args, **options):
        campaign = Campaign.objects.filter(slug=options["campaign"]).first()
        if campaign is None:
            raise CommandError(f"找不到三年行动“{options['campaign']}”。")
        sheet = export_sheet(campaign)
        (count,) = write_xlsx(options["output"], [sheet])
        self.stdout.write(f"exported={count} {options['output']}")
