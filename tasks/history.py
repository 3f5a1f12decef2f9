"""One timeline of who changed what on a task: the task, its milestones, assignments and targets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from .models import (
    Assignment,
    ExtensionRequest,
    FollowUp,
    Milestone,
    ProgressReport,
    ProgressValue,
    QuantifiedTarget,
    TargetYearValue,
    Task,
)

ACTIONS = {"+": "新建", "~": "修改", "-": "删除"}


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    what: str
    action: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)


def display_value(model, name: str, value) -> str:
    """A stored value as a page shows it: choices by their label, nothing as "（空）"."""
    if value is None or value == "":
        return "（空）"
    try:
        f = model._meta.get_field(name)
    except Exception:
        return str(value)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if timezone.is_aware(value) else f"{value:%Y-%m-%d %H:%M}"
    return str(value)


def changed_fields(model, before, record) -> list[tuple]:
    """(field, old value, new value) for each field of ``model`` (but the id) that differs between two
    history records of one object. The operations log shares this with the timelines here."""
    kept = {f.attname for f in type(record)._meta.concrete_fields}  # a history may leave fields out
    return [
        (f, getattr(before, f.attname), getattr(record, f.attname))
        for f in model._meta.concrete_fields
        if f.name != "id" and f.attname in kept and getattr(before, f.attname) != getattr(record, f.attname)
    ]


def _entries(history_qs, model, label) -> list[HistoryEntry]:
    """Pair each record with the previous one of the same object, in Python (no query per row)."""
    records = list(history_qs.select_related("history_user").order_by("id", "history_date", "history_id"))
    entries, previous = [], {}
    for record in records:
        before = previous.get(record.id)
        changes = []
        if before is not None and record.history_type == "~":
            changes = [
                (str(f.verbose_name), display_value(model, f.name, old), display_value(model, f.name, new))
                for f, old, new in changed_fields(model, before, record)
            ]
            if not changes:
                previous[record.id] = record
                continue
        previous[record.id] = record
        user = record.history_user
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=(user.get_full_name() or user.username) if user else "系统",
                what=label(record),
                action=ACTIONS.get(record.history_type, record.history_type),
                changes=changes,
            )
        )
    return entries


def task_history(task: Task, limit: int = 200) -> list[HistoryEntry]:
    target_ids = list(QuantifiedTarget.history.filter(task_id=task.pk).values_list("id", flat=True).distinct())
    entries = (
        _entries(Task.history.filter(id=task.pk), Task, lambda r: f"任务 {r.code}")
        + _entries(Milestone.history.filter(task_id=task.pk), Milestone, lambda r: f"时间节点 {r.due_date:%Y-%m-%d}")
        + _entries(
            Assignment.history.filter(task_id=task.pk).select_related("unit"),
            Assignment,
            lambda r: f"责任分解 · {r.unit.name if r.unit_id else ''} · {r.due_date:%Y-%m-%d}",
        )
        + _entries(QuantifiedTarget.history.filter(task_id=task.pk), QuantifiedTarget, lambda r: f"量化目标 {r.metric}")
        + _entries(
            TargetYearValue.history.filter(target_id__in=target_ids), TargetYearValue, lambda r: f"{r.year}年目标值"
        )
    )
    entries += _progress_entries(Assignment.history.filter(task_id=task.pk).values_list("id", flat=True).distinct())
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


def _progress_entries(assignment_ids) -> list[HistoryEntry]:
    """Reports, their target values, extensions and follow-ups of the given assignments."""
    assignment_ids = list(assignment_ids)
    report_ids = list(
        ProgressReport.history.filter(assignment_id__in=assignment_ids).values_list("id", flat=True).distinct()
    )
    return (
        _entries(
            ProgressReport.history.filter(assignment_id__in=assignment_ids), ProgressReport,
            lambda r: f"{r.month:%Y年%m月}填报",
        )
        + _entries(
            ProgressValue.history.filter(report_id__in=report_ids).select_related("target"), ProgressValue,
            lambda r: f"目标实际值 · {r.target.metric if r.target_id else ''}",
        )
        + _entries(
            ExtensionRequest.history.filter(assignment_id__in=assignment_ids), ExtensionRequest,
            lambda r: f"延期申请（延至 {r.requested_due:%Y-%m-%d}）",
        )
        + _entries(FollowUp.history.filter(assignment_id__in=assignment_ids), FollowUp, lambda r: "督办")
    )


def assignment_history(assignment: Assignment, limit: int = 200) -> list[HistoryEntry]:
    entries = _entries(
        Assignment.history.filter(id=assignment.pk), Assignment, lambda r: f"责任分解 · {r.due_date:%Y-%m-%d}"
    ) + _progress_entries([assignment.pk])
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]
