"""Writes to tasks: saving a task with its milestones and targets, keeping assignments in step."""

from __future__ import annotations

from django.db import transaction

from .choices import AssignmentRole
from .models import Assignment, Task


@transaction.atomic
def task_sync_assignments(*, task: Task) -> tuple[int, int, int]:
    """Make the task's assignments match milestones × (lead + cooperating units).

    Existing assignments keep their history; a unit taken off the task loses its
    assignments; a moved milestone moves the due date of assignments that still
    carry the milestone's date. Returns (created, updated, deleted).
    """
    roles: dict[int, str] = {u.pk: AssignmentRole.COOPERATE for u in task.cooperating_units.all()}
    roles.update({u.pk: AssignmentRole.LEAD for u in task.lead_units.all()})
    milestones = list(task.milestones.all())
    existing = {(a.milestone_id, a.unit_id): a for a in task.assignments.select_related("milestone")}
    wanted = {(m.pk, unit_id): (m, role) for m in milestones for unit_id, role in roles.items()}

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
        if assignment.role != role:
            assignment.role = role
            changed = True
        if assignment.due_date != milestone.due_date and assignment.completed_on is None:
            assignment.due_date = milestone.due_date
            changed = True
        if changed:
            assignment.save()
            updated += 1
    stale = [a.pk for key, a in existing.items() if key not in wanted]
    for assignment in to_create:
        assignment.save()
    if stale:
        for assignment in Assignment.objects.filter(pk__in=stale):
            assignment.delete()
    return len(to_create), updated, len(stale)
