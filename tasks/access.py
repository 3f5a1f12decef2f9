"""Which tasks, assignments and reports a user may see (the roles come from campaign/access.py)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from campaign.access import is_liaison, reads_everything, unit_of
from campaign.models import Campaign, Plan

from .models import Assignment, ProgressReport, Task


def tasks_in_plan(user, plan: Plan) -> QuerySet:
    """The tasks of ``plan`` the user may see."""
    tasks = Task.objects.filter(plan=plan)
    if reads_everything(user):
        return tasks
    if is_liaison(user):
        unit = unit_of(user)
        if plan.unit_id == unit.pk:
            return tasks
        own = Assignment.objects.filter(task=OuterRef("pk"), unit=unit)
        return tasks.filter(Exists(own))
    return tasks.none()


def visible_tasks(user, campaign: Campaign) -> QuerySet:
    tasks = Task.objects.filter(plan__campaign=campaign)
    if reads_everything(user):
        return tasks
    if is_liaison(user):
        unit = unit_of(user)
        own = Assignment.objects.filter(task=OuterRef("pk"), unit=unit)
        return tasks.filter(Q(plan__unit=unit) | Exists(own))
    return tasks.none()


def visible_assignments(user, campaign: Campaign, *, withdrawn: bool = False) -> QuerySet:
    """The assignments in force the user may see; ``withdrawn`` adds the withdrawn ones (kept with their records)."""
    manager = Assignment.all_objects if withdrawn else Assignment.objects
    assignments = manager.filter(task__plan__campaign=campaign)
    if reads_everything(user):
        return assignments
    if is_liaison(user):
        return assignments.filter(unit=unit_of(user))
    return assignments.none()


def visible_reports(user, campaign: Campaign) -> QuerySet:
    return ProgressReport.objects.filter(assignment__in=visible_assignments(user, campaign))
