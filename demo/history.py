"""Date the demo's creation records when the things would have been made, not when the loader ran.

Months are counted as they stood at their end, from the history tables (DESIGN §5); a demo whose plan and register
were all "created" on the day it was loaded would have had nothing in any past month. The plan counts as adopted
at the campaign's start and a hazard as registered on the day it was found; changes the loader makes later
(completions, extensions) carry their own dates (demo/progress.py).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from campaign.models import Campaign
from hazards.models import MajorHazard
from tasks.models import Assignment, Milestone, QuantifiedTarget, TargetYearValue, Task

from .rolls import at


def date_creations(campaign: Campaign) -> None:
    adopted = at(campaign.start_date, 9)
    plan_rows = {
        Task: {"plan__campaign": campaign},
        Milestone: {"task__plan__campaign": campaign},
        Assignment: {"task__plan__campaign": campaign},
        QuantifiedTarget: {"task__plan__campaign": campaign},
        TargetYearValue: {"target__task__plan__campaign": campaign},
    }
    for model, lookup in plan_rows.items():
        ids = model._base_manager.filter(**lookup).values("pk")
        model.history.model.objects.filter(id__in=ids, history_type="+", history_date__gt=adopted).update(
            history_date=adopted)
    now = timezone.now()
    History = MajorHazard.history.model
    found = dict(MajorHazard.objects.filter(campaign=campaign).values_list("pk", "found_on"))
    late = History.objects.filter(id__in=list(found), history_type="+").only("history_id", "id", "history_date")
    moved = []
    for row in late:
        day = min(at(found[row.id], 9), now)
        if row.history_date > day:
            row.history_date = day
            moved.append(row)
    History.objects.bulk_update(moved, ["history_date"], batch_size=1000)


def when_done(day: datetime.date) -> datetime.datetime:
    """The moment a change dated ``day`` is recorded: that afternoon, never after now."""
    return min(at(day, 17), timezone.now())
