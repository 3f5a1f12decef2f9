from django.core.management.base import BaseCommand, CommandError

from campaign.models import Campaign
from reporting.services import ReportError, build_report, parse_month, publish_report


class Command(BaseCommand):
    help = "计算并保存某月的月调度报告与量化排名（重复运行只保留一个当前版本）。"

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help="三年行动标识，如 weishan-2024")
        parser.add_argument("--month", required=True, help="月份，YYYY-MM")
        parser.add_argument("--publish", action="store_true", help="生成后立即发布")
        parser.add_argument("--preview", action="store_true",
                            help="本月尚未结束时，生成截至今日的预览（不能发布）")

    def handle(self, *args, **options):
        campaign = Campaign.objects.filter(slug=options["campaign"]).select_related("office").first()
        if campaign is None:
            raise CommandError(f"找不到三年行动“{options['campaign']}”。")
        try:
            report = build_report(campaign, parse_month(options["month"]), preview=options["preview"])
            if options["publish"]:
                publish_report(report)
        except ReportError as error:
            raise CommandError(str(error)) from error
        scores = report.scores.count()
        self.stdout.write(f"{report} {report.get_state_display()}：{scores} 个单位参与排名")
        self.stdout.write(f"report={report.pk} version={report.version} units={scores}")
