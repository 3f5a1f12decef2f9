"""Rows as they stood at the end of a past day, from their simple-history tables (DESIGN §5: a month is counted
as it stood at its end).

A row whose creation is recorded after the day was not there yet; a field changed since the day has the value
of the last record made by then. Rows with no history at all (made outside the application) count as they are.
Only rows changed since the day pay for a subquery, so counting a past month costs about the same as counting
today.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Subquery, When
from django.utils import timezone


def day_cutoff(day: datetime.date) -> datetime.datetime:
    """The first instant after ``day`` (local midnight): records made before it were made by the end of ``day``."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def stood_at(rows: QuerySet, day: datetime.date, fields: dict[str, str] | None = None) -> QuerySet:
    """``rows`` as they stood at the end of ``day``: rows created later are left out, and ``fields`` (annotation
    name → field) annotates each field's value then. For today or later this is the rows as they are."""
    fields = fields or {}
    if day >= timezone.localdate():
        return rows.annotate(**{alias: F(name) for alias, name in fields.items()})
    cutoff = day_cutoff(day)
    records = rows.model.history.model.objects
    since = records.filter(history_date__gte=cutoff)
    # Uncorrelated: the database reads the records made since the day once per query (a hashed subplan on
    # PostgreSQL) and probes it per row; only a row changed since pays for the lookup of its value then.
    # (A correlated EXISTS instead probes the history once per row and per FILTER that uses the value.)
    rows = rows.exclude(pk__in=since.filter(history_type="+").values("id"))
    if not fields:
        return rows
    before = records.filter(id=OuterRef("pk"), history_date__lt=cutoff)
    changed_since = Q(pk__in=since.values("id")) & Exists(before)
    last_before = before.order_by("-history_date", "-history_id")
    return rows.annotate(**{
        alias: Case(When(changed_since, then=Subquery(last_before.values(name)[:1])), default=F(name))
        for alias, name in fields.items()
    })


@dataclass(frozen=True)
class Deadlines:
    """The one way anything with a due date and a date it was done is counted at a day: assignments (due date,
    completed on) and hazards (deadline, closed on) share it (tasks/rules.py, hazards/rules.py). ``due`` names the
    due date as it stood then (``stood_at``'s annotation), ``done`` the field recording when it was done."""

    due: str
    done: str

    def due_by(self, on: datetime.date) -> Q:
        """Due on or before ``on``."""
        return Q(**{f"{self.due}__lte": on})

    def done_on_time(self, on: datetime.date) -> Q:
        """Due by ``on`` and done on or before its due date."""
        return self.due_by(on) & Q(**{f"{self.done}__lte": F(self.due)})

    def done_by(self, on: datetime.date) -> Q:
        return Q(**{f"{self.done}__lte": on})

    def open_at(self, on: datetime.date) -> Q:
        """Not done at the end of ``on``."""
        return Q(**{f"{self.done}__isnull": True}) | Q(**{f"{self.done}__gt": on})

    def overdue(self, on: datetime.date) -> Q:
        """Past its due date at ``on`` and not done by then (due on ``on`` itself is not yet late)."""
        return Q(**{f"{self.due}__lt": on}) & self.open_at(on)
