from django.core.management.base import CommandError
from django.db.models import Q

from campaign.choices import PlanKind
from campaign.models import Campaign, Plan


def resolve_plan(slug: str, unit: str | None) -> Plan:
    """The master plan of the campaign, or the plan of the unit named by code, full name or short name."""
    campaign = Campaign.objects.filter(slug=slug).first()
    if campaign is None:
        raise CommandError(f"找不到三年行动“{slug}”。")
    plans = Plan.objects.filter(campaign=campaign).select_related("unit", "campaign")
    if not unit:
        plan = plans.filter(kind=PlanKind.MASTER).first()
        if plan is None:
            raise CommandError(f"三年行动“{slug}”还没有总方案。")
        return plan
    plan = plans.filter(Q(unit__code=unit) | Q(unit__name=unit) | Q(unit__short_name=unit)).first()
    if plan is None:
        raise CommandError(f"单位“{unit}”在三年行动“{slug}”中没有方案，请先在系统中为其新增子方案。")
    return plan
