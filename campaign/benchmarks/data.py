"""Synthetic, deterministic data for the benchmarks."""

from __future__ import annotations

import datetime
import random

from campaign.choices import PlanKind, UnitKind
from campaign.models import Campaign, Plan, Unit

SHORT = ["住建", "应急", "交通", "工信", "公安", "市场监管", "消防", "水务", "农业农村", "商务", "文旅", "卫健"]


def bench_campaign(slug: str = "bench") -> Plan:
    """A county: office, 30 departments, 16 townships; an empty master plan."""
    office, _ = Unit.objects.get_or_create(
        code=f"{slug}-office", defaults={"name": f"{slug}安委办", "kind": UnitKind.OFFICE}
    )
    for i in range(30):
        name = f"县{SHORT[i % len(SHORT)]}局{'' if i < len(SHORT) else i}"
        Unit.objects.get_or_create(code=f"{slug}-d{i}", defaults={
            "name": name.replace("局", "管理局", 1), "short_name": name, "kind": UnitKind.DEPARTMENT, "parent": office})
    for i in range(16):
        Unit.objects.get_or_create(code=f"{slug}-t{i}", defaults={
            "name": f"第{i + 1}镇", "kind": UnitKind.TOWNSHIP, "parent": office})
    campaign, _ = Campaign.objects.get_or_create(slug=slug, defaults={"name": "基准测试", "office": office})
    plan, _ = Plan.objects.get_or_create(campaign=campaign, unit=office,
                                         defaults={"kind": PlanKind.MASTER, "title": "基准测试总方案"})
    return plan


def task_rows(count: int, seed: int = 7) -> list[list]:
    """Rows like a county's task list: ten action lines, 27 key works, one or two units, text and cell dates."""
    rng = random.Random(seed)
    rows = []
    for n in range(1, count + 1):
        line = n % 10 + 1
        lead = [f"县{SHORT[rng.randrange(len(SHORT))]}局"]
        coop = [f"第{rng.randrange(16) + 1}镇"] if rng.random() < 0.5 else []
        year = 2024 + n % 3
        due = rng.choice([f"{year}年底前", f"{year}年6月底前", f"{year}-09-30", datetime.date(year, 12, 31)])
        # About a third of the tasks state a percentage target, as in the Weishan and Ezhou plans' mix.
        target = f"重点企业覆盖率达到{80 + n % 20}%以上，" if n % 3 == 0 else "突出重点行业领域，"
        text = f"第{n}项任务：组织开展专项整治，{target}建立问题隐患台账并闭环管理。"
        rows.append([str(n), f"{line}.开展第{line}项攻坚行动", f"重点工作{n % 27 + 1}", text, "、".join(lead),
                     "、".join(coop), due])
    return rows
