"""Reads of the register: the filtered list with derived flags (overdue, stock) computed in SQL."""

from __future__ import annotations

import datetime

from django.db.models import BooleanField, Case, F, Q, QuerySet, Value, When

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

