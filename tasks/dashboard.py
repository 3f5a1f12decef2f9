"""What each role sees first: the numbers and short lists of the home page."""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from .choices import ExtensionState, ReportState, Warning
from .models import Assignment, ExtensionRequest, FollowUp, ProgressReport
from .selectors import COUNTING_REPORT_STATES, month_start, status_counts, with_status

LIST_LIMIT = 30


def _reported_in(month: datetime.date):
    return Exists(
        ProgressReport.objects.filter(assignment=OuterRef("pk"), month=month, state__in=COUNTING_REPORT_STATES)
    )


def liaison_home(assignments: QuerySet[Assignment], on: datetime.date) -> dict:
    month = month_start(on)
    annotated = with_status(assignments, on).select_related("task", "unit").annotate(reported=_reported_in(month))
    open_items = annotated.filter(completed_on__isnull=True)
    return {
        "due_soon": list(open_items.filter(warning=Warning.DUE_SOON).order_by("due_date")[:LIST_LIMIT]),
        "overdue": list(open_items.filter(warning=Warning.OVERDUE).order_by("due_date")[:LIST_LIMIT]),
        "returned": list(
            ProgressReport.objects.filter(assignment__in=assignments, state=ReportState.RETURNED)
            .select_related("assignment__task", "reviewed_by").order_by("-reviewed_at")[:LIST_LIMIT]
        ),
        "not_reported": list(open_items.filter(reported=False).order_by("due_date")[:LIST_LIMIT]),
        "not_reported_count": open_items.filter(reported=False).count(),
        "counts": status_counts(assignments, on),
        "month": month,
    }


def unit_table(assignments: QuerySet[Assignment], on: datetime.date) -> list[dict]:
    """Per unit: open items, reported this month, overdue, follow-ups this month — one query."""
    month = month_start(on)
    rows = (
        with_status(assignments, on)
        .annotate(reported=_reported_in(month))
        .values("unit_id", "unit__code", "unit__name", "unit__kind", "unit__sort_order")
        .annotate(
            open=Count("pk", filter=Q(completed_on__isnull=True)),
            reported_count=Count("pk", filter=Q(completed_on__isnull=True, reported=True)),
            overdue=Count("pk", filter=Q(warning=Warning.OVERDUE)),
        )
        .order_by("unit__kind", "unit__sort_order")
    )
    follow_ups = dict(
        FollowUp.objects.filter(assignment__in=assignments, issued_at__date__gte=month)
        .values_list("assignment__unit_id").annotate(n=Count("pk")).values_list("assignment__unit_id", "n")
    )
    table = []
    for row in rows:
        row["missing"] = row["open"] - row["reported_count"]
        row["follow_ups"] = follow_ups.get(row["unit_id"], 0)
        table.append(row)
    return table


def office_home(assignments: QuerySet[Assignment], on: datetime.date) -> dict:
    table = unit_table(assignments, on)
    return {
        "counts": status_counts(assignments, on),
        "units": table,
        "not_reported_units": [r for r in table if r["missing"]],
        "overdue_units": sorted((r for r in table if r["overdue"]), key=lambda r: -r["overdue"]),
        "review_count": ProgressReport.objects.filter(
            assignment__in=assignments, state=ReportState.SUBMITTED
        ).count(),
        "pending_extensions": ExtensionRequest.objects.filter(
            assignment__in=assignments, state=ExtensionState.PENDING
        ).count(),
        "month": month_start(on),
    }


def leader_home(assignments: QuerySet[Assignment], on: datetime.date) -> dict:
    data = office_home(assignments, on)
    last = month_start(month_start(on) - datetime.timedelta(days=1))
    due = ProgressReport.objects.filter(assignment__in=assignments, month=last).exclude(state=ReportState.DRAFT)
    data["last_month"] = last
    data["last_month_reports"] = due.count()
    return data
