"""The default monthly score (DESIGN §5), computed by SQL aggregation per unit.

Every count comes from one grouped query per component, so the number of queries is the
same for a county and a province. Ratios and the total are done in Decimal from those
counts, so a score worked out by hand with the same rule matches to the cent.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from campaign.choices import RANKING_GROUPS
from campaign.models import Campaign, Unit
from core.history import stood_at
from hazards import rules as hazard_rules
from tasks import rules as task_rules
from tasks.choices import ReportState
from tasks.models import ProgressReport, ProgressValue, TargetYearValue
from tasks.selectors import month_end, month_start
from tasks.targets import attainment

from .models import NOT_RATED_REASONS

ONE = Decimal(1)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Period:
    """Month M of campaign C: its first and last day and the reporting deadline."""

    campaign: Campaign
    month: datetime.date
    end: datetime.date
    deadline: datetime.date

    @property
    def submitted_before(self) -> datetime.datetime:
        """A report counts as on time if first sent before midnight ending the deadline day (local time)."""
        next_day = self.deadline + datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(next_day, datetime.time.min))


def period_of(campaign: Campaign, month: datetime.date, *, as_of: datetime.date | None = None) -> Period:
    """Month ``month`` of ``campaign``, counted to its last day, or to ``as_of`` for a preview of a month in
    progress."""
    first = month_start(month)
    end = month_end(first) if as_of is None else min(month_end(first), as_of)
    deadline = first.replace(day=min(campaign.report_deadline_day, month_end(first).day))
    return Period(campaign, first, end, deadline)


@dataclass(frozen=True)
class Weights:
    on_time: Decimal
    reporting: Decimal
    targets: Decimal
    hazards: Decimal
    penalty_per_hazard: Decimal
    penalty_cap: Decimal

    @classmethod
    def of(cls, campaign: Campaign) -> Weights:
        return cls(campaign.weight_on_time, campaign.weight_reporting, campaign.weight_targets,
                   campaign.weight_hazards, campaign.penalty_per_hazard, campaign.penalty_cap)

    @classmethod
    def from_json(cls, data: dict) -> Weights:
        return cls(**{name: Decimal(str(value)) for name, value in data.items()})

    def as_json(self) -> dict:
        return {name: str(value) for name, value in self.__dict__.items()}


def share(part: int, whole: int) -> Decimal | None:
    """The rule's ratio; nothing to count is 不参评 (``None``), never full marks (DESIGN §5)."""
    return None if whole == 0 else Decimal(part) / Decimal(whole)


COMPONENT_NAMES = tuple(NOT_RATED_REASONS)


def weighted_score(ratios: dict[str, Decimal | None], weights: Weights, penalty: Decimal) -> Decimal | None:
    """DESIGN §5: 100 · Σ wᵢ·Aᵢ / Σ wᵢ over the rated components − penalty, to the cent; ``None`` when nothing is
    rated (本月无考核事项). With all four rated and weights summing to 100 this is Σ wᵢ·Aᵢ − penalty."""
    rated = {name: ratio for name, ratio in ratios.items() if ratio is not None}
    total_weight = sum((getattr(weights, name) for name in rated), Decimal(0))
    if not rated or total_weight == 0:
        return None
    weighted = sum((getattr(weights, name) * ratio for name, ratio in rated.items()), Decimal(0))
    return (100 * weighted / total_weight - penalty).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Components:
    """The counts behind one unit's score; ratios and the total follow DESIGN §5 (``None``: 不参评)."""

    due_count: int = 0
    on_time_count: int = 0
    reports_required: int = 0
    reports_on_time: int = 0
    attainments: list[Decimal] = field(default_factory=list)
    hazards_due: int = 0
    hazards_closed_on_time: int = 0
    overdue_hazards: int = 0

    @property
    def on_time(self) -> Decimal | None:
        return share(self.on_time_count, self.due_count)

    @property
    def reporting(self) -> Decimal | None:
        return share(self.reports_on_time, self.reports_required)

    @property
    def targets(self) -> Decimal | None:
        return None if not self.attainments else sum(self.attainments, Decimal(0)) / len(self.attainments)

    @property
    def hazards(self) -> Decimal | None:
        return share(self.hazards_closed_on_time, self.hazards_due)

    def ratios(self) -> dict[str, Decimal | None]:
        return {name: getattr(self, name) for name in COMPONENT_NAMES}

    def penalty(self, weights: Weights) -> Decimal:
        return min(weights.penalty_per_hazard * self.overdue_hazards, weights.penalty_cap)

    def score(self, weights: Weights) -> Decimal | None:
        return weighted_score(self.ratios(), weights, self.penalty(weights))


def ranked_units(period: Period):
    """Active townships, zones and departments that, at the month's end, had work, a plan or hazards in the
    campaign (the campaign's units: ``campaign.units``, as they stood then)."""
    campaign, end = period.campaign, period.end
    return Unit.objects.filter(is_active=True, kind__in=list(RANKING_GROUPS)).filter(
        Exists(task_rules.campaign_assignments(campaign, end).filter(unit=OuterRef("pk")))
        | Q(plans__campaign=campaign)
        | Exists(hazard_rules.campaign_hazards(campaign, end).filter(township=OuterRef("pk")))
        | Exists(hazard_rules.campaign_hazards(campaign, end).filter(supervisor=OuterRef("pk")))
    ).distinct().order_by("sort_order", "code")


def on_time_counts(period: Period) -> dict[int, tuple[int, int]]:
    """A1: per unit, assignments due by month end and those completed by their due date."""
    end = period.end
    rows = (
        task_rules.campaign_assignments(period.campaign, end).filter(task_rules.due_by(end)).order_by()
        .values("unit_id")
        .annotate(due=Count("pk"), done=Count("pk", filter=task_rules.completed_on_time(end)))
    )
    return {r["unit_id"]: (r["due"], r["done"]) for r in rows}


def reporting_counts(period: Period) -> dict[int, tuple[int, int]]:
    """A2: per unit, assignments open during the month and those whose report came by the deadline."""
    if period.end < period.campaign.start_date or period.month > period.campaign.end_date:
        return {}
    if period.end < period.deadline:
        # A preview counted before the reporting deadline: nobody is late yet, so the component is 不参评 rather than
        # 0% for every unit that will still report in time.
        return {}
    on_time = ProgressReport.objects.filter(
        assignment=OuterRef("pk"), month=period.month, first_submitted_at__lt=period.submitted_before
    )
    rows = (
        task_rules.campaign_assignments(period.campaign, period.end).filter(task_rules.open_during(period.month))
        .annotate(reported=Exists(on_time))
        .order_by().values("unit_id")
        .annotate(required=Count("pk"), sent=Count("pk", filter=Q(reported=True)))
    )
    return {r["unit_id"]: (r["required"], r["sent"]) for r in rows}


def latest_actuals(period: Period) -> dict[tuple[int, int], Decimal]:
    """(target id, unit id) → the latest accepted actual on or before the month, for targets with a value
    for the month's year, in one pass over the values (a window ranks each pair's values; rank 1 wins).

    The same order as a per-pair "latest" lookup: month, then review time, then the newest row.
    """
    ranked = (
        ProgressValue.objects.filter(
            target__task__plan__campaign=period.campaign, target__year_values__year=period.month.year,
            report__state=ReportState.ACCEPTED, report__month__lte=period.month,
        )
        .annotate(unit_id=F("report__assignment__unit_id"), place=Window(
            RowNumber(), partition_by=[F("target_id"), F("report__assignment__unit_id")],
            order_by=[F("report__month").desc(), F("report__reviewed_at").desc(), F("pk").desc()],
        ))
        .filter(place=1)
        .values_list("target_id", "unit_id", "value")
    )
    return {(target_id, unit_id): value for target_id, unit_id, value in ranked}


def target_rows(period: Period) -> list[dict]:
    """A3's inputs: each (unit, target with a value for the year) pair with its latest accepted actual, as the
    targets, their values and the assignments stood at the month's end.

    Three queries whatever the size: the year's values, the units of each task, and the latest actuals of all
    pairs at once (a correlated subquery per pair would read each target's values once per unit: minutes for a
    province).
    """
    campaign, end = period.campaign, period.end
    values = list(
        stood_at(TargetYearValue.objects.filter(year=period.month.year, target__task__plan__campaign=campaign),
                 end, {"value_then": "value"})
        .order_by()
        .values("target_id", value_at_end=F("value_then"), comparator=F("target__comparator"),
                task_id=F("target__task_id"), metric=F("target__metric"), measure_unit=F("target__measure_unit"))
    )
    units_of_task: dict[int, set[int]] = {}
    for task_id, unit_id in (task_rules.campaign_assignments(campaign, end).order_by()
                             .values_list("task_id", "unit_id").distinct()):
        units_of_task.setdefault(task_id, set()).add(unit_id)
    actuals = latest_actuals(period)
    rows = []
    for value in values:
        for unit_id in units_of_task.get(value["task_id"], ()):
            rows.append({"target_id": value["target_id"], "value": value["value_at_end"],
                         "comparator": value["comparator"], "unit_id": unit_id, "metric": value["metric"],
                         "measure_unit": value["measure_unit"],
                         "actual": actuals.get((value["target_id"], unit_id))})
    rows.sort(key=lambda r: (r["unit_id"], r["target_id"]))
    return rows


def target_attainments(rows) -> dict[int, list[Decimal]]:
    """A3: per unit, the attainment of each target row; a target with no accepted actual attains nothing."""
    result: dict[int, list[Decimal]] = {}
    for row in rows:
        value = Decimal(0) if row["actual"] is None else attainment(
            row["comparator"], Decimal(row["actual"]), Decimal(row["value"]))
        result.setdefault(row["unit_id"], []).append(value)
    return result


def hazard_counts(period: Period, remit: str) -> dict[int, tuple[int, int, int]]:
    """A4 and the penalty: per township (``remit="township"``) or supervising department (``"supervisor"``)."""
    end = period.end
    rows = (
        hazard_rules.campaign_hazards(period.campaign, end).order_by().values(f"{remit}_id")
        .annotate(
            due=Count("pk", filter=hazard_rules.due_by(end)),
            closed=Count("pk", filter=hazard_rules.closed_on_time(end)),
            overdue=Count("pk", filter=hazard_rules.overdue(end)),
        )
    )
    return {r[f"{remit}_id"]: (r["due"], r["closed"], r["overdue"]) for r in rows}


remit_of = hazard_rules.remit_field


def components_by_unit(period: Period, units, targets=None) -> dict[int, Components]:
    """Every ranked unit's counts, from five grouped queries whatever the number of units."""
    a1 = on_time_counts(period)
    a2 = reporting_counts(period)
    a3 = target_attainments(target_rows(period) if targets is None else targets)
    a4 = {"township": hazard_counts(period, "township"), "supervisor": hazard_counts(period, "supervisor")}
    result = {}
    for unit in units:
        due, done = a1.get(unit.pk, (0, 0))
        required, sent = a2.get(unit.pk, (0, 0))
        hz_due, hz_closed, hz_overdue = a4[remit_of(unit.kind)].get(unit.pk, (0, 0, 0))
        result[unit.pk] = Components(due, done, required, sent, a3.get(unit.pk, []), hz_due, hz_closed, hz_overdue)
    return result


def competition_ranks(scores: list[Decimal]) -> list[int]:
    """Ranks for scores in any order: higher is better and ties share a rank (1, 2, 2, 4)."""
    ordered = sorted(scores, reverse=True)
    first_place = {}
    for position, score in enumerate(ordered, start=1):
        first_place.setdefault(score, position)
    return [first_place[score] for score in scores]


def quartile(rank: int, size: int) -> int:
    """1 (top quarter) to 4 (bottom quarter) by rank within a group of ``size`` units."""
    if size <= 0:
        return 1
    return min(4, (rank - 1) * 4 // size + 1)
