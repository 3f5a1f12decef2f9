from django.core.management.base import BaseCommand

from campaign.management.plans import resolve_plan
from core.xlsx import write_xlsx
from tasks.importers import export_sheet


class Command(BaseCommand):
    help = "导出任务清单（与导入模板相同的列），导出的文件可直接再导入。"

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True)
        parser.add_argument("--unit")
        parser.add_argument("--output", required=True)

    def handle(self, *args, **options):
        plan = resolve_plan(options["campaign"], options.get("unit"))
        sheet = export_sheet(plan)
        (count,) = write_xlsx(options["output"], [sheet])
        self.stdout.write(f"exported={count} {options['output']}")
