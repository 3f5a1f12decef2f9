"""二清单一台账: the task list, the problem list and the ledger of key work.

Each list is one class whose rows feed both the page and the .xlsx export, so the two
never disagree. Rows are built from a fixed number of queries whatever their count.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import OuterRef, QuerySet, Subquery

from campaign.models import ActionLine, Unit
from core.formats import fmt_number
from core.xlsx import Sheet

from . import rules as task_rules
from .choices import ExtensionState, ReportState, Warning
from .models import Assignment, ExtensionRequest, ProgressReport, QuantifiedTarget, TargetYearValue
from .selectors import COUNTING_REPORT_STATES, today, with_status
from .targets import latest_accepted, target_progress


def task_list_models() -> tuple:
    """What the task list shows and filters on, besides the date: assignments, tasks, milestones, progress
    reports, units and action lines (their marks: campaign/pagecache.py)."""

    from .models import Milestone, Task

    return (Assignment, Task, Milestone, ProgressReport, Unit, ActionLine)


def status_label(a) -> str:
    labels = {"not_started": "未开始", "in_progress": "进行中", "completed": "已完成", "closed": "已销号"}
    return labels.get(a.state, a.state)


def warning_label(a) -> str:
    return {Warning.OVERDUE: "逾期", Warning.DUE_SOON: "临期"}.get(a.warning, "")


def with_latest_progress(assignments: QuerySet[Assignment]) -> QuerySet[Assignment]:
    latest = ProgressReport.objects.filter(
        assignment=OuterRef("pk"), state__in=COUNTING_REPORT_STATES
    ).order_by("-month")
    return assignments.annotate(
        latest_progress=Subquery(latest.values("progress")[:1]),
        latest_month=Subquery(latest.values("month")[:1]),
    )


class TaskList:
    """任务清单: every assignment with its status."""

    code = "task-list"
    title = "任务清单"
    headers = ["行动", "任务编号", "任务内容", "节点要求", "责任单位", "责任类别", "完成时限", "原定时限",
               "状态", "预警", "完成日期", "最近进展", "进展月份"]
    widths = [22, 8, 50, 40, 18, 8, 12, 12, 8, 8, 12, 50, 10]

    # Plan, then task order, then date and unit: an index on tasks (plan, position, code) lets a page of
    # the list stop after its rows instead of sorting every assignment of the campaign.
    ordering = ("task__plan_id", "task__position", "task__code", "due_date", "unit__sort_order", "pk")

    def queryset(self, assignments: QuerySet[Assignment], on: datetime.date | None = None) -> QuerySet[Assignment]:
        """The rows with their status as of ``on`` (default today; a past day: as they stood then, tasks/rules.py)."""
        if on is not None:
            assignments = task_rules.standing(assignments, on)
        return with_latest_progress(with_status(assignments, on)).select_related(
            "task__action_line", "unit", "milestone"
        ).order_by(*self.ordering)

    def page(self, assignments: QuerySet[Assignment], number, per_page: int = 50, count=None,
             on: datetime.date | None = None):
        """One page of the list: the page's ids come from the plain filtered query, and only those rows get the
        status and latest-progress columns (computing them before the LIMIT reads reports of every row).

        ``count`` gives the total (a COUNT over 100,000 assignments for a province), e.g. from the cache.
        """
        paginator = Paginator(assignments.order_by(*self.ordering).values_list("pk", flat=True), per_page)
        if count is not None:
            paginator.count = count(assignments.count)
        page = paginator.get_page(number)
        ids = list(page.object_list)
        # all_objects: a list of a past day holds rows withdrawn since.
        rows = {a.pk: a for a in self.queryset(Assignment.all_objects.filter(pk__in=ids), on)}
        page.object_list = [rows[pk] for pk in ids]
        return page

    def row(self, a) -> list:
        line = a.task.action_line
        return [
            f"{line.number}. {line.title}" if line else "", a.task.code, a.task.text, a.milestone.text, a.unit.name,
            a.get_role_display(), a.due_date, a.milestone.due_date if a.milestone.due_date != a.due_date else None,
            status_label(a), warning_label(a), a.completed_on, a.latest_progress or "",
            f"{a.latest_month:%Y-%m}" if a.latest_month else "",
        ]

    def sheet(self, rows) -> Sheet:
        return Sheet(self.title, self.headers, [self.row(a) for a in rows], self.widths, caption=self.title)


@dataclass
class Problem:
    kind: str
    assignment: Assignment
    detail: str
    since: datetime.date | None = None


class ProblemList:
    """问题清单: overdue, returned, extended and behind-target items, each with its reason."""

    code = "problem-list"
    title = "问题清单"
    headers = ["问题类型", "任务编号", "任务内容", "责任单位", "完成时限", "问题说明", "发生日期"]
    widths = [14, 8, 50, 18, 12, 60, 12]
    KINDS = ["逾期", "退回", "延期", "量化目标滞后"]

    def problems(self, assignments: QuerySet[Assignment], on: datetime.date | None = None) -> list[Problem]:
        on = on or today()
        base = assignments.select_related("task", "unit", "milestone")
        problems: list[Problem] = []
        for a in with_status(base, on).filter(warning=Warning.OVERDUE).order_by("due_date"):
            problems.append(Problem("逾期", a, f"已逾期 {(on - a.due_date).days} 天未完成", a.due_date))
        returned = ProgressReport.objects.filter(
            assignment__in=assignments, state=ReportState.RETURNED
        ).select_related("assignment__task", "assignment__unit", "assignment__milestone").order_by("-reviewed_at")
        for r in returned:
            detail = f"{r.month:%Y年%m月}填报被退回：{r.return_reason}"
            problems.append(Problem("退回", r.assignment, detail, r.reviewed_at and r.reviewed_at.date()))
        extensions = ExtensionRequest.objects.filter(
            assignment__in=assignments, state__in=[ExtensionState.PENDING, ExtensionState.APPROVED]
        ).select_related("assignment__task", "assignment__unit", "assignment__milestone").order_by("-requested_at")
        for e in extensions:
            detail = (f"{e.get_state_display()}：原定 {e.previous_due:%Y-%m-%d}，申请延至 {e.requested_due:%Y-%m-%d}；"
                      f"理由：{e.reason}")
            problems.append(Problem("延期", e.assignment, detail, e.requested_at.date()))
        problems.extend(self.behind_targets(assignments, on))
        return problems

    def behind_targets(self, assignments: QuerySet[Assignment], on: datetime.date) -> list[Problem]:
        open_rows = list(assignments.filter(completed_on__isnull=True).select_related("task", "unit", "milestone")
                         .order_by("task_id", "unit_id", "due_date"))
        by_task_unit: dict[tuple[int, int], Assignment] = {}
        for a in open_rows:
            by_task_unit.setdefault((a.task_id, a.unit_id), a)
        task_ids = {task_id for task_id, _ in by_task_unit}
        targets = list(QuantifiedTarget.objects.filter(task_id__in=task_ids))
        values: dict[int, list] = {}
        for v in TargetYearValue.objects.filter(target__in=targets):
            values.setdefault(v.target_id, []).append(v)
        latest = latest_accepted(targets)
        problems = []
        for target in targets:
            for (task_id, unit_id), a in by_task_unit.items():
                if task_id != target.task_id:
                    continue
                progress = target_progress(target, values.get(target.pk, []), latest.get((target.pk, unit_id)), on)
                if progress.behind:
                    u = target.measure_unit
                    detail = (f"{target.metric}：实际 {fmt_number(progress.actual)}{u}，"
                              f"序时进度应达 {fmt_number(progress.expected)}{u}，"
                              f"年度目标 {fmt_number(progress.yearly)}{u}")
                    problems.append(Problem("量化目标滞后", a, detail, progress.actual_month))
        return problems

    def row(self, p: Problem) -> list:
        a = p.assignment
        return [p.kind, a.task.code, a.task.text, a.unit.name, a.due_date, p.detail, p.since]

    def sheet(self, problems) -> Sheet:
        return Sheet(self.title, self.headers, [self.row(p) for p in problems], self.widths, caption=self.title)


@dataclass
class LedgerRow:
    assignment: Assignment  # the first of the (task, unit) pair's assignments
    months: list[str]


class Ledger:
    """重点工作台账: for each task and responsible unit, the progress text month by month."""

    code = "ledger"
    title = "重点工作台账"

    def months(self, year: int) -> list[datetime.date]:
        return [datetime.date(year, m, 1) for m in range(1, 13)]

    def rows(self, assignments: QuerySet[Assignment], year: int) -> list[LedgerRow]:
        pairs: dict[tuple[int, int], Assignment] = {}
        for a in assignments.select_related("task__action_line", "unit").order_by(
            "task__plan_id", "task__position", "task__code", "unit__kind", "unit__sort_order", "due_date"
        ):
            pairs.setdefault((a.task_id, a.unit_id), a)
        texts: dict[tuple[int, int, int], list[str]] = {}
        reports = ProgressReport.objects.filter(
            assignment__in=assignments, month__year=year, state__in=COUNTING_REPORT_STATES
        ).values_list("assignment__task_id", "assignment__unit_id", "month", "progress")
        for task_id, unit_id, month, progress in reports:
            if progress:
                texts.setdefault((task_id, unit_id, month.month), []).append(progress)
        return [
            LedgerRow(a, ["\n".join(texts.get((task_id, unit_id, m), [])) for m in range(1, 13)])
            for (task_id, unit_id), a in pairs.items()
        ]

    def sheet(self, rows: list[LedgerRow], year: int) -> Sheet:
        headers = ["任务编号", "任务内容", "责任单位"] + [f"{m}月" for m in range(1, 13)]
        data = [[r.assignment.task.code, r.assignment.task.text, r.assignment.unit.name, *r.months] for r in rows]
        return Sheet(f"{self.title}{year}", headers, data, [8, 40, 18] + [30] * 12, caption=f"{self.title}（{year}年）")
