import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from campaign.models import Campaign
from reporting.exports import bulletin_docx, dispatch_xlsx, export_filename, report_json
from reporting.models import BulletinKind, MonthlyReport
from reporting.services import ReportError, parse_month


class Command(BaseCommand):
    help = ("导出某月的月调度报告（当前版本）：json 为各单位得分明细，xlsx 为月调度工作簿，"
            "docx 为表扬 / 反面典型通报。")

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help="三年行动标识，如 weishan-2024")
        parser.add_argument("--month", required=True, help="月份，YYYY-MM")
        parser.add_argument("--format", required=True, choices=["json", "xlsx", "docx"], dest="format")
        parser.add_argument("--output", help="输出文件；json 不指定时打印到屏幕，xlsx/docx 不指定时写到当前目录")
        parser.add_argument("--kind", choices=BulletinKind.values,
                            help="docx 导出哪份通报：praise 表扬，criticism 反面典型；不指定时两份都导出"
                                 "（指定了 --output 时为 praise）")

    def handle(self, *args, **options):
        report = self._report(options["campaign"], options["month"])
        fmt, output, kind = options["format"], options.get("output"), options.get("kind")
        if kind and fmt != "docx":
            raise CommandError("--kind 只用于 --format docx。")
        if fmt == "json":
            text = json.dumps(report_json(report), ensure_ascii=False, indent=2)
            if output is None:
                self.stdout.write(text)
                return
            self._write(output, (text + "\n").encode("utf-8"))
        elif fmt == "xlsx":
            self._write(output or export_filename(report, "月调度", "xlsx"), dispatch_xlsx(report))
        else:
            kinds = [kind] if kind else ([BulletinKind.PRAISE] if output else list(BulletinKind.values))
            bulletins = {b.kind: b for b in report.bulletins.all()}
            for each in kinds:
                bulletin = bulletins.get(each)
                if bulletin is None:
                    raise CommandError(f"{report}没有{BulletinKind(each).label}，"
                                       "请重新运行 build_monthly_report 生成。")
                bulletin.report = report
                path = output or export_filename(report, BulletinKind(each).label, "docx")
                self._write(path, bulletin_docx(bulletin))

    def _report(self, slug: str, month_text: str) -> MonthlyReport:
        """The version of the month the office sees: its current one."""
        campaign = Campaign.objects.filter(slug=slug).select_related("office").first()
        if campaign is None:
            raise CommandError(f"找不到三年行动“{slug}”。")
        try:
            month = parse_month(month_text)
        except ReportError as error:
            raise CommandError(str(error)) from error
        report = MonthlyReport.objects.filter(campaign=campaign, month=month, is_current=True).first()
        if report is None:
            raise CommandError(
                f"“{campaign.name}”{month.year}年{month.month}月还没有生成月报，请先运行：python manage.py "
                f"build_monthly_report --campaign {campaign.slug} --month {month:%Y-%m}"
            )
        report.campaign = campaign
        return report

    def _write(self, path: str, data: bytes) -> None:
        target = Path(path)
        try:
            target.write_bytes(data)
        except OSError as error:
            raise CommandError(f"无法写入文件“{target}”：{error.strerror or error}") from error
        self.stdout.write(str(target))
