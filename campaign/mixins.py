"""View mixins that put the access policy in front of every page."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property

from core.pagecache import (
    TIMEOUT,
    CachedContentMixin,
    DeclaredCacheMixin,
    cache_key,
    mark_annotations,
    mark_count,
    marks_of,
    table_marks,
)

from . import access, policy
from .models import Campaign, Unit


class MemberRequiredMixin(LoginRequiredMixin):
    """Logged in, and holding a role in the product (office, leader or liaison)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            policy.require(request.user, "member")
        return super().dispatch(request, *args, **kwargs)


class ActionRequiredMixin(MemberRequiredMixin):
    """The page's ``action`` (campaign/policy.py) is checked before anything is looked up or done: a member whose
    role does not allow it gets 403 with the action's message. Inside a campaign the role is the one it has there
    (CampaignMixin resolves the campaign first)."""

    action: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if self.action and request.user.is_authenticated and policy.allows(request.user, "member"):
            policy.require(request.user, self.action)
        return super().dispatch(request, *args, **kwargs)


class CampaignMixin(DeclaredCacheMixin, MemberRequiredMixin):
    """Resolves ``slug`` to a campaign the user may see.

    The campaign (with its office) is kept while the campaigns' and units' tables are unchanged: their marks
    are read in the same statement as those of what the page ``shows`` (core/pagecache.py), and compiling an
    ORM query costs more than running one like that.
    """

    CAMPAIGN_MARKS = (Campaign, Unit)

    def depends_on(self) -> tuple:
        return (*self.CAMPAIGN_MARKS, *super().depends_on())

    def viewer_scope(self) -> tuple:
        """Pages of a campaign show the same to every user of one role and unit."""
        user = self.request.user
        unit = "all" if access.reads_everything(user) else getattr(access.unit_of(user), "pk", None)
        return (access.role_of(user), unit, access.is_office(user), user.is_staff)

    @cached_property
    def _resolved(self) -> tuple[Campaign, tuple]:
        """The campaign and the marks of everything the page depends on, in one query either way: the marks alone
        when the kept campaign is still current, else the campaign with the marks as annotations."""
        user, slug = self.request.user, self.kwargs["slug"]
        if not access.has_access(user):
            raise Http404("没有找到该三年行动。")
        # The campaign is kept for everyone (with what the jurisdiction check needs of it); whether this user may
        # open it, and in which role, is decided on every request (access.enter_campaign: 404 outside).
        models, own = self.depends_on(), mark_count(self.CAMPAIGN_MARKS)
        key = cache_key("campaign", slug)
        cached = cache.get(key)
        if cached is not None:
            campaign, campaign_marks = cached
            marks = table_marks(*models)
            if marks[:own] == campaign_marks:
                if access.enter_campaign(user, campaign):  # it worked out something new about the campaign: keep it
                    cache.set(key, (campaign, campaign_marks), TIMEOUT)
                return campaign, marks
        campaign = get_object_or_404(Campaign.objects.select_related("office").annotate(**mark_annotations(models)),
                                     slug=slug)
        access.enter_campaign(user, campaign)
        marks = marks_of(campaign, models)
        cache.set(key, (campaign, marks[:own]), TIMEOUT)
        return campaign, marks

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        # The campaign and the user's role in it come first, before any page's own checks: an office looking at a
        # campaign below its own is a reader there (role_of answers LEADER), and one outside its jurisdiction gets
        # 404 whatever it asks for. Anonymous and role-less users are turned away by dispatch as before.
        if "slug" in kwargs and request.user.is_authenticated and access.account_role(request.user) is not None:
            _ = self._resolved

    @property
    def campaign(self) -> Campaign:
        return self._resolved[0]

    @property
    def marks(self) -> tuple:
        return self._resolved[1]

    def get_context_data(self, **kwargs):
        kwargs.setdefault("campaign", self.campaign)
        return super().get_context_data(**kwargs)


class CampaignContentMixin(CachedContentMixin, CampaignMixin):
    """A campaign page whose content is kept until what it ``shows`` changes (core/pagecache.py)."""


class OfficeRequiredMixin(ActionRequiredMixin):
    """Only office staff (and administrators) maintain units, campaigns and plans."""

    action = "office.work"
