"""View mixins that put the access policy in front of every page."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property

from . import access
from .models import Campaign, Unit
from .pagecache import TIMEOUT, cache_key, fill, hollow, mark_annotations, marks_of, table_marks


class MemberRequiredMixin(LoginRequiredMixin):
    """Logged in, and holding a role in the product (office, leader or liaison)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not access.has_access(request.user):
            raise PermissionDenied("您的账号尚未分配角色，请联系管理员。")
        return super().dispatch(request, *args, **kwargs)


class CampaignMixin(MemberRequiredMixin):
    """Resolves ``slug`` to a campaign the user may see.

    ``marks_models``: the tables whose marks a page's cache keys need (campaign/pagecache.py); ``self.marks``
    gives them. They are read with the marks of the campaigns and units tables in one query of plain SQL, and
    the campaign itself (with its office) comes from the cache while those two tables' marks stay the same:
    compiling an ORM query costs more than running one like these. With nothing cached yet, one ORM query
    reads the campaign and all the marks.
    """

    marks_models: tuple = ()

    @cached_property
    def _resolved(self) -> tuple[Campaign, tuple]:
        """The campaign and every mark read (campaigns, units, then ``marks_models``)."""
        user, slug = self.request.user, self.kwargs["slug"]
        # Every member may see every campaign (access.visible_campaigns): what is cached is the same for all.
        if not access.has_access(user):
            raise Http404("没有找到该三年行动。")
        models = (Campaign, Unit, *self.marks_models)
        key = cache_key("campaign", slug)
        cached = cache.get(key)
        if cached is not None:
            campaign, campaign_marks = cached
            marks = table_marks(*models)
            if marks[:4] == campaign_marks:
                return campaign, marks
        campaigns = access.visible_campaigns(user).annotate(**mark_annotations(models))
        campaign = get_object_or_404(campaigns, slug=slug)
        marks = marks_of(campaign, models)
        cache.set(key, (campaign, marks[:4]), TIMEOUT)
        return campaign, marks

    @property
    def campaign(self) -> Campaign:
        return self._resolved[0]

    @property
    def marks(self) -> tuple:
        return self._resolved[1][4:]

    def get_context_data(self, **kwargs):
        kwargs.setdefault("campaign", self.campaign)
        return super().get_context_data(**kwargs)


class OfficeRequiredMixin(MemberRequiredMixin):
    """Only office staff (and administrators) maintain units, campaigns and plans."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and access.has_access(request.user) and not access.is_office(request.user):
            raise PermissionDenied("只有安办工作人员可以进行此操作。")
        return super().dispatch(request, *args, **kwargs)


class WholePageCacheMixin:
    """Keeps a page's whole rendered HTML, for pages read far more often than what they show changes.

    The key is the view, the full path (query and page), the language, the user (whose name the layout
    shows) with role and unit, the marks of everything the campaign's pages show (``CampaignMixin``: the
    campaign, units and ``marks_models``), the broker banner and ``page_key_parts()`` (e.g. today's date for
    pages that count overdue items). A request with messages to show is rendered as usual. What differs per
    request, the CSRF token and the CSP nonce, is filled in when the page is served (campaign/pagecache.py).
    A view whose ``get`` does more (exports, early checks) calls ``whole_page(request, render)`` from its own.
    """

    def page_key_parts(self) -> tuple:
        return ()

    def get(self, request, *args, **kwargs):
        return self.whole_page(request, lambda: super(WholePageCacheMixin, self).get(request, *args, **kwargs))

    def whole_page(self, request, render):
        from django.contrib.messages import get_messages

        from .health import broker_available

        if len(get_messages(request)):
            return render()
        user = request.user
        key = cache_key("whole-page", type(self).__name__, request.get_full_path(), user.pk, access.role_of(user),
                        getattr(access.unit_of(user), "pk", None), user.is_staff, self._resolved[1],
                        broker_available(), *self.page_key_parts())
        body = cache.get(key)
        if body is not None:
            return HttpResponse(fill(body, request))
        response = render()
        if hasattr(response, "render"):
            response.render()
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            cache.set(key, hollow(response.content), TIMEOUT)
        return response
