"""View mixins that put the access policy in front of every page."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property

from . import access
from .models import Campaign
from .pagecache import mark_annotations, marks_of


class MemberRequiredMixin(LoginRequiredMixin):
    """Logged in, and holding a role in the product (office, leader or liaison)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not access.has_access(request.user):
            raise PermissionDenied("您的账号尚未分配角色，请联系管理员。")
        return super().dispatch(request, *args, **kwargs)


class CampaignMixin(MemberRequiredMixin):
    """Resolves ``slug`` to a campaign the user may see.

    ``marks_models``: the tables whose marks a page's cache keys need (campaign/pagecache.py), read in the same
    query as the campaign; ``self.marks`` gives them.
    """

    marks_models: tuple = ()

    @cached_property
    def campaign(self) -> Campaign:
        campaigns = access.visible_campaigns(self.request.user)
        if self.marks_models:
            campaigns = campaigns.annotate(**mark_annotations(self.marks_models))
        return get_object_or_404(campaigns, slug=self.kwargs["slug"])

    @property
    def marks(self) -> tuple:
        return marks_of(self.campaign, self.marks_models)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("campaign", self.campaign)
        return super().get_context_data(**kwargs)


class OfficeRequiredMixin(MemberRequiredMixin):
    """Only office staff (and administrators) maintain units, campaigns and plans."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and access.has_access(request.user) and not access.is_office(request.user):
            raise PermissionDenied("只有安办工作人员可以进行此操作。")
        return super().dispatch(request, *args, **kwargs)
