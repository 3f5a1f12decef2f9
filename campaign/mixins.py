"""View mixins that put the access policy in front of every page."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
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

from . import access
from .models import Campaign, Unit


class MemberRequiredMixin(LoginRequiredMixin):
    """Logged in, and holding a role in the product (office, leader or liaison)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not access.has_access(request.user):
            raise PermissionDenied("您的账号尚未分配角色，请联系管理员。")
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
        # Every member may see every campaign (access.visible_campaigns): what is kept is the same for all.
        if not access.has_access(user):
            raise Http404("没有找到该三年行动。")
        models, own = self.depends_on(), mark_count(self.CAMPAIGN_MARKS)
        key = cache_key("campaign", slug)
        cached = cache.get(key)
        if cached is not None:
            campaign, campaign_marks = cached
            marks = table_marks(*models)
            if marks[:own] == campaign_marks:
                return campaign, marks
        campaign = get_object_or_404(access.visible_campaigns(user).annotate(**mark_annotations(models)), slug=slug)
        marks = marks_of(campaign, models)
        cache.set(key, (campaign, marks[:own]), TIMEOUT)
        return campaign, marks

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


class OfficeRequiredMixin(MemberRequiredMixin):
    """Only office staff (and administrators) maintain units, campaigns and plans."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and access.has_access(request.user) and not access.is_office(request.user):
            raise PermissionDenied("只有安办工作人员可以进行此操作。")
        return super().dispatch(request, *args, **kwargs)
