from django.core.management.base import BaseCommand

from campaign.demo.loader import DEMO_PASSWORD, DEMO_USERS, load_demo


class Command(BaseCommand):
    help = "载入演示数据：微山县三年行动（weishan-2024）。重复运行只更新，不会产生第二个演示行动。"

    def handle(self, *args, **options):
        campaign = load_demo()
        plan = campaign.plans.get(kind="master")
        self.stdout.write(
            f"已载入演示行动 {campaign.slug}：{plan.action_lines.count()} 个行动，{plan.tasks.count()} 项任务。"
        )
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for demo in DEMO_USERS:
            self.stdout.write(f"  {demo.username:<10} {demo.label}")
