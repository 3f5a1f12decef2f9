import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from demo.loader import DEMO_PASSWORD, DEMO_USERS, load_demo


class Command(BaseCommand):
    help = ("载入演示数据：微山县三年行动（weishan-2024），以及上级济宁市（jining-2024）和另一个县嘉祥县"
            "（jiaxiang-2024）。重复运行只更新，不会产生第二套演示数据。")

    def add_arguments(self, parser):
        parser.add_argument("--today", help="按此日期（YYYY-MM-DD）生成演示进度与月报，默认今天")
        parser.add_argument("--county-only", action="store_true", help="只载入微山县（不含济宁市和嘉祥县）")

    def handle(self, *args, **options):
        today = None
        if options.get("today"):
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError(f"日期格式应为 YYYY-MM-DD：{options['today']}") from error
        campaign = load_demo(today, city=not options["county_only"])
        plan = campaign.plans.get(kind="master")
        self.stdout.write(
            f"已载入演示行动 {campaign.slug}：{plan.action_lines.count()} 个行动，{plan.tasks.count()} 项任务。"
        )
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        usernames = set(get_user_model().objects.values_list("username", flat=True))
        for demo in DEMO_USERS:
            if demo.username in usernames:
                self.stdout.write(f"  {demo.username:<12} {demo.label}")
