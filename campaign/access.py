"""Who may see and change what. Every view, list, export and job asks this module.

Roles (DESIGN §1):
- office staff and administrators: read and change everything;
- leaders: read everything, change nothing;
- unit liaisons: their own unit's sub-plan, and in other plans only the tasks and
  assignments given to their unit. Anything else answers 404, so a liaison cannot
  even learn that another unit's object exists.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from .choices import PlanKind, Role
from .models import Campaign, Plan, Unit


def _profile(user):
    """The user's role and unit, read once per user object (that is, once per request) with the unit: every page
    asks for both (the navigation shows the unit)."""
    try:
        return user._access_profile
    except AttributeError:
        pass
    profile = None
    if user.is_authenticated:
        from django.contrib.auth import get_user_model

        from .models import Profile

        if get_user_model().profile.is_cached(user):  # loaded with the user (select_related("profile__unit"))
            profile = getattr(user, "profile", None)
        else:
            profile = Profile.objects.select_related("unit").filter(user_id=user.pk).first()
    user._access_profile = profile
    return profile


def role_of(user) -> str | None:
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.OFFICE
    profile = _profile(user)
    return profile.role if profile else None


def unit_of(user) -> Unit | None:
    profile = _profile(user) if user.is_authenticated else None
    return profile.unit if profile else None


def is_office(user) -> bool:
    return role_of(user) == Role.OFFICE


def reads_everything(user) -> bool:
    return role_of(user) in (Role.OFFICE, Role.LEADER)


def is_liaison(user) -> bool:
    return role_of(user) == Role.LIAISON and unit_of(user) is not None


def has_access(user) -> bool:
    return reads_everything(user) or is_liaison(user)


def visible_campaigns(user) -> QuerySet[Campaign]:
    if not has_access(user):
        return Campaign.objects.none()
    return Campaign.objects.select_related("office")


def visible_plans(user, campaign: Campaign) -> QuerySet[Plan]:
    """Master plan and every sub-plan for readers-of-all; a liaison sees the master plan
    (filtered to its own tasks) and its own unit's sub-plan."""
    plans = Plan.objects.filter(campaign=campaign).select_related("unit", "campaign")
    if reads_everything(user):
        return plans
    if is_liaison(user):
        return plans.filter(Q(unit=unit_of(user)) | Q(kind=PlanKind.MASTER))
    return plans.none()


def get_plan_or_404(user, campaign: Campaign, unit_code: str) -> Plan:
    plan = visible_plans(user, campaign).filter(unit__code=unit_code).first()
    if plan is None:
        raise Http404("没有找到该方案，或您无权查看。")
    return plan


def can_edit_plan(user, plan: Plan) -> bool:
    """The office edits every plan; a liaison edits only its own unit's sub-plan."""
    if is_office(user):
        return True
    return is_liaison(user) and plan.kind == PlanKind.SUB and plan.unit_id == unit_of(user).pk


def can_manage_campaign(user) -> bool:
    """Units, campaigns, plans and action lines are the office's to maintain."""
    return is_office(user)


def can_report_for(user, unit: Unit) -> bool:
    """A liaison reports for its own unit; the office may fill in for any unit."""
    if is_office(user):
        return True
    return is_liaison(user) and unit_of(user).pk == unit.pk


def can_review(user) -> bool:
    """Accepting and returning reports, closing out, deciding extensions and issuing follow-ups."""
    return is_office(user)
