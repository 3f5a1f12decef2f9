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
from .models import Campaign, Plan, Unit, unit_chain_ids, unit_tree


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


def account_role(user) -> str | None:
    """The role the account holds, whatever campaign it is looking at."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.OFFICE
    profile = _profile(user)
    return profile.role if profile else None


def role_of(user) -> str | None:
    """The user's role where it is acting: inside a campaign (``enter_campaign``) the role it has in that campaign
    (an office above the campaign's reads it as a leader), else the account's role."""
    try:
        return user._campaign_role
    except AttributeError:
        return account_role(user)


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


# ---- jurisdiction --------------------------------------------------------------------------------------------
#
# Every office, leader and liaison account belongs to a unit. An office changes only the campaigns run by its own
# unit; it and its leaders read those of the units below (a city's office and leaders read its counties'); a
# liaison works in the campaigns of the offices above its unit. Anything else answers 404. A superuser without a
# unit is an administrator of every campaign.


def _administrator(user) -> bool:
    return user.is_superuser and unit_of(user) is None


def jurisdiction_ids(user) -> list[int]:
    """The user's unit and every active unit below it (one recursive query, once per request)."""
    try:
        return user._jurisdiction_ids
    except AttributeError:
        pass
    unit = unit_of(user)
    ids = list(unit_tree(unit).values_list("pk", flat=True)) if unit is not None else []
    user._jurisdiction_ids = ids
    return ids


def visible_campaigns(user) -> QuerySet[Campaign]:
    """The campaigns the user may open at all."""
    role = account_role(user)
    campaigns = Campaign.objects.select_related("office")
    if role is None:
        return campaigns.none()
    if _administrator(user):
        return campaigns
    unit = unit_of(user)
    if unit is None:
        return campaigns.none()
    if role == Role.LIAISON:
        return campaigns.filter(office_id__in=unit_chain_ids(unit.pk))
    return campaigns.filter(office_id__in=jurisdiction_ids(user))


def role_in(user, campaign: Campaign) -> str | None:
    """The user's role in ``campaign``: the office of the unit running it is its office; an office above reads it
    like a leader (never changes it); leaders and liaisons keep their role. None when it is outside the user's
    jurisdiction (``visible_campaigns`` answers the same)."""
    role = account_role(user)
    if role is None:
        return None
    if _administrator(user):
        return Role.OFFICE
    unit = unit_of(user)
    if unit is None:
        return None
    if role == Role.LIAISON:
        # Most liaisons' units hang right under the office (no query); a deeper one is looked up in the tree.
        if unit.parent_id == campaign.office_id or unit.pk in campaign_members(campaign):
            return role
        return None
    if campaign.office_id == unit.pk:
        return role
    if unit.pk in campaign_office_chain(campaign):
        return Role.LEADER
    return None


def campaign_office_chain(campaign: Campaign) -> list[int]:
    """The campaign's office and the units above it (kept on the campaign object, which the page cache keeps)."""
    chain = getattr(campaign, "_office_chain", None)
    if chain is None:
        chain = campaign._office_chain = unit_chain_ids(campaign.office_id)
    return chain


def campaign_members(campaign: Campaign) -> frozenset[int]:
    """The units in the campaign's tree: its office and every active unit below (kept on the campaign object)."""
    members = getattr(campaign, "_members", None)
    if members is None:
        members = campaign._members = frozenset(unit_tree(campaign.office, own=True).values_list("pk", flat=True))
    return members


def enter_campaign(user, campaign: Campaign) -> bool:
    """From now on in this request ``user`` acts in ``campaign``: every role check (``is_office``, ``reads_everything``
    …) answers with its role there. Raises Http404 outside the user's jurisdiction. True when the check worked out
    something about the campaign that was not known yet (its office's chain, its units), worth keeping with it."""
    known = (getattr(campaign, "_office_chain", None), getattr(campaign, "_members", None))
    role = role_in(user, campaign)
    if role is None:
        raise Http404("没有找到该三年行动。")
    user._campaign_role = role
    return known != (getattr(campaign, "_office_chain", None), getattr(campaign, "_members", None))


def in_jurisdiction(user, unit: Unit) -> bool:
    """Units an office maintains: its own and those below it (an administrator: all)."""
    return _administrator(user) or unit.pk in jurisdiction_ids(user)


def log_jurisdiction(user) -> tuple[int, ...] | None:
    """The units whose records the user's 操作日志 holds: its jurisdiction; None for an administrator (all)."""
    return None if _administrator(user) else tuple(jurisdiction_ids(user))


def units_in_jurisdiction(user) -> QuerySet[Unit]:
    if _administrator(user):
        return Unit.objects.all()
    return Unit.objects.filter(pk__in=jurisdiction_ids(user))


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
