"""The counting rules for assignments, each in one place and each as of a day (DESIGN §3, §5).

Every page, list filter, score, summary, export and command counts with these, so a number and the list behind
it cannot disagree. ``standing`` gives the assignments as they stood at the end of the day (created by then, not
yet withdrawn, with ``due_then`` their due date then); the other rules are conditions on that queryset.
"""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from campaign.models import Campaign
from core.history import Deadlines, stood_at

from .models import Assignment


def standing(assignments: QuerySet[Assignment], on: datetime.date) -> QuerySet[Assignment]:
    """``assignments`` (from ``Assignment.all_objects``, so those withdrawn since still count) as they stood at the
    end of ``on``, annotated with ``due_then``."""
    in_force = Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on)
    return stood_at(assignments, on, {"due_then": "due_date"}).filter(in_force)


def campaign_assignments(campaign: Campaign, on: datetime.date) -> QuerySet[Assignment]:
    """The campaign's assignments in force at the end of ``on``."""
    return standing(Assignment.all_objects.filter(task__plan__campaign=campaign), on)


DATES = Deadlines(due="due_then", done="completed_on")
due_by = DATES.due_by  # 到期: due on or before the day
completed_on_time = DATES.done_on_time  # 按期完成: due by the day and completed on or before its due date
completed_by = DATES.done_by  # 已完成 (销号 included) by the day
open_at = DATES.open_at  # 未完成 at the end of the day
overdue = DATES.overdue  # 逾期未完成: past its due date at the day and not completed by then


def closed_out(on: datetime.date) -> Q:
    """已销号: closed out on or before ``on``."""
    return Q(closed_on__lte=on)


def open_during(month: datetime.date) -> Q:
    """Open on at least one day of the month beginning ``month`` (not completed before it began): a progress
    report is due for it."""
    return Q(completed_on__isnull=True) | Q(completed_on__gte=month)


# The rules a task list can be filtered by (``?rule=…&as_of=…``), each with the label the list shows.
RULES = {
    "due": ("到期", due_by),
    "on_time": ("按期完成", completed_on_time),
    "overdue": ("逾期未完成", overdue),
    "completed": ("已完成（含已销号）", completed_by),
    "open": ("未完成", open_at),
    "closed": ("已销号", closed_out),
}
