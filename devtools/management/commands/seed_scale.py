"""``seed_scale --preset county|city|province``: synthetic data at scale for the benchmarks (DESIGN §6)."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from devtools.benchmarks.scale import END, PRESETS, seed, slug_of


class Command(BaseCommand):
    help = "生成规模测试数据（县、市、省三档）。重复运行会替换该档的三年行动，不会产生第二个。"

    def add_arguments(self, parser):
        parser.add_argument("--preset", choices=list(PRESETS), required=True)
        parser.add_argument("--as-of", default=END.isoformat(),
                            help="数据截止日期（默认三年行动结束日，即 36 个月的进展）")
        parser.add_argument("--quiet", action="store_true", help="只输出最后一行")

    def handle(self, *args, **options):
        try:
            as_of = datetime.date.fromisoformat(options["as_of"])
        except ValueError:
            raise CommandError(f"日期“{options['as_of']}”的格式不对，请写成 2026-12-31。") from None
        started = time.perf_counter()
        log = None if options["quiet"] else (lambda line: self.stdout.write(f"  {line}"))
        campaign = seed(options["preset"], as_of=as_of, log=log)
        elapsed = time.perf_counter() - started
        self.stdout.write(f"已生成 {slug_of(options['preset'])}（{campaign.name}），用时 {elapsed:.1f} 秒。")
