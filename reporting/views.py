"""Pages of the monthly reports. They read the stored snapshot; nothing is recomputed on a page view."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.encoding import escape_uri_path
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import TemplateView

from campaign import access, policy
from campaign.mixins import ActionRequiredMixin, CampaignContentMixin, CampaignMixin
from core.forms import VersionedFormMixin
from core.params import strict_int
from core.xlsx import XLSX_CONTENT_TYPE
from tasks.selectors import month_start

from . import selectors
from .bulletins import listed_scores
from .charts import scoreboard_data
from .models import BuildJob, Bulletin, BulletinKind, Group, MonthlyReport
from .rollup import rollup
from .services import ReportError, parse_month, publish_report, save_bulletin
from .tasks import queue_build

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


PREVIEW_SUFFIX = "-preview"


def campaign_months(campaign) -> list[datetime.date]:
    """Months a report can be built for officially: from the campaign's start to the last month that has ended
    (or its end), newest first."""
    last = min(month_start(timezone.localdate()) - datetime.timedelta(days=1), campaign.end_date)
    months, month = [], month_start(campaign.start_date)
    while month <= last:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months[::-1]


def is_month_in_progress(month: datetime.date) -> bool:
    return month_start(month) == month_start(timezone.localdate())


class BuildForm(forms.Form):
    """The last ended month first; the month in progress only as a preview (截至今日, never published)."""

    month = forms.ChoiceField(label="月份")

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(f"{m:%Y-%m}", f"{m.year}年{m.month}月") for m in campaign_months(campaign)]
        today = timezone.localdate()
        if campaign.contains(today):
            label = f"{today.year}年{today.month}月（截至今日预览，不能发布）"
            choices.append((f"{today:%Y-%m}{PREVIEW_SUFFIX}", label))
        self.fields["month"].choices = choices
        self.fields["month"].widget.attrs["class"] = "form-select form-select-sm"

    def month_and_preview(self) -> tuple[datetime.date, bool]:
        value = self.cleaned_data["month"]
        return parse_month(value.removesuffix(PREVIEW_SUFFIX)), value.endswith(PREVIEW_SUFFIX)


class BulletinForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Bulletin
        fields = ["issuer", "number", "title", "addressee", "body", "issued_on"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 14}),
            "issued_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


class ReportMixin(CampaignMixin):
    """Resolves ``month`` (and ``?version=``) to the version of the report this user may read."""

    @cached_property
    def report(self) -> MonthlyReport:
        try:
            month = parse_month(self.kwargs["month"])
        except ReportError as error:
            raise Http404(str(error)) from error
        version = strict_int(self.request.GET.get("version"))
        report = selectors.shown_report(self.request.user, self.campaign, month, version)
        if report is None:
            raise Http404("该月的月报尚未生成或尚未发布。")
        return report

    def get_context_data(self, **kwargs):
        kwargs.setdefault("report", self.report)
        kwargs.setdefault("can_manage", policy.allows(self.request.user, "office.work"))
        return super().get_context_data(**kwargs)


class LeadersOnlyMixin(ActionRequiredMixin):
    """The dispatch report and its workbooks are for the office and leaders."""

    action = "dispatch.view"


class OfficeOnlyMixin(ActionRequiredMixin):
    action = "office.work"


class ReportListView(CampaignMixin, TemplateView):
    template_name = "reporting/report_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        kwargs["reports"] = selectors.month_list(user, self.campaign)
        if policy.allows(user, "office.work"):
            kwargs.setdefault("form", BuildForm(campaign=self.campaign))
            kwargs["jobs"] = BuildJob.objects.filter(campaign=self.campaign).select_related("requested_by")[:8]
        kwargs["can_read_dispatch"] = policy.allows(user, "everything.read")
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        policy.require(request.user, "reports.build")
        form = BuildForm(request.POST, campaign=self.campaign)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        month, preview = form.month_and_preview()
        return _queue(request, self.campaign, month, preview=preview)


def _queue(request, campaign, month, *, preview: bool | None = None) -> HttpResponse:
    """``preview`` None (a rebuild): a preview while the month is in progress, else the official build."""
    try:
        job = queue_build(campaign, month, request.user,
                          preview=is_month_in_progress(month) if preview is None else preview)
    except ReportError as error:
        messages.error(request, str(error))
        return HttpResponseRedirect(reverse("monthly-list", args=[campaign.slug]))
    return HttpResponseRedirect(reverse("monthly-job", args=[campaign.slug, job.pk]))


class BuildJobView(OfficeOnlyMixin, CampaignMixin, TemplateView):
    template_name = "reporting/build_job.html"

    def get_context_data(self, **kwargs):
        job = get_object_or_404(BuildJob.objects.select_related("report"), pk=self.kwargs["pk"],
                                campaign=self.campaign)
        kwargs["job"] = job
        return super().get_context_data(**kwargs)


class RebuildView(OfficeOnlyMixin, CampaignMixin, View):
    def post(self, request, *args, **kwargs):
        try:
            month = parse_month(kwargs["month"])
        except ReportError as error:
            raise Http404(str(error)) from error
        return _queue(request, self.campaign, month)


class PublishView(OfficeOnlyMixin, ReportMixin, View):
    def post(self, request, *args, **kwargs):
        # The form names the version and build the office reviewed; without them nothing is published.
        reviewed = parse_datetime(request.POST.get("built_at") or "")
        version = strict_int(request.POST.get("version"))
        try:
            if reviewed is None or version != self.report.version:
                raise ReportError("发布请求缺少所查看的版本，或该月已有更新的版本；请刷新页面，查看最新数据后再发布。")
            publish_report(self.report, request.user, reviewed_build=reviewed)
        except ReportError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{self.report.month_label}月报已发布，领导和各单位现在可以查看排名与通报。")
        return HttpResponseRedirect(reverse("monthly-detail", args=[self.campaign.slug, self.report.month_param]))


def _viewer(user) -> tuple[bool, int | None]:
    """Whose lists a ranking links to: every unit's for those who read everything, else only the viewer's unit."""
    if policy.allows(user, "everything.read"):
        return True, None
    unit = access.unit_of(user)
    return False, unit.pk if unit is not None else None


def _score_groups(report: MonthlyReport) -> list[tuple[Group, list]]:
    scores = list(report.scores.all())
    return [(group, [s for s in scores if s.group == group.value]) for group in Group]


class DispatchReportView(LeadersOnlyMixin, ReportMixin, TemplateView):
    """月调度: the whole month on one page."""

    template_name = "reporting/dispatch.html"

    def get_context_data(self, **kwargs):
        report = self.report
        groups = _score_groups(report)
        kwargs["groups"] = groups
        kwargs["summary"] = report.summary
        kwargs["overdue_units"] = [s for _, members in groups for s in members
                                   if s.details.get("tasks") or s.details.get("hazards")]
        kwargs["versions"] = selectors.versions(report) if policy.allows(self.request.user, "office.work") else []
        kwargs["bulletins"] = list(report.bulletins.all())
        kwargs["viewer"] = _viewer(self.request.user)
        return super().get_context_data(**kwargs)


RANKING_PAGE = 50  # rows of one group's ranking per page: a province ranks 2,000 units


def _score_pages(report: MonthlyReport, request) -> list[tuple[Group, object]]:
    """Each group's ranking a page at a time (``?township_page=``, ``?department_page=``), without the overdue
    details the bulletins need (several kilobytes per unit)."""
    pages = []
    for group in Group:
        scores = report.scores.filter(group=group.value).defer("details").order_by(
            F("rank").asc(nulls_last=True), "sort_order", "unit_code")
        pages.append((group, Paginator(scores, RANKING_PAGE).get_page(request.GET.get(f"{group.value}_page"))))
    return pages


class ScoreboardView(CampaignContentMixin, TemplateView):
    """量化排名: the leaders' view, from the latest report the user may read (or ``?month=``).

    A report never changes once built (a rebuild or publication gives it a new build time or state, which change
    MonthlyReport's marks), so the month menu and the rendered ranking, headline and charts are kept until then.
    """

    template_name = "reporting/scoreboard.html"
    content_template_name = "reporting/_scoreboard_content.html"
    shows = (MonthlyReport,)

    def get_context_data(self, **kwargs):
        user = self.request.user
        month = None
        if self.request.GET.get("month"):
            try:
                month = parse_month(self.request.GET["month"])
            except ReportError as error:
                raise Http404(str(error)) from error
        months = self.kept("months", lambda: selectors.month_list(user, self.campaign, lean=True))
        # The version shown is the one the month menu lists for that month (or the newest month): one query
        # instead of two. Its other fields (weights, who published it) load only if the cached page is missing.
        # With no month asked for: the newest ended month (a preview of the month in progress only when asked for, or
        # when it is all there is).
        if month is None:
            report = next((r for r in months if not r.is_preview), None) or next(iter(months), None)
        else:
            report = next((r for r in months if r.month == month), None)
        self.asked_month = month
        kwargs["report"] = report
        kwargs["months"] = months
        kwargs["asked_month"] = month
        self.report, self.months = report, months
        return super().get_context_data(**kwargs)

    def wants_content(self, context) -> bool:
        return self.report is not None

    def get_content_data(self) -> dict:
        user, report = self.request.user, self.report
        return {
            "groups": _score_pages(report, self.request),
            "summary": selectors.summary_parts(report, "headline", "reporting", "period_end"),
            "chart": scoreboard_data(user, self.campaign, report, self.months),
            "can_read_dispatch": policy.allows(user, "everything.read"),
            "viewer": _viewer(user),
        }


class BulletinView(ReportMixin, TemplateView):
    """A bulletin as a printable notice; the office edits it here until the report is published."""

    template_name = "reporting/bulletin.html"

    @cached_property
    def bulletin(self) -> Bulletin:
        if self.kwargs["kind"] not in BulletinKind.values:
            raise Http404("没有这种通报。")
        return get_object_or_404(self.report.bulletins.select_related("report__campaign__office"),
                                 kind=self.kwargs["kind"])

    def get_context_data(self, **kwargs):
        bulletin = self.bulletin
        kwargs["bulletin"] = bulletin
        kwargs["listed"] = listed_scores(bulletin)
        if policy.allows(self.request.user, "office.work") and not self.report.is_published:
            kwargs.setdefault("form", BulletinForm(instance=bulletin))
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        policy.require(request.user, "bulletin.edit")
        form = BulletinForm(request.POST, instance=self.bulletin)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            save_bulletin(self.bulletin, request.user, **form.model_values())
        except ReportError as error:
            messages.error(request, str(error))
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, "通报已保存。")
        return HttpResponseRedirect(request.get_full_path())


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response


class BulletinDocxView(BulletinView):
    http_method_names = ["get", "head", "options"]  # a download; editing is on the bulletin page

    def get(self, request, *args, **kwargs):
        from .exports import bulletin_docx

        name = f"{self.campaign.slug}-{self.report.month_param}-{self.bulletin.get_kind_display()}.docx"
        return _download(bulletin_docx(self.bulletin), DOCX_CONTENT_TYPE, name)


class RankingExportView(ReportMixin, View):
    def get(self, request, *args, **kwargs):
        from .exports import ranking_xlsx

        name = f"{self.campaign.slug}-{self.report.month_param}-量化排名.xlsx"
        return _download(ranking_xlsx(self.report), XLSX_CONTENT_TYPE, name)


class DispatchExportView(LeadersOnlyMixin, ReportMixin, View):
    def get(self, request, *args, **kwargs):
        from .exports import dispatch_xlsx

        name = f"{self.campaign.slug}-{self.report.month_param}-月调度.xlsx"
        return _download(dispatch_xlsx(self.report), XLSX_CONTENT_TYPE, name)


class RollupView(LeadersOnlyMixin, CampaignMixin, TemplateView):
    """下级汇总: the campaigns below this one (a city's counties), their numbers today and last month's ranking;
    each links to the child campaign, which the office above reads and never changes."""

    template_name = "reporting/rollup.html"

    def get_context_data(self, **kwargs):
        month, rows = rollup(self.request.user, self.campaign, timezone.localdate())
        kwargs.update(month=month, rows=rows)
        return super().get_context_data(**kwargs)
