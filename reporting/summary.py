"""The dispatch report's aggregates and lists for one month, computed in SQL and stored as JSON.

Lists that can grow with the campaign are capped (``LIST_LIMIT``) and carry their full count,
so a province's snapshot stays small; the live lists hold the rest.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q

from hazards import rules as hazard_rules
from hazards.models import HazardFollowUp
from tasks import rules as task_rules
from tasks.choices import ExtensionState, ReportState
from tasks.models import ExtensionRequest, FollowUp, ProgressReport, ProgressValue

from .scoring import Period, remit_of, share

LIST_LIMIT = 300
DETAIL_LIMIT = 50

# A reported target whose value the register can recompute: a hazard rectification rate.
REGISTER_RATE = re.compile(r"(隐患|整改|销号).{0,6}(整改|销号|清零)(完成)?率")
CONSISTENCY_TOLERANCE = Decimal("0.5")


def _pct(part: int, whole: int) -> str | None:
    """A rate to one decimal; ``None`` when there is nothing to count (shown "—", never 100%)."""
    ratio = share(part, whole)
    return None if ratio is None else str((ratio * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _day(value) -> str | None:
    return value.isoformat() if value else None


def headline(period: Period) -> dict:
    """The campaign's numbers for the month, as they stood at its end: tasks, hazards and reporting."""
    end, campaign = period.end, period.campaign
    tasks = task_rules.campaign_assignments(campaign, end).aggregate(
        due=Count("pk", filter=task_rules.due_by(end)),
        on_time=Count("pk", filter=task_rules.completed_on_time(end)),
        overdue=Count("pk", filter=task_rules.overdue(end)),
        completed=Count("pk", filter=task_rules.completed_by(end)),
        total=Count("pk"),
    )
    closed, still_open, stock = hazard_rules.closed_by(end), hazard_rules.open_at(end), hazard_rules.stock(campaign)
    in_month = Q(found_on__gte=period.month)
    hazards = hazard_rules.campaign_hazards(campaign, end).aggregate(
        found=Count("pk"),
        found_in_month=Count("pk", filter=in_month),
        increment_in_month=Count("pk", filter=in_month & ~stock),
        closed=Count("pk", filter=closed),
        closed_in_month=Count("pk", filter=closed & Q(closed_on__gte=period.month)),
        open=Count("pk", filter=still_open),
        overdue=Count("pk", filter=hazard_rules.overdue(end)),
        stock_left=Count("pk", filter=stock & still_open),
        increment_left=Count("pk", filter=~stock & still_open),
    )
    return {"tasks": tasks, "hazards": hazards,
            "task_completion_pct": _pct(tasks["completed"], tasks["total"]),
            "task_on_time_pct": _pct(tasks["on_time"], tasks["due"]),
            "hazard_closed_pct": _pct(hazards["closed"], hazards["found"])}


def action_lines(period: Period) -> list[dict]:
    """Progress by action line: assignments, due, completed, on time and overdue at month end."""
    end = period.end
    rows = (
        task_rules.campaign_assignments(period.campaign, end).order_by()
        .values(line_id=F("task__action_line_id"), number=F("task__action_line__number"),
                title=F("task__action_line__title"), plan_unit=F("task__plan__unit__short_name"),
                plan_kind=F("task__plan__kind"))
        .annotate(
            total=Count("pk"),
            due=Count("pk", filter=task_rules.due_by(end)),
            completed=Count("pk", filter=task_rules.completed_by(end)),
            on_time=Count("pk", filter=task_rules.completed_on_time(end)),
            overdue=Count("pk", filter=task_rules.overdue(end)),
        )
        .order_by("plan_kind", "plan_unit", "number")
    )
    result = []
    for row in rows:
        row["completion_pct"] = _pct(row["completed"], row["total"])
        row["title"] = row["title"] or "未归入行动"
        result.append(row)
    return result


def problems(period: Period) -> dict:
    """问题清单 of the month: problems written in the month's submitted or accepted reports."""
    reports = (
        ProgressReport.objects.filter(assignment__task__plan__campaign=period.campaign, month=period.month,
                                      state__in=[ReportState.SUBMITTED, ReportState.ACCEPTED])
        .exclude(problems="")
    )
    total = reports.count()
    rows = reports.order_by("assignment__unit__sort_order", "assignment__task__code").values(
        "pk", "problems", "next_steps", unit=F("assignment__unit__name"), code=F("assignment__task__code"),
        task_id=F("assignment__task_id"),
    )[:LIST_LIMIT]
    return {"total": total, "rows": list(rows)}


def follow_ups(period: Period) -> dict:
    """Follow-ups issued during the month on tasks and hazards."""
    campaign = period.campaign
    in_month = {"issued_at__date__gte": period.month, "issued_at__date__lte": period.end}
    task_rows = (
        FollowUp.objects.filter(assignment__task__plan__campaign=campaign, **in_month)
        .order_by("issued_at")
        .values("kind", "number", "issued_at", "assignment_id", unit=F("assignment__unit__name"),
                code=F("assignment__task__code"))
    )
    hazard_rows = (
        HazardFollowUp.objects.filter(hazard__campaign=campaign, **in_month)
        .order_by("issued_at")
        .values("kind", "issued_at", "hazard_id", enterprise=F("hazard__enterprise__name"),
                township=F("hazard__township__name"))
    )
    task_counts = dict(FollowUp.objects.filter(assignment__task__plan__campaign=campaign, **in_month)
                       .order_by().values_list("kind").annotate(n=Count("pk")))
    hazard_counts = dict(HazardFollowUp.objects.filter(hazard__campaign=campaign, **in_month)
                         .order_by().values_list("kind").annotate(n=Count("pk")))

    def dated(rows):
        return [{**row, "issued_at": row["issued_at"].date().isoformat()} for row in rows[:LIST_LIMIT]]

    return {"task_counts": task_counts, "hazard_counts": hazard_counts,
            "tasks": dated(task_rows), "hazards": dated(hazard_rows)}


def extensions(period: Period) -> dict:
    """Extensions granted during the month."""
    granted = ExtensionRequest.objects.filter(
        assignment__task__plan__campaign=period.campaign, state=ExtensionState.APPROVED,
        decided_at__date__gte=period.month, decided_at__date__lte=period.end,
    )
    rows = granted.order_by("decided_at").values(
        "previous_due", "requested_due", "reason", "assignment_id", unit=F("assignment__unit__name"),
        code=F("assignment__task__code"),
    )[:LIST_LIMIT]
    return {"total": granted.count(), "rows": [
        {**row, "previous_due": _day(row["previous_due"]), "requested_due": _day(row["requested_due"])}
        for row in rows
    ]}


def overdue_details(period: Period) -> tuple[dict[int, list], dict[int, list], dict[int, int]]:
    """Per unit: overdue assignments and hazards at month end (capped) and the overdue task count."""
    end = period.end
    overdue = task_rules.campaign_assignments(period.campaign, end).filter(task_rules.overdue(end))
    task_counts = dict(overdue.order_by().values_list("unit_id").annotate(n=Count("pk")))
    tasks: dict[int, list] = {}
    for row in overdue.order_by("unit_id", "due_then", "task__code").values(
        "pk", "unit_id", "due_then", code=F("task__code"), text=F("task__text"), step=F("milestone__text"),
    ):
        listed = tasks.setdefault(row["unit_id"], [])
        if len(listed) < DETAIL_LIMIT:
            text = (row["step"] or row["text"]).split("。")[0][:80]
            listed.append({"assignment_id": row["pk"], "code": row["code"], "text": text,
                           "due_date": _day(row["due_then"]), "days": (end - row["due_then"]).days})
    hazards: dict[int, list] = {}
    overdue_hazards = hazard_rules.campaign_hazards(period.campaign, end).filter(hazard_rules.overdue(end))
    for row in overdue_hazards.order_by("deadline_then").values(
        "pk", "township_id", "supervisor_id", "deadline_then", "description", company=F("enterprise__name"),
    ):
        item = {"hazard_id": row["pk"], "enterprise": row["company"], "text": row["description"][:80],
                "deadline": _day(row["deadline_then"]), "days": (end - row["deadline_then"]).days}
        for unit_id in {row["township_id"], row["supervisor_id"]}:
            listed = hazards.setdefault(unit_id, [])
            if len(listed) < DETAIL_LIMIT:
                listed.append(item)
    return tasks, hazards, task_counts


def register_rates(period: Period) -> dict[tuple[str, int], tuple[int, int]]:
    """(remit, unit id) → (closed by month end, found by month end) from the register."""
    end = period.end
    result = {}
    for remit in ("township", "supervisor"):
        rows = (hazard_rules.campaign_hazards(period.campaign, end).order_by().values(f"{remit}_id")
                .annotate(found=Count("pk"), closed=Count("pk", filter=hazard_rules.closed_by(end))))
        for row in rows:
            result[(remit, row[f"{remit}_id"])] = (row["closed"], row["found"])
    return result


def consistency(period: Period, units: dict[int, object]) -> list[dict]:
    """一致性评估: a rectification rate reported for this month beside the one the register gives.

    Only values sent in the month's own reports (submitted or accepted) are compared, so an old
    value is never held against this month's register. Flagged when they differ by more than
    ``CONSISTENCY_TOLERANCE`` percentage points.
    """
    reported_values = (
        ProgressValue.objects.filter(
            report__month=period.month, report__state__in=[ReportState.SUBMITTED, ReportState.ACCEPTED],
            report__assignment__task__plan__campaign=period.campaign, target__measure_unit="%",
        )
        .order_by("report__assignment__unit_id", "target_id", "-report__submitted_at")
        .values("value", "target_id", unit_id=F("report__assignment__unit_id"), metric=F("target__metric"))
    )
    rates = None
    seen = set()
    result = []
    for row in reported_values:
        unit = units.get(row["unit_id"])
        key = (row["unit_id"], row["target_id"])
        if unit is None or key in seen or not REGISTER_RATE.search(row["metric"]):
            continue
        seen.add(key)
        if rates is None:
            rates = register_rates(period)
        closed, found = rates.get((remit_of(unit.kind), unit.pk), (0, 0))
        if not found:
            continue
        computed = (Decimal(closed) * 100 / Decimal(found)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        reported = Decimal(row["value"]).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        result.append({
            "unit_id": unit.pk, "unit": unit.name, "metric": row["metric"], "reported": str(reported),
            "computed": str(computed), "closed": closed, "found": found,
            "differs": abs(reported - computed) > CONSISTENCY_TOLERANCE,
        })
    result.sort(key=lambda r: (not r["differs"], r["unit"]))
    return result
