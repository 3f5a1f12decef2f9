"""Which hazards of the register a user may see (the roles come from campaign/access.py)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from campaign.access import is_liaison, reads_everything, unit_of
from campaign.models import Campaign

from .models import MajorHazard


def visible_hazards(user, campaign: Campaign) -> QuerySet:
    """Office and leaders see the whole register; a township liaison the hazards located in its township,
    a department liaison those it supervises."""
    hazards = MajorHazard.objects.filter(campaign=campaign)
    if reads_everything(user):
        return hazards
    if is_liaison(user):
        unit = unit_of(user)
        return hazards.filter(Q(township=unit) | Q(supervisor=unit))
    return hazards.none()
