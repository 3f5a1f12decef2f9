import datetime

from django.core.management.base import BaseCommand, CommandError

from demo.loader import DEMO_PASSWORD, DEMO_USERS, load_demo


class Command(BaseCommand):
    help = "载入演示数据：微山县三年行动（weishan-2024）。重复运行只更新，不会产生第二个演示行动。"

    def add_arguments(self, parser):
        parser.add_argument("--today", help="按此日期（YYYY-MM-DD）生成演示进度与月报，默认今天")

    def handle(self, *args, **options):
        today = None
        if options.get("today"):
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError(f"日期格式应为 YYYY-MM-DD：{options['today']}") from error
        campaign = load_demo(today)
        plan = campaign.plans.get(kind="master")
        self.stdout.write(
            f"已载入演示行动 {campaign.slug}：{plan.action_lines.count()} 个行动，{plan.tasks.count()} 项任务。"
        )
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for demo in DEMO_USERS:
            self.stdout.write(f"  {demo.username:<10} {demo.label}")
