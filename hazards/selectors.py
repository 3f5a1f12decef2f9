"""Reads of the register: the filtered list with derived flags (overdue, stock) computed in SQL."""

from __future__ import annotations

import datetime

from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Value, When

from .choices import HazardState, Industry


def with_flags(hazards: QuerySet, on: datetime.date) -> QuerySet:
    """``overdue``: deadline passed and not closed; ``stock``: found on or before the campaign baseline."""
    return hazards.annotate(
        overdue=Case(
            When(Q(deadline__lt=on) & ~Q(state=HazardState.CLOSED), then=Value(True)),
            default=Value(False), output_field=BooleanField(),
        ),
        stock=Case(
            When(found_on__lte=F("campaign__baseline_date"), then=Value(True)),
            default=Value(False), output_field=BooleanField(),
        ),
    )



STAT_COLUMNS = [
    ("found", "发现", {}),
    ("closed", "已销号", {"state": HazardState.CLOSED}),
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
    flagged = with_flags(hazards, on)
    open_q = ~Q(state=HazardState.CLOSED)
    rows = (
        flagged.values(key, *(["township_id"] if by == "township" else []))
        .annotate(
            found=Count("pk"),
            closed=Count("pk", filter=Q(state=HazardState.CLOSED)),
            open=Count("pk", filter=open_q),
            overdue=Count("pk", filter=Q(overdue=True)),
            listed=Count("pk", filter=~Q(listed_level="")),
            stock_left=Count("pk", filter=Q(stock=True) & open_q),
        )
        .order_by(key)
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
        open_at = Q(found_on__lte=end) & (Q(closed_on__isnull=True) | Q(closed_on__gt=end))
        aggregates[f"s{i}"] = Count("pk", filter=open_at & Q(found_on__lte=baseline))
        aggregates[f"i{i}"] = Count("pk", filter=open_at & Q(found_on__gt=baseline))
    counts = hazards.aggregate(**aggregates) if aggregates else {}
    return {
        "months": [f"{m:%Y-%m}" for m in months],
        "stock": [counts[f"s{i}"] for i in range(len(months))],
        "increment": [counts[f"i{i}"] for i in range(len(months))],
    }


def township_industry_matrix(hazards: QuerySet, campaign) -> dict:
    """Found and open counts for every township × industry pair, in one query."""
    rows = (
        hazards.values("township_id", "township__name", "industry")
        .annotate(found=Count("pk"), open=Count("pk", filter=~Q(state=HazardState.CLOSED)))
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
