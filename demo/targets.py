"""The demo's quantified targets beyond the two the plan's text states, and the actuals units report for them.

The Weishan plan words most of its goals as "全覆盖" or "全面完成"; a county office turns a few of them
into numbers for the monthly ranking. ``DEMO_TARGETS`` are those numbers: coverage, training and
rectification rates (≥), a count of people trained (≥), an unqualified rate and a backlog that must
come down (≤), with values for 2024, 2025 and 2026 where the task runs that long.

Actuals follow a path from the target's baseline towards each year's value: most units keep pace
(reaching the value by December, some a little earlier), about one in five falls behind in a given
year. The hazard rectification rate is the one number the register can check: units report what the
register gives at month end, except a few (``OVERSTATING_UNITS``) that report more than it shows, which
the report's consistency check (一致性评估) then flags.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from hazards.models import MajorHazard
from reporting.scoring import remit_of
from reporting.summary import REGISTER_RATE
from tasks.choices import Comparator, MeasureUnit
from tasks.selectors import month_end

from .rolls import fraction

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class DemoTarget:
    task: str  # the master-plan task's code
    metric: str
    measure_unit: str
    comparator: str
    values: dict[int, int]  # year → value
    baseline: int | None
    source_text: str


DEMO_TARGETS = [
    DemoTarget("1", "重点行业领域生产经营单位主要负责人安全培训覆盖率", MeasureUnit.PERCENT, Comparator.GTE,
               {2024: 60, 2025: 85, 2026: 100}, 30,
               "推动相关重点行业领域生产经营单位主要负责人教育培训全覆盖（安委办分年度量化：60%、85%、100%）"),
    DemoTarget("11", "建设工程消防设计审查验收违法违规项目未处置数", MeasureUnit.ITEMS, Comparator.LTE,
               {2024: 45, 2025: 25, 2026: 10}, 60,
               "2026年6月底前，基本完成建设工程消防设计审查验收违法违规项目处置（存量逐年压降）"),
    DemoTarget("12", "特种作业人员持证上岗率", MeasureUnit.PERCENT, Comparator.GTE,
               {2024: 95, 2025: 98, 2026: 100}, 88,
               "优化特种作业考试和许可管理，推动特种作业人员持证上岗"),
    DemoTarget("13", "三类人员工伤预防能力提升培训人数", MeasureUnit.PEOPLE, Comparator.GTE,
               {2024: 1800, 2025: 3000}, 0,
               "2024年底前……完成三年培训任务的60%。2025年底前，全面完成各项培训任务（三年任务3000人）"),
    DemoTarget("19", "重大事故隐患整改率", MeasureUnit.PERCENT, Comparator.GTE,
               {2024: 100, 2025: 100, 2026: 100}, None,
               "辖区（行业领域）重大事故隐患整改率达到100%（安委办月调度量化指标，与隐患台账比对）"),
    DemoTarget("22", "出租屋、闲置院落、废弃厂房摸底建档率", MeasureUnit.PERCENT, Comparator.GTE,
               {2024: 100, 2025: 100}, 20,
               "2024年底前，对全县所有出租屋、闲置院落、废弃厂房进行调查摸底，建立台账，并坚持动态更新"),
    DemoTarget("25", "电气焊作业现场检查不合格率", MeasureUnit.PERCENT, Comparator.LTE,
               {2024: 10, 2025: 6, 2026: 3}, 18,
               "强化电气焊作业全链条管理，构建形成电气焊作业全链条、全方位、全覆盖的监管机制"),
]

# Units that report a higher rectification rate than the register shows.
OVERSTATING_UNITS = ("ws-hcz", "ws-lzz", "ws-zmx")
LAGGING_SHARE = 0.2  # about one unit in five falls behind on a target in a given year


def _pace(metric: str, unit_code: str, year: int) -> Decimal:
    """How much of the year's way the unit covers by December: 1–1.25 on pace, 0.55–0.75 behind."""
    r = fraction("pace", metric, unit_code, str(year))
    if r < LAGGING_SHARE:
        return Decimal(0.55 + r).quantize(Decimal("0.001"))
    return Decimal(1 + (r - LAGGING_SHARE) / (1 - LAGGING_SHARE) / 4).quantize(Decimal("0.001"))


def _start(baseline: Decimal | None, values: dict[int, Decimal], comparator: str) -> Decimal:
    """Where a unit stands at the campaign start; the plan's own targets carry no baseline."""
    if baseline is not None:
        return baseline
    first = values[min(values)]
    return first * Decimal("1.5") if comparator == Comparator.LTE else first * Decimal("0.6")


class Actuals:
    """The value each unit reports for each target, month by month; the same on every run."""

    def __init__(self, campaign):
        self.campaign = campaign
        self._remits: dict[tuple[str, int], list[tuple[datetime.date, datetime.date | None]]] | None = None

    def value(self, target, values: dict[int, Decimal], unit, month: datetime.date) -> Decimal | None:
        """What ``unit`` reports for ``target`` in its report for ``month`` (None: no value for that year)."""
        if month.year not in values:
            return None
        if target.measure_unit == MeasureUnit.PERCENT and REGISTER_RATE.search(target.metric):
            return self._register_rate(unit, month)
        level = _start(target.baseline, values, target.comparator)
        for year in sorted(y for y in values if y <= month.year):
            months = 12 if year < month.year else month.month
            share = min(Decimal(1), _pace(target.metric, unit.code, year) * months / 12)
            level += (values[year] - level) * share
        if target.measure_unit == MeasureUnit.PERCENT:
            return min(HUNDRED, max(Decimal(0), level)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return max(Decimal(0), level).quantize(Decimal(1), rounding=ROUND_HALF_UP)

    def _register_rate(self, unit, month: datetime.date) -> Decimal:
        """Closed by month end over found by month end in the unit's remit, as the report computes it."""
        if self._remits is None:
            self._remits = defaultdict(list)
            for township, supervisor, found, closed in MajorHazard.objects.filter(campaign=self.campaign).values_list(
                "township_id", "supervisor_id", "found_on", "closed_on"
            ):
                self._remits["township", township].append((found, closed))
                self._remits["supervisor", supervisor].append((found, closed))
        end = month_end(month)
        hazards = [closed for found, closed in self._remits[remit_of(unit.kind), unit.pk] if found <= end]
        closed = sum(1 for day in hazards if day is not None and day <= end)
        rate = HUNDRED if not hazards else Decimal(closed) * HUNDRED / len(hazards)
        if unit.code in OVERSTATING_UNITS:
            extra = Decimal(str(round(6 + fraction("overstate", unit.code, month.isoformat()) * 8, 1)))
            rate = min(HUNDRED, rate + extra)
        return rate.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
