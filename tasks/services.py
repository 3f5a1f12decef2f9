"""Writes to tasks: saving a task with its milestones and targets, keeping assignments in step."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from core.attachments import check_attachments
from core.errors import ServiceError

from .choices import AssignmentRole, ExtensionState, Light, ReportedStatus, ReportState
from .models import (
    Assignment,
    Attachment,
    ExtensionRequest,
    FollowUp,
    Milestone,
    ProgressReport,
    ProgressValue,
    Task,
)


def carries_records(assignments) -> dict[int, int]:
    """{assignment id: progress reports it carries} for those of ``assignments`` (ids) that carry any report,
    follow-up or extension request: they may be withdrawn, never deleted."""
    ids = list(assignments)
    counts = dict(ProgressReport.objects.filter(assignment_id__in=ids).values_list("assignment_id").annotate(
        n=Count("pk")).values_list("assignment_id", "n"))
    for model in (FollowUp, ExtensionRequest):
        for assignment_id in model.objects.filter(assignment_id__in=ids).values_list("assignment_id", flat=True):
            counts.setdefault(assignment_id, 0)
    return counts


@transaction.atomic
def task_sync_assignments(*, task: Task, on: datetime.date | None = None) -> tuple[int, int, int, int]:
    """Make the task's assignments match milestones × (lead + cooperating units).

    Existing assignments keep their history; an assignment no longer wanted is deleted if nothing was ever
    recorded on it, else withdrawn (撤销) on ``on`` (default today) with its reports, follow-ups and extension
    requests kept; one wanted again is restored. A moved milestone moves the due date of assignments that still
    carry the milestone's date (not one moved by an approved extension). Returns (created, updated, withdrawn,
    deleted).
    """
    on = on or timezone.localdate()
    roles: dict[int, str] = {u.pk: AssignmentRole.COOPERATE for u in task.cooperating_units.all()}
    roles.update({u.pk: AssignmentRole.LEAD for u in task.lead_units.all()})
    milestones = list(task.milestones.all())
    existing = {(a.milestone_id, a.unit_id): a
                for a in Assignment.all_objects.filter(task=task).select_related("milestone")}
    wanted = {(m.pk, unit_id): (m, role) for m in milestones for unit_id, role in roles.items()}
    # An approved extension moved the due date on purpose; a milestone edit must not undo it.
    extended_ids = set(
        ExtensionRequest.objects.filter(assignment__task=task, state=ExtensionState.APPROVED).values_list(
            "assignment_id", flat=True
        )
    )

    to_create = [
        Assignment(task=task, milestone=m, unit_id=unit_id, role=role, due_date=m.due_date)
        for (m_id, unit_id), (m, role) in wanted.items()
        if (m_id, unit_id) not in existing
    ]
    updated = 0
    for key, assignment in existing.items():
        if key not in wanted:
            continue
        milestone, role = wanted[key]
        changed = False
        if assignment.withdrawn_on is not None:
            assignment.withdrawn_on = None
            changed = True
        if assignment.role != role:
            assignment.role = role
            changed = True
        extended = assignment.pk in extended_ids
        if assignment.due_date != milestone.due_date and assignment.completed_on is None and not extended:
            assignment.due_date = milestone.due_date
            changed = True
        if changed:
            assignment.save()
            updated += 1
    stale = [a for key, a in existing.items() if key not in wanted and a.withdrawn_on is None]
    for assignment in to_create:
        assignment.save()
    kept = carries_records(a.pk for a in stale)
    withdrawn = deleted = 0
    for assignment in stale:
        if assignment.pk in kept:
            assignment.withdrawn_on = on
            assignment.save()
            withdrawn += 1
        else:
            assignment.delete()
            deleted += 1
    return len(to_create), updated, withdrawn, deleted


def milestone_remove(*, milestone: Milestone, on: datetime.date | None = None) -> bool:
    """Take a milestone off its task: deleted if nothing was recorded on its assignments, else withdrawn with
    them (their reports kept). Call ``task_sync_assignments`` afterwards. Returns True if it was withdrawn."""
    assignments = list(Assignment.all_objects.filter(milestone=milestone).values_list("pk", flat=True))
    if not carries_records(assignments):
        milestone.delete()
        return False
    milestone.withdrawn_on = on or timezone.localdate()
    milestone.save()
    return True


def task_delete(*, task: Task) -> None:
    """Delete a task on which nothing was ever recorded; a task with reports, follow-ups or extension requests
    is refused (take its units or milestones off instead: they are withdrawn with their records kept)."""
    kept = carries_records(Assignment.all_objects.filter(task=task).values_list("pk", flat=True))
    if kept:
        raise ServiceError(f"任务 {task.code} 已有 {sum(kept.values())} 份进展填报或督办、延期记录，不能删除。"
                           "如不再需要，请调整其责任单位或时间节点（原有记录将保留并标为已撤销）。")
    task.delete()


# ---- monthly progress ---------------------------------------------------------------------------


@dataclass
class ReportInput:
    """One assignment's row on the monthly entry page."""

    assignment: Assignment
    reported_status: str
    progress: str = ""
    problems: str = ""
    next_steps: str = ""
    values: dict[int, Decimal] = field(default_factory=dict)  # target id → actual value
    files: list = field(default_factory=list)

    def is_blank(self) -> bool:
        return not (self.progress.strip() or self.problems.strip() or self.next_steps.strip() or self.values
                    or self.files or self.reported_status == ReportedStatus.COMPLETED)


EDITABLE_REPORT_STATES = {ReportState.DRAFT, ReportState.RETURNED}


@transaction.atomic
def reports_save(*, month: datetime.date, entries: list[ReportInput], user, submit: bool) -> list[ProgressReport]:
    """Save the month's reports for many assignments at once, as drafts or sent to review.

    Rows left blank are skipped; a report already sent in (待审核 or 已通过) is not changed.
    Saving is all-or-nothing.
    """

    month = month.replace(day=1)
    now = timezone.now()
    entries = [e for e in entries if not e.is_blank()]
    # The assignments' rows are locked first (in one order): a second submission of the same page (a double
    # click, two tabs) waits here and then finds the reports the first one made, instead of inserting them again.
    list(Assignment.objects.select_for_update().filter(pk__in=[e.assignment.pk for e in entries])
         .order_by("pk").values_list("pk", flat=True))
    existing = {
        r.assignment_id: r
        for r in ProgressReport.objects.select_for_update().filter(
            month=month, assignment__in=[e.assignment for e in entries]
        )
    }
    saved: list[ProgressReport] = []
    for entry in entries:
        report = existing.get(entry.assignment.pk) or ProgressReport(assignment=entry.assignment, month=month)
        if report.pk and report.state not in EDITABLE_REPORT_STATES:
            raise ServiceError(
                f"任务 {entry.assignment.task.code}（{entry.assignment.unit.display_name}）{month:%Y年%m月}的填报"
                f"已{report.get_state_display()}，不能再修改。"
            )
        if entry.assignment.completed_on:
            raise ServiceError(f"任务 {entry.assignment.task.code} 已完成，无需再填报。")
        kinds = check_attachments(entry.files, already=report.attachments.count() if report.pk else 0)
        report.reported_status = entry.reported_status
        report.progress, report.problems, report.next_steps = entry.progress, entry.problems, entry.next_steps
        report.submitted_by = user
        if submit:
            if not entry.progress.strip():
                raise ServiceError(f"任务 {entry.assignment.task.code}：提交审核前请填写进展情况。")
            report.state = ReportState.SUBMITTED
            report.submitted_at = now
            report.first_submitted_at = report.first_submitted_at or now
        elif report.state != ReportState.RETURNED:
            report.state = ReportState.DRAFT
        report.save()
        _save_values(report, entry.values)
        for upload, kind in zip(entry.files, kinds, strict=True):
            Attachment.objects.create(
                report=report, file=upload, original_name=upload.name[:255], kind=kind, size=upload.size,
                uploaded_by=user,
            )
        saved.append(report)
    return saved


def _save_values(report: ProgressReport, values: dict[int, Decimal]) -> None:
    current = {v.target_id: v for v in report.values.all()}
    for target_id, value in values.items():
        row = current.pop(target_id, None)
        if row is None:
            ProgressValue.objects.create(report=report, target_id=target_id, value=value)
        elif row.value != value:
            row.value = value
            row.save()
    for leftover in current.values():
        leftover.delete()


def _require_state(report: ProgressReport, state: str, action: str) -> None:
    if report.state != state:
        raise ServiceError(f"该填报当前为“{report.get_state_display()}”，不能{action}。")


@transaction.atomic
def report_accept(*, report: ProgressReport, user) -> ProgressReport:
    """Accept a submitted report; one that says 已完成 completes the assignment on the report's date."""
    report = ProgressReport.objects.select_for_update().select_related("assignment").get(pk=report.pk)
    _require_state(report, ReportState.SUBMITTED, "审核通过")
    report.state = ReportState.ACCEPTED
    report.reviewed_by, report.reviewed_at = user, timezone.now()
    report.return_reason = ""
    report.save()
    assignment = report.assignment
    if report.reported_status == ReportedStatus.COMPLETED and assignment.completed_on is None:
        assignment.completed_on = timezone.localdate(report.submitted_at)
        assignment.save()
    return report


@transaction.atomic
def report_return(*, report: ProgressReport, user, reason: str) -> ProgressReport:
    """Send a report back to the unit with the reviewer's reason; the assignment keeps its state."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("退回时请填写退回原因，便于填报单位修改。")
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    _require_state(report, ReportState.SUBMITTED, "退回")
    report.state = ReportState.RETURNED
    report.reviewed_by, report.reviewed_at = user, timezone.now()
    report.return_reason = reason
    report.save()
    return report


@transaction.atomic
def assignment_close_out(*, assignment: Assignment, user) -> Assignment:
    """销号: the office closes a completed assignment."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.completed_on is None:
        raise ServiceError("该项尚未完成（需先审核通过一份“已完成”的填报），不能销号。")
    if assignment.closed_on is not None:
        raise ServiceError("该项已销号。")
    assignment.closed_on = max(timezone.localdate(), assignment.completed_on)
    assignment.save()
    return assignment


@transaction.atomic
def extension_request(*, assignment: Assignment, requested_due: datetime.date, reason: str, user) -> ExtensionRequest:
    assignment = Assignment.objects.select_for_update().select_related("task__plan__campaign").get(pk=assignment.pk)
    campaign = assignment.task.plan.campaign
    reason = (reason or "").strip()
    if assignment.completed_on:
        raise ServiceError("该项已完成，无需申请延期。")
    if not reason:
        raise ServiceError("请填写延期理由。")
    if requested_due <= assignment.due_date:
        raise ServiceError(f"申请的完成时限须晚于当前时限 {assignment.due_date:%Y-%m-%d}。")
    if requested_due > campaign.end_date:
        raise ServiceError(f"申请的完成时限不能晚于三年行动结束日 {campaign.end_date:%Y-%m-%d}。")
    if assignment.extensions.filter(state=ExtensionState.PENDING).exists():
        raise ServiceError("该项已有一份待审批的延期申请，请等待安办审批。")
    return ExtensionRequest.objects.create(
        assignment=assignment, previous_due=assignment.due_date, requested_due=requested_due, reason=reason,
        requested_by=user,
    )


@transaction.atomic
def extension_decide(*, extension: ExtensionRequest, approve: bool, note: str, user) -> ExtensionRequest:
    """Approve (the due date moves; the original stays on the request) or reject a pending request."""
    extension = ExtensionRequest.objects.select_for_update().select_related("assignment").get(pk=extension.pk)
    if extension.state != ExtensionState.PENDING:
        raise ServiceError(f"该申请已{extension.get_state_display()}，不能重复审批。")
    if not approve and not (note or "").strip():
        raise ServiceError("不批准时请填写审批意见。")
    extension.state = ExtensionState.APPROVED if approve else ExtensionState.REJECTED
    extension.decided_by, extension.decided_at, extension.decision_note = user, timezone.now(), (note or "").strip()
    extension.save()
    if approve:
        assignment = extension.assignment
        assignment.due_date = extension.requested_due
        assignment.save()
    return extension


@transaction.atomic
def follow_up_issue(
    *, assignment: Assignment, kind: str, content: str, user, number: str = "", respond_by=None
) -> FollowUp:
    """A reminder, supervision notice or interview on a yellow or red item."""
    from .selectors import with_status

    light = with_status(Assignment.objects.filter(pk=assignment.pk)).values_list("light", flat=True).get()
    if light not in (Light.YELLOW, Light.RED):
        raise ServiceError("只能对黄灯或红灯事项发出督办。")
    if not (content or "").strip():
        raise ServiceError("请填写督办内容。")
    return FollowUp.objects.create(
        assignment=assignment, kind=kind, content=content.strip(), number=(number or "").strip(),
        respond_by=respond_by, issued_by=user,
    )
