"""The campaign's units: every unit in the tree under its office, whatever the depth (a township's zone, a
department's sub-office), in one place for every form and filter that offers units."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Campaign, Unit

MAX_DEPTH = 8  # province → city → county → township → … ; a cycle cannot make the walk run away


def unit_ids_under(unit: Unit) -> list[int]:
    """Ids of every unit below ``unit``, one query per level of the tree."""
    found: list[int] = []
    level = [unit.pk]
    for _ in range(MAX_DEPTH):
        level = list(Unit.objects.filter(parent_id__in=level).exclude(pk__in=found).values_list("pk", flat=True))
        if not level:
            break
        found += level
    return found


def campaign_units(campaign: Campaign, kinds=None) -> QuerySet[Unit]:
    """The units under the campaign's office (the whole tree), optionally of some kinds, in the tree's order."""
    units = Unit.objects.filter(pk__in=unit_ids_under(campaign.office))
    if kinds is not None:
        units = units.filter(kind__in=list(kinds))
    return units.order_by("sort_order", "code")
