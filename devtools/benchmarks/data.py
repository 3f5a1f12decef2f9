"""Synthetic, deterministic data for the benchmarks."""

from __future__ import annotations

import datetime
import random

from campaign.choices import PlanKind, UnitKind
from campaign.models import Campaign, Plan, Unit
from hazards.choices import Channel, Industry
from hazards.importers import COLUMNS
from hazards.validators import make_credit_code

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


def hazard_ledger(count: int, seed: int = 11) -> bytes:
    """A hazard ledger (重大事故隐患台账) of ``count`` rows in the register's columns, for ``bench_campaign``'s units:
    about 0.7 hazards per enterprise, dates as date cells, a third closed, some listed."""
    import io

    import xlsxwriter


    rng = random.Random(seed)
    industries = [label for _, label in Industry.choices]
    channels = [label for _, label in Channel.choices]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    ws = book.add_worksheet("隐患台账")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_string(0, 0, "某县重大事故隐患台账")
    for col, column in enumerate(COLUMNS):
        ws.write_string(1, col, column.label)
    enterprises = max(1, count * 7 // 10)
    for n in range(count):
        r = n + 2
        company = n % enterprises
        found = datetime.date(2023, 6, 1) + datetime.timedelta(days=rng.randrange(900))
        deadline = found + datetime.timedelta(days=30 + rng.randrange(150))
        closed = deadline - datetime.timedelta(days=rng.randrange(20)) if rng.random() < 0.35 else None
        values = [str(n + 1), f"基准测试企业{company + 1}", make_credit_code(f"91370899{company + 1:08d}"),
                  f"第{rng.randrange(16) + 1}镇", industries[rng.randrange(len(industries))],
                  f"县{SHORT[rng.randrange(len(SHORT))]}局", f"第{n + 1}项：储罐区未设置紧急切断装置",
                  "《重大事故隐患判定标准》第四条", channels[rng.randrange(len(channels))], found, deadline, "张三",
                  "县级" if rng.random() < 0.05 else "否", "已销号" if closed else "整改中", closed]
        for c, value in enumerate(values):
            if isinstance(value, datetime.date):
                ws.write_datetime(r, c, datetime.datetime(value.year, value.month, value.day), date_format)
            elif value is not None:
                ws.write_string(r, c, value)
    book.close()
    return buffer.getvalue()
