"""Reads of tasks and assignments: derived status, the plan tree, headline counts.

Status is derived in SQL from dates and review fields (DESIGN §3), so lists can
filter and count by it without loading rows into Python.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from campaign.models import ActionLine, KeyTask, Plan

from . import rules
from .choices import DUE_SOON_DAYS, Light, ReportState, State, Warning
from .models import Assignment, Milestone, ProgressReport, QuantifiedTarget, TargetYearValue, Task


def today() -> datetime.date:
    return timezone.localdate()


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def previous_month(month: datetime.date) -> datetime.date:
    return (month_start(month) - datetime.timedelta(days=1)).replace(day=1)


def month_end(month: datetime.date) -> datetime.date:
    return (month_start(month) + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)


# A report counts toward the lifecycle once it has been sent in (a returned one keeps the previous state).
COUNTING_REPORT_STATES = [ReportState.SUBMITTED, ReportState.ACCEPTED]


def with_status(assignments: QuerySet[Assignment], on: datetime.date | None = None) -> QuerySet[Assignment]:
    """Annotate ``state``, ``warning``, ``light`` and ``missed_last_month`` as of ``on`` (default: today).

    - state: 已销号 if closed out, 已完成 if a completion report was accepted, 进行中 once a
      report has been submitted (a returned one does not count), else 未开始;
    - warning: 逾期 past the due date and not completed, 临期 due within 7 days;
    - light: red when overdue; yellow when due soon, completed late, or last month's report is
      missing while the item was open; green otherwise.
    """
    on = on or today()
    soon = on + datetime.timedelta(days=DUE_SOON_DAYS)
    if "due_then" not in assignments.query.annotations:  # not already counted as of a day (tasks/rules.py)
        assignments = assignments.annotate(due_then=F("due_date"))
    overdue = rules.overdue(on)
    last_month = previous_month(on)
    done = Q(completed_on__lte=on)  # completed by the day counted at (today: completed at all)
    reported = ProgressReport.objects.filter(assignment=OuterRef("pk"), state__in=COUNTING_REPORT_STATES)
    assignments = assignments.annotate(
        has_report=Exists(reported),
        reported_last_month=Exists(reported.filter(month=last_month)),
    )
    missed_last_month = Q(reported_last_month=False, task__plan__campaign__start_date__lte=month_end(last_month))
    return assignments.annotate(
        state=Case(
            When(closed_on__lte=on, then=Value(State.CLOSED)),
            When(done, then=Value(State.COMPLETED)),
            When(has_report=True, then=Value(State.IN_PROGRESS)),
            default=Value(State.NOT_STARTED),
            output_field=CharField(),
        ),
        missed_last_month=Case(
            When(done, then=Value(False)),
            When(missed_last_month, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        warning=Case(
            When(done, then=Value(Warning.NONE)),
            When(overdue, then=Value(Warning.OVERDUE)),
            When(due_then__lte=soon, then=Value(Warning.DUE_SOON)),
            default=Value(Warning.NONE),
            output_field=CharField(),
        ),
        light=Case(
            When(done & Q(completed_on__lte=F("due_then")), then=Value(Light.GREEN)),
            # Completed after its due date: no longer overdue, but not "on time" either.
            When(done, then=Value(Light.YELLOW)),
            When(overdue, then=Value(Light.RED)),
            When(due_then__lte=soon, then=Value(Light.YELLOW)),
            When(missed_last_month, then=Value(Light.YELLOW)),
            default=Value(Light.GREEN),
            output_field=CharField(),
        ),
    )


def filter_by_status(assignments: QuerySet[Assignment], status: str) -> QuerySet[Assignment]:
    """``status`` is a State value or a Warning value (the plan page's one filter)."""
    if status in (Warning.DUE_SOON, Warning.OVERDUE):
        return assignments.filter(warning=status)
    return assignments.filter(state=status)


def tasks_matching(
    tasks: QuerySet[Task],
    *,
    action_line: ActionLine | None = None,
    unit=None,
    year: int | None = None,
    status: str | None = None,
    text: str | None = None,
    on: datetime.date | None = None,
) -> QuerySet[Task]:
    """Narrow a task queryset by the plan page's filters, each an EXISTS so rows never repeat."""
    if action_line is not None:
        tasks = tasks.filter(action_line=action_line)
    if text:
        tasks = tasks.filter(Q(text__icontains=text) | Q(code=text))
    assignment_filter = Assignment.objects.filter(task=OuterRef("pk"))
    narrowed = False
    if unit is not None:
        assignment_filter = assignment_filter.filter(unit=unit)
        narrowed = True
    if year:
        assignment_filter = assignment_filter.filter(due_date__year=year)
        narrowed = True
    if status:
        assignment_filter = filter_by_status(with_status(assignment_filter, on), status)
        narrowed = True
    if narrowed:
        tasks = tasks.filter(Exists(assignment_filter))
    return tasks


@dataclass
class KeyTaskNode:
    key_task: KeyTask | None
    tasks: list[Task] = field(default_factory=list)


@dataclass
class ActionLineNode:
    action_line: ActionLine | None
    groups: list[KeyTaskNode] = field(default_factory=list)

    @property
    def task_count(self) -> int:
        return sum(len(group.tasks) for group in self.groups)


def prefetch_task_details(tasks: QuerySet[Task], *, assignments: QuerySet[Assignment], year: int | None = None):
    """Everything a task row shows, in a fixed number of queries whatever the row count."""
    milestones = Milestone.objects.order_by("due_date", "seq")
    if year:
        milestones = milestones.filter(due_date__year=year)
    milestones = milestones.prefetch_related(
        Prefetch(
            "assignments",
            queryset=with_status(assignments).select_related("unit").order_by("role", "unit__sort_order"),
            to_attr="visible_assignments",
        )
    )
    return tasks.select_related("action_line", "key_task").prefetch_related(
        "lead_units",
        "cooperating_units",
        Prefetch("milestones", queryset=milestones, to_attr="shown_milestones"),
        Prefetch(
            "targets",
            queryset=QuantifiedTarget.objects.prefetch_related(
                Prefetch("year_values", queryset=TargetYearValue.objects.order_by("year"), to_attr="values")
            ),
            to_attr="target_list",
        ),
    )


def plan_tree(plan: Plan, tasks: list[Task]) -> list[ActionLineNode]:
    """Group already-fetched tasks under the plan's action lines and key tasks, in plan order."""
    action_lines = list(plan.action_lines.prefetch_related("key_tasks"))
    by_line: dict[int | None, dict[int | None, list[Task]]] = {}
    for task in tasks:
        by_line.setdefault(task.action_line_id, {}).setdefault(task.key_task_id, []).append(task)
    nodes = []
    for line in action_lines:
        groups = by_line.pop(line.pk, {})
        node = ActionLineNode(line)
        for key in line.key_tasks.all():
            if key.pk in groups:
                node.groups.append(KeyTaskNode(key, groups.pop(key.pk)))
        if None in groups:
            node.groups.insert(0, KeyTaskNode(None, groups.pop(None)))
        # A task whose key task belongs to another line should not vanish from the tree.
        for leftover in groups.values():
            node.groups.append(KeyTaskNode(None, leftover))
        if node.groups:
            nodes.append(node)
    for groups in by_line.values():
        nodes.append(ActionLineNode(None, [KeyTaskNode(None, t) for t in groups.values()]))
    return nodes


def status_counts(assignments: QuerySet[Assignment], on: datetime.date | None = None) -> dict[str, int]:
    """Headline numbers for a set of assignments, in one query."""
    annotated = with_status(assignments, on)
    result = annotated.aggregate(
        total=Count("pk"),
        completed=Count("pk", filter=Q(state__in=[State.COMPLETED, State.CLOSED])),
        closed=Count("pk", filter=Q(state=State.CLOSED)),
        overdue=Count("pk", filter=Q(warning=Warning.OVERDUE)),
        due_soon=Count("pk", filter=Q(warning=Warning.DUE_SOON)),
    )
    return result


def task_version(task: Task) -> str:
    """A mark of the task as it stands: the newest history record of the task (its units included: simple-history
    records a change of them), its milestones and its targets with their yearly values. Every save through the
    application writes one, so an edit form that carries the mark can tell it was opened before someone's save."""
    targets = QuantifiedTarget.history.filter(task_id=task.pk).values("id")
    marks = [
        Task.history.filter(id=task.pk).aggregate(m=Max("history_id"))["m"],
        Milestone.history.filter(task_id=task.pk).aggregate(m=Max("history_id"))["m"],
        QuantifiedTarget.history.filter(task_id=task.pk).aggregate(m=Max("history_id"))["m"],
        TargetYearValue.history.filter(target_id__in=targets).aggregate(m=Max("history_id"))["m"],
    ]
    return ".".join(str(m or 0) for m in marks)
