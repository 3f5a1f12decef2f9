"""Quantified targets: the latest accepted actual value, the expected-by-now value (序时进度) and the gap."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .choices import Comparator, ReportState
from .models import ProgressValue, QuantifiedTarget


@dataclass
class TargetProgress:
    target: QuantifiedTarget
    year: int
    yearly: Decimal | None
    actual: Decimal | None
    actual_month: datetime.date | None
    expected: Decimal | None

    @property
    def gap(self) -> Decimal | None:
        """Actual minus expected (negative: behind), flipped for ≤ targets so negative always means behind."""
        if self.actual is None or self.expected is None:
            return None
        gap = self.actual - self.expected
        return -gap if self.target.comparator == Comparator.LTE else gap

    @property
    def behind(self) -> bool:
        return self.gap is not None and self.gap < 0


def _q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def expected_by(target: QuantifiedTarget, values: dict[int, Decimal], on: datetime.date) -> Decimal | None:
    """Where the target should be on ``on`` if progress were even over the year.

    The year starts from the target's baseline (for a later year: the previous year's target,
    when there is one) and ends at that year's value; month M of the year expects M/12 of the way.
    An equality target, or one without a starting point, has no expected-by-now value.
    """
    yearly = values.get(on.year)
    if yearly is None or target.comparator == Comparator.EQ:
        return None
    start = values.get(on.year - 1, target.baseline)
    if start is None:
        return None
    return _q(start + (yearly - start) * Decimal(on.month) / Decimal(12))


def attainment(comparator: str, actual: Decimal, target: Decimal) -> Decimal:
    """DESIGN §5: ≥ min(actual/target, 1); ≤ 1 if actual ≤ target else target/actual; = 1 if equal else 0."""
    if comparator == Comparator.GTE:
        if target <= 0:
            return Decimal(1)
        return min(actual / target, Decimal(1))
    if comparator == Comparator.LTE:
        if actual <= target:
            return Decimal(1)
        return target / actual
    return Decimal(1) if actual == target else Decimal(0)


def latest_accepted(targets, unit_ids=None, on: datetime.date | None = None) -> dict[tuple[int, int], tuple]:
    """(target id, unit id) → (value, report month) of the latest accepted value, in one query."""
    rows = ProgressValue.objects.filter(target__in=targets, report__state=ReportState.ACCEPTED)
    if unit_ids is not None:
        rows = rows.filter(report__assignment__unit_id__in=unit_ids)
    if on is not None:
        rows = rows.filter(report__month__lte=on)
    rows = rows.order_by("target_id", "report__assignment__unit_id", "-report__month", "-report__reviewed_at")
    latest: dict[tuple[int, int], tuple] = {}
    for target_id, unit_id, value, month in rows.values_list(
        "target_id", "report__assignment__unit_id", "value", "report__month"
    ):
        latest.setdefault((target_id, unit_id), (value, month))
    return latest


def target_progress(target: QuantifiedTarget, year_values, latest: tuple | None, on: datetime.date) -> TargetProgress:
    values = {v.year: v.value for v in year_values}
    actual, month = latest if latest else (None, None)
    return TargetProgress(target, on.year, values.get(on.year), actual, month, expected_by(target, values, on))
