"""The campaign's units: every active unit in the tree under its office, whatever the depth (a township's zone, a
department's sub-office), in one place for every form and filter that offers units."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Campaign, Unit, unit_tree


def campaign_units(campaign: Campaign, kinds=None) -> QuerySet[Unit]:
    """The units under the campaign's office (the whole tree, one recursive query), optionally of some kinds."""
    units = unit_tree(campaign.office, own=True).exclude(pk=campaign.office_id)
    if kinds is not None:
        units = units.filter(kind__in=list(kinds))
    return units.order_by("sort_order", "code")
