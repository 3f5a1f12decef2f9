"""Deterministic monthly history for the demo campaign, up to the current month.

Most units report on time and finish on time; some report late, a few reports are
returned and resubmitted, some items run overdue and draw follow-ups, some get
extensions. Reports carry the actual values of their task's quantified targets
(``targets.Actuals``). Extensions and follow-ups are dated when they would have
happened, not when the loader ran. The same date gives the same history; running
again only adds what is missing (for example the months that have passed since the last run).
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from campaign.choices import Role
from campaign.models import Campaign, Profile
from tasks.choices import ExtensionState, FollowUpKind, ReportedStatus, ReportState
from tasks.models import (
    Assignment,
    ExtensionRequest,
    FollowUp,
    ProgressReport,
    ProgressValue,
    QuantifiedTarget,
)
from tasks.selectors import month_start

from .history import when_done
from .rolls import at as _at
from .rolls import fraction
from .targets import Actuals

PROGRESS_TEXTS = [
    "已召开专题部署会，制定工作方案，明确责任科室和时间节点。",
    "组织开展专项检查，覆盖重点企业{n}家，督促整改问题隐患{m}项。",
    "开展集中培训{n}场次，参训人员{m}人次，考核合格率持续提升。",
    "按月调度推进，已完成阶段性任务，相关台账资料已归档。",
    "会同相关部门联合督导，对发现的问题逐项建立清单、跟踪销号。",
]
PROBLEM_TEXTS = ["", "", "部分企业主体责任落实不到位，整改进度偏慢。", "专业技术力量不足，需借助第三方服务机构。"]
NEXT_TEXTS = ["继续按计划推进，加强督导检查。", "下月开展“回头看”，巩固整改成效。", "完善长效机制，做好总结提升。"]
RETURN_REASONS = ["进展情况过于笼统，请补充具体数据和佐证材料。", "未说明存在问题和下步计划，请补充完善。"]


def _months(first: datetime.date, last: datetime.date):
    month = month_start(first)
    while month <= last:
        yield month
        month = (month + datetime.timedelta(days=32)).replace(day=1)


def _completion(a: Assignment, today: datetime.date, roll: float) -> datetime.date | None:
    """When the demo says ``a`` was finished; from the milestone's date, which extensions do not move."""
    due = a.milestone.due_date
    if due >= today:
        # A few finish early when the deadline is close.
        if roll > 0.85 and (due - today).days < 45:
            return today - datetime.timedelta(days=1 + int(roll * 10))
        return None
    if roll < 0.12:
        return None  # still open: overdue
    if roll < 0.25:
        return min(due + datetime.timedelta(days=5 + int(roll * 200)), today - datetime.timedelta(days=1))
    return due - datetime.timedelta(days=int(roll * 40))


def simulate_progress(campaign: Campaign, today: datetime.date, office_user) -> None:
    """Reports, target actuals, completions, extensions and follow-ups up to ``today``; adds only what is missing.

    Target actuals come from ``Actuals`` (the rectification rate from the hazard register, so the
    register must be loaded first). An accepted report of a past month that lacks a value for one of
    its task's targets (made before the target existed) gets the value it would have had.
    """
    assignments = list(
        Assignment.objects.filter(task__plan__campaign=campaign)
        .select_related("task", "unit", "milestone")
        .prefetch_related(Prefetch("task__targets", queryset=QuantifiedTarget.objects.prefetch_related("year_values")))
    )
    existing = set(
        ProgressReport.objects.filter(assignment__task__plan__campaign=campaign).values_list("assignment_id", "month")
    )
    liaisons = dict(Profile.objects.filter(role=Role.LIAISON).values_list("unit_id", "user"))
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=liaisons.values())}
    liaisons = {unit_id: users[user_id] for unit_id, user_id in liaisons.items()}
    current = month_start(today)
    reports: list[ProgressReport] = []
    valued: list[tuple[Assignment, datetime.date]] = []  # reports that carry the task's target values
    for a in assignments:
        key = (a.task.code, a.unit.code, str(a.milestone.seq))
        roll = fraction(*key)
        completed = _completion(a, today, roll)
        closed = completed + datetime.timedelta(days=15) if completed and roll > 0.6 else None
        if closed and closed >= today:
            closed = None
        if (a.completed_on, a.closed_on) != (completed, closed) and a.completed_on is None:
            a.completed_on, a.closed_on = completed, closed
            a._history_date = when_done(closed or completed)  # recorded when it happened (demo/history.py)
            a.save()
        last = month_start(completed) if completed else current
        for month in _months(campaign.start_date, last):
            if (a.pk, month) in existing:
                continue
            r = fraction(*key, month.isoformat())
            report = _report(a, month, r, completed, current, today)
            if report is None:
                continue
            report.submitted_by = liaisons.get(a.unit_id)
            report.reviewed_by = office_user if report.reviewed_at else None
            reports.append(report)
            valued.append((a, month))
    by_pk = {a.pk: a for a in assignments if a.task.targets.all()}
    past = ProgressReport.objects.filter(assignment_id__in=list(by_pk), state=ReportState.ACCEPTED, month__lt=current)
    valued += [(by_pk[pk], month) for pk, month in past.values_list("assignment_id", "month")]
    bulk_create_with_history(reports, ProgressReport, batch_size=500, default_user=office_user)
    saved = {(rep.assignment_id, rep.month): rep.pk for rep in ProgressReport.objects.filter(
        assignment__task__plan__campaign=campaign).only("assignment_id", "month")}
    have = set(ProgressValue.objects.filter(report__assignment_id__in=list(by_pk)).values_list(
        "report_id", "target_id"))
    actuals = Actuals(campaign)
    values = []
    for a, month in valued:
        report_id = saved[(a.pk, month)]
        for target in a.task.targets.all():
            if (report_id, target.pk) in have:
                continue
            value = actuals.value(target, {v.year: v.value for v in target.year_values.all()}, a.unit, month)
            if value is not None:
                values.append(ProgressValue(report_id=report_id, target=target, value=value))
    bulk_create_with_history(values, ProgressValue, batch_size=500, default_user=office_user)
    _extensions_and_follow_ups(campaign, assignments, today, office_user, liaisons)


def _report(a, month, r, completed, current, today) -> ProgressReport | None:
    """The report of assignment ``a`` for ``month``, or None when the unit did not report that month."""
    finishing = completed is not None and month == month_start(completed)
    text = PROGRESS_TEXTS[int(r * len(PROGRESS_TEXTS))].format(n=3 + int(r * 20), m=5 + int(r * 60))
    report = ProgressReport(
        assignment=a, month=month, progress=("已按要求全面完成。" if finishing else text),
        problems=PROBLEM_TEXTS[int(r * 7) % len(PROBLEM_TEXTS)], next_steps=NEXT_TEXTS[int(r * 11) % len(NEXT_TEXTS)],
        reported_status=ReportedStatus.COMPLETED if finishing else ReportedStatus.IN_PROGRESS,
    )
    if finishing:
        report.first_submitted_at = report.submitted_at = _at(completed)
        report.state, report.reviewed_at = ReportState.ACCEPTED, _at(completed, 16)
        if completed >= today:
            report.state, report.reviewed_at = ReportState.SUBMITTED, None
        return report
    if month == current:
        # This month: about half are in and waiting for review, a few drafts, the rest still to come.
        if today.day < 5 or r < 0.35:
            return None
        if r < 0.45:
            report.state = ReportState.DRAFT
            return report
        day = min(today.day, 5 + int(r * 15))
        report.first_submitted_at = report.submitted_at = _at(month.replace(day=day))
        report.state = ReportState.SUBMITTED
        return report
    if r < 0.03:
        return None  # a month the unit forgot
    day = 27 if r > 0.93 else 10 + int(r * 14)  # about one in fifteen comes in after the 25th
    first = _at(month.replace(day=day))
    report.first_submitted_at = report.submitted_at = first
    if 0.5 < r < 0.56:
        # Returned once for more detail, then resubmitted and accepted.
        report.submitted_at = first + datetime.timedelta(days=2)
        report.progress += "（已补充具体数据，佐证材料见附件。）"
    report.state, report.reviewed_at = ReportState.ACCEPTED, report.submitted_at + datetime.timedelta(days=1)
    if month == (current - datetime.timedelta(days=1)).replace(day=1) and r > 0.9:
        report.state, report.reviewed_at = ReportState.RETURNED, report.submitted_at + datetime.timedelta(days=1)
        report.return_reason = RETURN_REASONS[int(r * 100) % len(RETURN_REASONS)]
    return report


def _extensions_and_follow_ups(campaign, assignments, today, office_user, liaisons) -> None:
    """Extension requests and follow-ups on late items, dated when they would have happened.

    A request comes in a few weeks before the original deadline and is decided a few days later;
    an item that ran late draws a reminder a few days after its deadline, and one still open a
    supervision notice (督办单) some weeks later and, for a few, an interview. Nothing is dated
    after ``today``.
    """
    have_ext = set(ExtensionRequest.objects.filter(assignment__in=assignments).values_list("assignment_id", flat=True))
    have_fu = set(FollowUp.objects.filter(assignment__in=assignments).values_list("assignment_id", flat=True))
    now = timezone.now()

    def when(day: datetime.date, hour: int) -> datetime.datetime:
        return min(_at(min(day, today), hour), now)

    extensions, asked_at, follow_ups, issued_at = [], [], [], []
    for a in assignments:
        key = (a.task.code, a.unit.code, str(a.milestone.seq), "x")
        r = fraction(*key)
        lag = fraction(*key, "days")
        if a.pk not in have_ext and a.completed_on is None and r < 0.2:
            requested = min(a.due_date + datetime.timedelta(days=90), campaign.end_date)
            if requested > a.due_date:
                state = ExtensionState.APPROVED if r < 0.1 else (
                    ExtensionState.PENDING if r < 0.15 else ExtensionState.REJECTED)
                asked = min(a.due_date - datetime.timedelta(days=5 + int(lag * 25)), today - datetime.timedelta(days=4))
                decided = min(asked + datetime.timedelta(days=2 + int(lag * 4)), today - datetime.timedelta(days=1))
                extensions.append(ExtensionRequest(
                    assignment=a, previous_due=a.due_date, requested_due=requested, state=state,
                    reason="涉及多部门协调，配套资金尚未到位，申请延期完成。", requested_by=liaisons.get(a.unit_id),
                    decided_by=None if state == ExtensionState.PENDING else office_user,
                    decided_at=None if state == ExtensionState.PENDING else when(decided, 15),
                    decision_note="" if state != ExtensionState.REJECTED else "理由不充分，请按原时限完成。",
                ))
                asked_at.append(when(asked, 9))
                if state == ExtensionState.APPROVED:
                    a.due_date = requested
                    a._history_date = when(decided, 15)
                    a.save()
        overdue = a.completed_on is None and a.due_date < today
        late = a.completed_on is not None and (a.completed_on - a.due_date).days > 10
        if a.pk in have_fu or not (overdue or late):
            continue
        follow_ups.append(FollowUp(assignment=a, kind=FollowUpKind.REMINDER, issued_by=office_user,
                                   content="该项工作已超过完成时限，请抓紧推进并及时报送进展。"))
        issued_at.append(when(a.due_date + datetime.timedelta(days=3 + int(lag * 7)), 10))
        notice_day = a.due_date + datetime.timedelta(days=20 + int(lag * 20))
        if overdue and r > 0.5 and notice_day < today:
            follow_ups.append(FollowUp(
                assignment=a, kind=FollowUpKind.NOTICE, issued_by=office_user,
                respond_by=notice_day + datetime.timedelta(days=10),
                content="经调度，你单位该项任务进展滞后，现予督办，请制定整改措施，限期完成。",
            ))
            issued_at.append(when(notice_day, 11))
        interview_day = a.due_date + datetime.timedelta(days=50 + int(lag * 20))
        if overdue and r > 0.9 and interview_day < today:
            follow_ups.append(FollowUp(assignment=a, kind=FollowUpKind.INTERVIEW, issued_by=office_user,
                                       content="约谈单位主要负责同志，听取情况说明，提出整改要求。"))
            issued_at.append(when(interview_day, 15))
    _number_notices(campaign, follow_ups, issued_at)
    _create_dated(extensions, ExtensionRequest, "requested_at", asked_at, office_user)
    _create_dated(follow_ups, FollowUp, "issued_at", issued_at, office_user)


def _number_notices(campaign, follow_ups, issued_at) -> None:
    """Supervision notices are numbered in date order within each year, after those already on file."""
    numbered = Counter(timezone.localtime(day).year for day in FollowUp.objects.filter(
        assignment__task__plan__campaign=campaign, kind=FollowUpKind.NOTICE).values_list("issued_at", flat=True))
    notices = sorted((day, n) for n, (f, day) in enumerate(zip(follow_ups, issued_at, strict=True))
                     if f.kind == FollowUpKind.NOTICE)
    for day, n in notices:
        year = timezone.localtime(day).year
        numbered[year] += 1
        follow_ups[n].number = f"微安办督〔{year}〕{numbered[year]}号"


def _create_dated(objs, model, field: str, dates, user) -> None:
    """Create ``objs`` with their history, then move the auto-filled ``field`` (and the history's date) to ``dates``."""
    if not objs:
        return
    created = model.objects.bulk_create(objs)
    for obj, day in zip(created, dates, strict=True):
        setattr(obj, field, day)
        obj._history_date = day
    model.objects.bulk_update(created, [field])
    model.history.bulk_history_create(created, default_user=user)
