from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import TemplateView

from campaign import policy
from campaign.mixins import ActionRequiredMixin, CampaignContentMixin, CampaignMixin
from core.errors import ServiceError
from core.xlsx import xlsx_response
from hazards import access as hazard_access
from imports.batches import import_batch_create, import_batch_preview
from imports.forms import UploadForm
from imports.reader import ReadError

from . import services
from .filters import HazardFilter, as_of_date
from .forms import (
    CloseForm,
    FollowUpForm,
    ListingForm,
    NotifyForm,
    PlanForm,
    RectifiedForm,
    RegisterForm,
    ReturnForm,
)
from .importers import export_sheet
from .models import Enterprise
from .selectors import STAT_COLUMNS, RegisterStatistics, register_models, with_flags


class RegisterPageView(CampaignContentMixin, TemplateView):
    """A page of the register whose content is kept until the register, its enterprises or units change, or the
    day does (overdue flags change at midnight)."""

    shows = register_models()

    def varies_on(self) -> tuple:
        return (self.campaign.baseline_date, timezone.localdate())


class HazardListView(RegisterPageView):
    """The register with its filters. The rendered list (filters, rows, pages) is kept until the register, its
    enterprises or units change (campaign/pagecache.py); the total is kept for every page of a filter."""

    template_name = "hazards/hazard_list.html"
    content_template_name = "hazards/_hazard_list_content.html"

    def get_content_data(self) -> dict:
        return {"listing": self.listing()}

    def listing(self) -> dict:
        """The filter and the page of rows; only computed when the rendered list is not kept."""
        on = as_of_date(self.request.GET)
        hazards = with_flags(hazard_access.visible_hazards(self.request.user, self.campaign), on)
        hazard_filter = HazardFilter(self.request.GET or None, queryset=hazards, campaign=self.campaign, on=on)
        rows = hazard_filter.qs if hazard_filter.is_bound and hazard_filter.is_valid() else hazards
        rows = rows.select_related("enterprise", "township", "supervisor").order_by("-found_on", "-pk")
        paginator = Paginator(rows, 50)
        # A COUNT over the whole filtered register (200,000 rows for a province), shared by the filter's pages.
        paginator.count = self.kept("count", rows.count)
        return {"filter": hazard_filter, "page": paginator.get_page(self.request.GET.get("page")),
                "as_of": on if on != timezone.localdate() else None}


class HazardStatisticsView(RegisterPageView):
    """Found / closed / open / overdue / listed / stock left by township and by industry; each number links
    to the list behind it. The numbers (and the rendered tables) are kept until the register changes."""

    template_name = "hazards/hazard_statistics.html"
    content_template_name = "hazards/_hazard_statistics_content.html"

    def get_content_data(self) -> dict:
        hazards = hazard_access.visible_hazards(self.request.user, self.campaign)
        stats = RegisterStatistics(hazards, self.campaign, timezone.localdate(), self.request.GET.get("page"),
                                   keep=lambda compute: self.kept("statistics", compute))
        return {"columns": STAT_COLUMNS, "stats": stats}


class HazardCreateView(ActionRequiredMixin, CampaignMixin, TemplateView):
    template_name = "hazards/hazard_form.html"
    action = "hazard.register"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", RegisterForm(campaign=self.campaign))
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        form = RegisterForm(request.POST, campaign=self.campaign)
        if form.is_valid():
            data = form.cleaned_data
            try:
                # One transaction: a refused registration must not leave a new enterprise behind.
                with transaction.atomic():
                    hazard = self.register(data)
                messages.success(request, "隐患已登记。请尽快提交整改方案。")
                return HttpResponseRedirect(reverse("hazard-detail", args=[self.campaign.slug, hazard.pk]))
            except ValidationError as error:  # ServiceError is one too
                form.add_error(None, "；".join(error.messages))
        return self.render_to_response(self.get_context_data(form=form))

    def register(self, data):
        enterprise = Enterprise.objects.filter(credit_code=data["credit_code"]).first()
        if enterprise is None:
            new = Enterprise(name=data["enterprise_name"].strip(), credit_code=data["credit_code"],
                             township=data["township"])
            new.full_clean(validate_unique=False)
            # Two registrations of a new enterprise at once: the second finds the first one's row (get_or_create
            # retries the lookup after the unique key refuses its insert) instead of failing.
            enterprise, _ = Enterprise.objects.get_or_create(
                credit_code=new.credit_code, defaults={"name": new.name, "township": new.township})
        return services.hazard_register(
            campaign=self.campaign, enterprise=enterprise, township=data["township"], supervisor=data["supervisor"],
            industry=data["industry"], description=data["description"], channel=data["channel"],
            found_on=data["found_on"], standard_clause=data["standard_clause"], user=self.request.user,
        )


STEPS = {
    "plan": (PlanForm, "整改方案已保存，状态为“整改中”。"),
    "rectified": (RectifiedForm, "已报告整改完成，等待监管部门核查销号。"),
    "close": (CloseForm, "已销号。"),
    "return": (ReturnForm, "已退回整改。"),
    "list": (ListingForm, "已登记挂牌督办。"),
    "notify": (NotifyForm, "已记录通知情况。"),
    "followup": (FollowUpForm, "督办措施已记录。"),
}


class HazardDetailView(CampaignMixin, TemplateView):
    template_name = "hazards/hazard_detail.html"

    @cached_property
    def hazard(self):
        return get_object_or_404(
            with_flags(hazard_access.visible_hazards(self.request.user, self.campaign), timezone.localdate())
            .select_related("enterprise", "township", "supervisor", "created_by"),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        hazard, user = self.hazard, self.request.user
        forms = {name: form_class(prefix=name) for name, (form_class, _) in STEPS.items()}
        forms.update(kwargs.pop("forms", {}))
        kwargs.update(
            hazard=hazard, forms=forms, can_verify=services.can_verify(user, hazard),
            can_edit=services.can_register_in(user, township=hazard.township, supervisor=hazard.supervisor),
            evidence=hazard.evidence.all(),
            follow_ups=hazard.follow_ups.select_related("issued_by"),
            history=hazard.history.select_related("history_user").order_by("-history_date")[:50],
        )
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        hazard, user = self.hazard, request.user
        policy.require(user, "hazard.edit", hazard)
        step = request.POST.get("step")
        if step not in STEPS:
            return HttpResponseRedirect(request.path)
        form_class, success = STEPS[step]
        form = form_class(request.POST, request.FILES, prefix=step)
        if form.is_valid():
            data, hazard, user = form.cleaned_data, self.hazard, request.user
            try:
                if step == "plan":
                    services.hazard_file_plan(hazard=hazard, user=user, **data)
                elif step == "rectified":
                    services.hazard_report_rectified(hazard=hazard, user=user, rectified_on=data["rectified_on"],
                                                     files=data["files"])
                elif step == "close":
                    services.hazard_close(hazard=hazard, user=user, closed_on=data["closed_on"],
                                          approval=data["approval"])
                elif step == "return":
                    services.hazard_return(hazard=hazard, user=user, reason=data["reason"])
                elif step == "notify":
                    services.hazard_record_notification(hazard=hazard, user=user, **data)
                elif step == "followup":
                    services.hazard_follow_up(hazard=hazard, user=user, **data)
                else:
                    services.hazard_list_for_supervision(hazard=hazard, user=user, **data)
                messages.success(request, success)
                return HttpResponseRedirect(request.path)
            except ServiceError as error:
                form.add_error(None, "；".join(error.messages))
        reasons = "；".join(form.non_field_errors())
        fallback = "未能保存，请按提示修改；已填写的内容保留在表单中。"
        messages.error(request, f"未能保存：{reasons}" if reasons else fallback)
        return self.render_to_response(self.get_context_data(forms={step: form}))


class HazardImportView(ActionRequiredMixin, CampaignMixin, TemplateView):
    """The office uploads a hazard ledger; the preview and confirmation are the import engine's pages."""

    template_name = "hazards/hazard_import.html"
    action = "hazard.import"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", UploadForm(kind="hazards"))
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        form = UploadForm(request.POST, request.FILES, kind="hazards")
        if form.is_valid():
            try:
                batch = import_batch_create(plan=None, campaign=self.campaign, kind="hazards",
                                            upload=form.cleaned_data["file"], user=request.user)
            except ReadError as error:
                form.add_error("file", str(error))
            else:
                import_batch_preview(batch=batch)
                return HttpResponseRedirect(reverse("import-batch", args=[self.campaign.slug, batch.pk]))
        return self.render_to_response(self.get_context_data(form=form))


class HazardExportView(CampaignMixin, View):
    def get(self, request, *args, **kwargs):
        policy.require(request.user, "hazard.export_all")
        return xlsx_response(f"{self.campaign.name}-重大事故隐患台账.xlsx", [export_sheet(self.campaign)])
