"""Reads of the register: the filtered list with derived flags (overdue, stock) computed in SQL."""

from __future__ import annotations

import datetime

from django.core.paginator import Paginator
from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Value, When
from django.utils.functional import cached_property

from campaign.models import Unit

from . import rules
from .choices import Industry


def with_flags(hazards: QuerySet, on: datetime.date) -> QuerySet:
    """The hazards as they stood at the end of ``on`` (hazards/rules.py), flagged ``overdue`` (逾期未销号 then),
    ``is_open`` (未销号 then) and ``stock`` (found on or before the campaign baseline)."""
    def flag(condition):
        return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())

    return rules.standing(hazards, on).annotate(
        overdue=flag(rules.overdue(on)),
        is_open=flag(rules.open_at(on)),
        stock=flag(Q(found_on__lte=F("campaign__baseline_date"))),
    )


STAT_COLUMNS = [
    ("found", "发现", {}),
    ("closed", "已销号", {"closed": "yes"}),
    ("open", "未销号", {"open": "yes"}),
    ("overdue", "逾期", {"overdue": "yes"}),
    ("listed", "挂牌督办", {"listed": "yes"}),
    ("stock_left", "存量未销号", {"stock": "stock", "open": "yes"}),
]


def statistics(hazards: QuerySet, on: datetime.date, by: str) -> list[dict]:
    """Counts per township (``by="township"``) or per industry (``by="industry"``), in one query.

    Each number matches the list filtered the same way (the links on the page use STAT_COLUMNS' filters).
    """
    key = "township__name" if by == "township" else "industry"
    order = ("township__sort_order", "township_id") if by == "township" else ("industry",)
    flagged = with_flags(hazards, on)
    open_q = Q(is_open=True)
    rows = (
        flagged.values(key, *(["township_id"] if by == "township" else []))
        .annotate(
            found=Count("pk"),
            closed=Count("pk", filter=rules.closed_by(on)),
            open=Count("pk", filter=open_q),
            overdue=Count("pk", filter=Q(overdue=True)),
            listed=Count("pk", filter=~Q(listed_level="")),
            stock_left=Count("pk", filter=Q(stock=True) & open_q),
        )
        .order_by(*order)
    )
    return list(rows)


def burn_down(hazards: QuerySet, campaign, on: datetime.date) -> dict:
    """Open stock and open increment hazards at the end of each month, from the baseline to now — one query."""
    months, month = [], campaign.baseline_date.replace(day=1)
    while month <= on and len(months) < 60:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    ends = [min((m + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1), on) for m in months]
    baseline = campaign.baseline_date
    aggregates = {}
    for i, end in enumerate(ends):
        open_at = Q(found_on__lte=end) & rules.open_at(end)
        aggregates[f"s{i}"] = Count("pk", filter=open_at & Q(found_on__lte=baseline))
        aggregates[f"i{i}"] = Count("pk", filter=open_at & Q(found_on__gt=baseline))
    counts = hazards.aggregate(**aggregates) if aggregates else {}
    return {
        "months": [f"{m:%Y-%m}" for m in months],
        "stock": [counts[f"s{i}"] for i in range(len(months))],
        "increment": [counts[f"i{i}"] for i in range(len(months))],
    }


def township_industry_matrix(hazards: QuerySet, campaign, on: datetime.date) -> dict:
    """Found and open counts for every township × industry pair, in one query."""
    rows = (
        rules.standing(hazards, on).values("township_id", "township__name", "industry")
        .annotate(found=Count("pk"), open=Count("pk", filter=rules.open_at(on)))
        .order_by("township__sort_order", "township_id")
    )
    industries, townships, cells = [], {}, {}
    labels = dict(Industry.choices)
    for row in rows:
        if row["industry"] not in industries:
            industries.append(row["industry"])
        townships.setdefault(row["township_id"], row["township__name"])
        cells[(row["township_id"], row["industry"])] = (row["found"], row["open"])
    industries.sort(key=list(Industry.values).index)
    return {
        "industries": [(i, labels.get(i, i)) for i in industries],
        "rows": [(tid, name, [(i, *cells.get((tid, i), (0, 0))) for i in industries])
                 for tid, name in townships.items()],
    }


def register_models() -> tuple:
    """What the register's pages show: hazards, and the names of enterprises and units."""

    from .models import Enterprise, MajorHazard

    return (MajorHazard, Enterprise, Unit)


class RegisterStatistics:
    """The statistics page's numbers for one view of the register, to be kept until the register changes (or the
    day does): a province's take a quarter of a second of SQL over 200,000 hazards."""

    PER_PAGE = 25  # townships per page of the two township tables (the matrix has a column per industry)

    def __init__(self, hazards: QuerySet, campaign, on: datetime.date, page_number=None, keep=None):
        """``keep(compute)`` keeps the numbers (e.g. ``DeclaredCacheMixin.kept``); by default they are computed."""
        self.hazards, self.campaign, self.on, self.page_number = hazards, campaign, on, page_number
        self.keep = keep or (lambda compute: compute())

    @cached_property
    def data(self) -> dict:
        return self.keep(self._compute)

    def _compute(self) -> dict:
        labels = dict(Industry.choices)
        return {
            "by_township": statistics(self.hazards, self.on, "township"),
            "by_industry": [{**row, "label": labels.get(row["industry"], row["industry"])}
                            for row in statistics(self.hazards, self.on, "industry")],
            "burn_down": burn_down(self.hazards, self.campaign, self.on),
            "matrix": township_industry_matrix(self.hazards, self.campaign, self.on),
        }

    @cached_property
    def page(self):
        """The page of the township tables (by township, and township × industry): a province has 2,000."""
        return Paginator(self.data["by_township"], self.PER_PAGE).get_page(self.page_number)

    @cached_property
    def matrix_rows(self) -> list:
        """The matrix rows of the same townships as ``page`` (both lists are in the townships' order)."""
        rows = self.data["matrix"]["rows"]
        return rows[self.page.start_index() - 1:self.page.end_index()] if rows else []
