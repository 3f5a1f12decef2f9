"""View mixins that put the access policy in front of every page."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property

from . import access
from .models import Campaign


class MemberRequiredMixin(LoginRequiredMixin):
    """Logged in, and holding a role in the product (office, leader or liaison)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not access.has_access(request.user):
            raise PermissionDenied("您的账号尚未分配角色，请联系管理员。")
        return super().dispatch(request, *args, **kwargs)


class CampaignMixin(MemberRequiredMixin):
    """Resolves ``slug`` to a campaign the user may see."""

    @cached_property
    def campaign(self) -> Campaign:
        return get_object_or_404(access.visible_campaigns(self.request.user), slug=self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        kwargs.setdefault("campaign", self.campaign)
        return super().get_context_data(**kwargs)


class OfficeRequiredMixin(MemberRequiredMixin):
    """Only office staff (and administrators) maintain units, campaigns and plans."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and access.has_access(request.user) and not access.is_office(request.user):
            raise PermissionDenied("只有安办工作人员可以进行此操作。")
        return super().dispatch(request, *args, **kwargs)
