from django.core.management.base import BaseCommand

from campaign.management.plans import resolve_plan
from imports.commands import read_file, run_and_report
from tasks.importers import TaskSheetImport


class Command(BaseCommand):
    help = "导入任务清单（.xlsx/.xls/.ods）到某单位的方案（默认总方案）。出错时逐行列出问题，且不写入任何数据。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--campaign", required=True, help="三年行动标识，如 weishan-2024")
        parser.add_argument("--unit", help="单位代码、全称或简称；不填则导入总方案")
        parser.add_argument("--dry-run", action="store_true", help="只检查并显示将要做的变更，不写入")
        parser.add_argument("--remove-missing", action="store_true",
                            help="删除方案中有、文件中没有的任务（已有填报或督办记录的任务不会删除）")
        parser.add_argument("--withdraw", action="store_true",
                            help="文件去掉了已有填报的责任单位或时间节点时，撤销这些责任分解（记录保留）；不加则拒绝导入")

    def handle(self, *args, **options):
        data = read_file(options["file"])
        plan = resolve_plan(options["campaign"], options.get("unit"))
        run_and_report(self, TaskSheetImport(plan), data, dry_run=options["dry_run"],
                       remove_missing=options["remove_missing"], withdraw=options["withdraw"])
