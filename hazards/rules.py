"""The counting rules for the register, each in one place and each as of a day (DESIGN §4, §5).

``standing`` gives the hazards as they stood at the end of the day (registered by then and found by then, with
``deadline_then`` their deadline then); the other rules are conditions on that queryset. The register's
statistics, the hazard list's filters and the monthly score all count with these.
"""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from campaign.choices import UnitKind
from core.history import Deadlines, stood_at

from .models import MajorHazard


def standing(hazards: QuerySet[MajorHazard], on: datetime.date) -> QuerySet[MajorHazard]:
    return stood_at(hazards, on, {"deadline_then": "deadline"}).filter(found_on__lte=on)


def campaign_hazards(campaign, on: datetime.date) -> QuerySet[MajorHazard]:
    return standing(MajorHazard.objects.filter(campaign=campaign), on)


DATES = Deadlines(due="deadline_then", done="closed_on")
due_by = DATES.due_by  # 到期: the rectification deadline is on or before the day
closed_on_time = DATES.done_on_time  # 按期销号: due by the day and closed on or before its deadline
closed_by = DATES.done_by  # 已销号 by the day
open_at = DATES.open_at  # 未销号 at the end of the day
overdue = DATES.overdue  # 逾期未销号: past its deadline at the day and not closed by then


def stock(campaign) -> Q:
    """存量: found on or before the campaign's baseline date."""
    return Q(found_on__lte=campaign.baseline_date)


def remit_field(unit_kind: str) -> str:
    """Townships and zones answer for hazards located there; departments for those they supervise."""
    return "supervisor" if unit_kind == UnitKind.DEPARTMENT else "township"


def in_remit(unit) -> Q:
    return Q(**{remit_field(unit.kind): unit})
