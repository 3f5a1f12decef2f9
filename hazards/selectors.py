"""Reads of the register: the filtered list with derived flags (overdue, stock) computed in SQL."""

from __future__ import annotations

import datetime

from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Value, When

from .choices import HazardState


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
