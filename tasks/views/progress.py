"""Monthly progress: the liaison's entry page, the office's review queue, extensions, follow-ups."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import DetailView, TemplateView

from campaign import access, policy
from campaign.mixins import ActionRequiredMixin, CampaignMixin
from campaign.models import Unit
from core.attachments import CONTENT_TYPES
from core.errors import ServiceError
from core.params import month_or, strict_int
from tasks import access as task_access

from ..choices import ExtensionState, ReportState
from ..forms import DecisionForm, ExtensionForm, FollowUpForm, ReportRowForm, ReturnForm
from ..models import Assignment, Attachment, ExtensionRequest, FollowUp, ProgressReport, QuantifiedTarget
from ..selectors import month_start, with_status
from ..services import (
    EDITABLE_REPORT_STATES,
    ReportInput,
    assignment_close_out,
    extension_decide,
    extension_request,
    follow_up_issue,
    report_accept,
    report_return,
    reports_save,
)
from ..targets import latest_accepted, target_progress


def _error_text(error: ServiceError) -> str:
    return "；".join(error.messages)


class OfficeOnlyMixin(ActionRequiredMixin):
    action = "progress.review"


class MonthlyEntryView(CampaignMixin, TemplateView):
    """本月填报: one page for all of a unit's open assignments in a month."""

    template_name = "tasks/monthly_entry.html"

    @cached_property
    def month(self) -> datetime.date:
        current = month_start(timezone.localdate())
        month = month_or(self.request.GET.get("month"), current)
        campaign = self.campaign
        if month > current or month < month_start(campaign.start_date) or month > campaign.end_date:
            return current
        return month

    @cached_property
    def unit(self) -> Unit | None:
        """The liaison's own unit; for the office, the unit chosen with ?unit= (None until chosen)."""
        user = self.request.user
        if policy.allows(user, "unit.work"):
            return access.unit_of(user)
        policy.require(user, "progress.enter")
        code = self.request.GET.get("unit") or self.request.POST.get("unit")
        if not code:
            return None
        return get_object_or_404(self.reporting_units(), code=code)

    def reporting_units(self):
        return Unit.objects.filter(assignments__task__plan__campaign=self.campaign).distinct().order_by(
            "kind", "sort_order", "code"
        )

    def rows(self, data=None, files=None):
        """(assignment, report or None, form or None, target progress) for each open assignment."""
        month = self.month
        reports = ProgressReport.objects.filter(month=month).prefetch_related("values", "attachments")
        assignments = list(
            with_status(task_access.visible_assignments(self.request.user, self.campaign).filter(unit=self.unit))
            .filter(completed_on__isnull=True)
            .select_related("task", "milestone", "unit")
            .prefetch_related(
                Prefetch("reports", queryset=reports, to_attr="month_reports"),
                Prefetch(
                    "task__targets",
                    queryset=QuantifiedTarget.objects.prefetch_related("year_values"),
                    to_attr="target_list",
                ),
            )
            .order_by("due_date", "task__position", "task__code")
        )
        targets = [t for a in assignments for t in a.task.target_list]
        latest = latest_accepted(targets, unit_ids=[self.unit.pk])
        on = min(timezone.localdate(), month.replace(day=28))
        rows = []
        for a in assignments:
            report = a.month_reports[0] if a.month_reports else None
            editable = report is None or report.state in EDITABLE_REPORT_STATES
            form = None
            if editable:
                form = ReportRowForm(
                    data, files, prefix=f"a{a.pk}", assignment=a, targets=a.task.target_list, report=report
                )
            progress = [
                target_progress(t, t.year_values.all(), latest.get((t.pk, self.unit.pk)), on)
                for t in a.task.target_list
            ]
            rows.append({"assignment": a, "report": report, "form": form, "targets": progress})
        return rows

    def get_context_data(self, **kwargs):
        if self.unit is None:
            kwargs["choose_units"] = self.reporting_units()
        else:
            kwargs.setdefault("rows", self.rows())
            kwargs["unit"] = self.unit
            deadline = self.month.replace(day=self.campaign.report_deadline_day)
            kwargs["deadline"] = deadline
        kwargs["month"] = self.month
        kwargs["months"] = self.month_choices()
        return super().get_context_data(**kwargs)

    def month_choices(self) -> list[datetime.date]:
        current = month_start(min(timezone.localdate(), self.campaign.end_date))
        months, m = [], current
        while m >= month_start(self.campaign.start_date) and len(months) < 12:
            months.append(m)
            m = (m - datetime.timedelta(days=1)).replace(day=1)
        return months

    def post(self, request, *args, **kwargs):
        if self.unit is None:
            raise Http404("请选择要代为填报的单位。")
        policy.require(request.user, "unit.report", self.unit)
        submit = request.POST.get("action") == "submit"
        rows = self.rows(request.POST, request.FILES)
        forms = [r["form"] for r in rows if r["form"] is not None]
        if not all(f.is_valid() for f in forms):
            messages.error(
                request, "有填报内容需要修改，请查看标红的提示；已填写的内容都保留在页面上（附件需重新选择）。"
            )
            return self.render_to_response(self.get_context_data(rows=rows))
        entries = [
            ReportInput(
                assignment=f.assignment, reported_status=f.cleaned_data["reported_status"],
                progress=f.cleaned_data["progress"], problems=f.cleaned_data["problems"],
                next_steps=f.cleaned_data["next_steps"], values=f.values(), files=f.cleaned_data["files"],
            )
            for f in forms
        ]
        try:
            saved = reports_save(month=self.month, entries=entries, user=request.user, submit=submit)
        except ServiceError as error:
            messages.error(request, _error_text(error) + " 本次填报未保存，请修改后重试。")
            return self.render_to_response(self.get_context_data(rows=rows))
        if not saved:
            messages.warning(request, "没有需要保存的内容：请至少填写一项的进展情况。")
        elif submit:
            messages.success(request, f"已提交 {len(saved)} 项填报，等待安办审核。")
        else:
            messages.success(request, f"已保存 {len(saved)} 项草稿，可稍后继续填写并提交。")
        for_unit = policy.allows(request.user, "office.work")  # the office fills in for a unit it chose
        query = f"?month={self.month:%Y-%m}" + (f"&unit={self.unit.code}" if for_unit else "")
        return HttpResponseRedirect(reverse("monthly-entry", args=[self.campaign.slug]) + query)


class ReviewQueueView(OfficeOnlyMixin, CampaignMixin, TemplateView):
    """The office's queue of submitted reports: accept or return one or many."""

    template_name = "tasks/review_queue.html"

    def queue(self):
        reports = task_access.visible_reports(self.request.user, self.campaign).filter(state=ReportState.SUBMITTED)
        unit = self.request.GET.get("unit")
        if unit:
            reports = reports.filter(assignment__unit__code=unit)
        return reports.select_related(
            "assignment__task", "assignment__unit", "assignment__milestone", "submitted_by"
        ).prefetch_related("values__target", "attachments").order_by("submitted_at")

    def get_context_data(self, **kwargs):
        reports = list(self.queue())
        for report in reports:
            report.is_late = report.submitted_late(self.campaign.report_deadline_day)
        kwargs.update(
            reports=reports,
            return_form=kwargs.get("return_form") or ReturnForm(),
            units=Unit.objects.filter(assignments__reports__state=ReportState.SUBMITTED,
                                      assignments__task__plan__campaign=self.campaign).distinct(),
            selected_unit=self.request.GET.get("unit", ""),
        )
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        ids = [i for i in map(strict_int, request.POST.getlist("report")) if i is not None]
        reports = list(self.queue().filter(pk__in=ids))
        if not reports:
            messages.warning(request, "请先勾选要审核的填报。")
            return HttpResponseRedirect(request.get_full_path())
        action = request.POST.get("action")
        if action == "return":
            form = ReturnForm(request.POST)
            if not form.is_valid():
                messages.error(request, "退回时请填写退回原因，便于填报单位修改。")
                return self.render_to_response(self.get_context_data(return_form=form))
        done = 0
        for report in reports:
            try:
                if action == "accept":
                    report_accept(report=report, user=request.user)
                elif action == "return":
                    report_return(report=report, user=request.user, reason=form.cleaned_data["reason"])
                else:
                    break
                done += 1
            except ServiceError as error:
                messages.error(request, f"{report}：{_error_text(error)}")
        if done:
            verb = "审核通过" if action == "accept" else "退回"
            messages.success(request, f"已{verb} {done} 份填报。")
        return HttpResponseRedirect(request.get_full_path())


class ReportDetailView(CampaignMixin, DetailView):
    template_name = "tasks/report_detail.html"
    context_object_name = "report"

    def get_queryset(self):
        return task_access.visible_reports(self.request.user, self.campaign).select_related(
            "assignment__task", "assignment__unit", "assignment__milestone", "submitted_by", "reviewed_by"
        ).prefetch_related("values__target", "attachments")

    def get_context_data(self, **kwargs):
        kwargs["can_review"] = policy.allows(self.request.user, "progress.review")
        kwargs["return_form"] = kwargs.get("return_form") or ReturnForm()
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        policy.require(request.user, "progress.review")
        try:
            if request.POST.get("action") == "accept":
                report_accept(report=self.object, user=request.user)
                messages.success(request, "已审核通过。")
            else:
                form = ReturnForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(return_form=form))
                report_return(report=self.object, user=request.user, reason=form.cleaned_data["reason"])
                messages.success(request, "已退回，填报单位将看到退回原因。")
        except ServiceError as error:
            messages.error(request, _error_text(error))
        return HttpResponseRedirect(reverse("report-detail", args=[self.campaign.slug, self.object.pk]))


class AssignmentActionMixin(CampaignMixin):
    """POST-only actions on one visible assignment; they answer by redirecting to its page."""

    http_method_names = ["post"]

    @cached_property
    def assignment(self) -> Assignment:
        visible = task_access.visible_assignments(self.request.user, self.campaign)
        return get_object_or_404(visible, pk=self.kwargs["pk"])

    def back(self):
        return HttpResponseRedirect(reverse("assignment-detail", args=[self.campaign.slug, self.assignment.pk]))

    def run(self, action, success: str):
        try:
            action()
            messages.success(self.request, success)
        except ServiceError as error:
            messages.error(self.request, _error_text(error))
        return self.back()


class ExtensionRequestView(AssignmentActionMixin, View):
    def post(self, request, *args, **kwargs):
        policy.require(request.user, "extension.request", self.assignment)
        form = ExtensionForm(request.POST)
        if not form.is_valid():
            messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
            return self.back()
        data = form.cleaned_data
        return self.run(
            lambda: extension_request(assignment=self.assignment, requested_due=data["requested_due"],
                                      reason=data["reason"], user=request.user),
            "延期申请已提交，等待安办审批。",
        )


class CloseOutView(OfficeOnlyMixin, AssignmentActionMixin, View):
    def post(self, request, *args, **kwargs):
        return self.run(lambda: assignment_close_out(assignment=self.assignment, user=request.user), "已销号。")


class FollowUpCreateView(OfficeOnlyMixin, AssignmentActionMixin, View):
    def post(self, request, *args, **kwargs):
        form = FollowUpForm(request.POST)
        if not form.is_valid():
            messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
            return self.back()
        data = form.cleaned_data
        return self.run(
            lambda: follow_up_issue(assignment=self.assignment, kind=data["kind"], content=data["content"],
                                    number=data["number"], respond_by=data["respond_by"], user=request.user),
            "督办已记录。",
        )


class ExtensionQueueView(OfficeOnlyMixin, CampaignMixin, TemplateView):
    template_name = "tasks/extension_queue.html"

    def get_context_data(self, **kwargs):
        extensions = ExtensionRequest.objects.filter(
            assignment__in=task_access.visible_assignments(self.request.user, self.campaign)
        ).select_related("assignment__task", "assignment__unit", "requested_by", "decided_by")
        kwargs["pending"] = extensions.filter(state=ExtensionState.PENDING).order_by("requested_at")
        kwargs["decided"] = extensions.exclude(state=ExtensionState.PENDING).order_by("-decided_at")[:50]
        return super().get_context_data(**kwargs)


class ExtensionDecideView(OfficeOnlyMixin, CampaignMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        extension = get_object_or_404(
            ExtensionRequest.objects.filter(
                assignment__in=task_access.visible_assignments(request.user, self.campaign)
            ),
            pk=kwargs["pk"],
        )
        form = DecisionForm(request.POST)
        form.is_valid()
        approve = request.POST.get("action") == "approve"
        try:
            extension_decide(extension=extension, approve=approve, note=form.cleaned_data.get("note", ""),
                             user=request.user)
            messages.success(request, "已批准延期，完成时限已调整。" if approve else "已不予批准。")
        except ServiceError as error:
            messages.error(request, _error_text(error))
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
            target = reverse("extension-queue", args=[self.campaign.slug])  # never off the site
        return HttpResponseRedirect(target)


class FollowUpPrintView(CampaignMixin, DetailView):
    """督办单, laid out for printing."""

    template_name = "tasks/follow_up_print.html"
    context_object_name = "follow_up"

    def get_queryset(self):
        return FollowUp.objects.filter(
            assignment__in=task_access.visible_assignments(self.request.user, self.campaign)
        ).select_related("assignment__task", "assignment__unit", "assignment__milestone", "issued_by")


class AttachmentDownloadView(CampaignMixin, View):
    """Serve an attachment only to someone who may see its report."""

    def get(self, request, *args, **kwargs):
        attachment = get_object_or_404(
            Attachment.objects.filter(report__in=task_access.visible_reports(request.user, self.campaign)),
            pk=kwargs["pk"],
        )
        response = FileResponse(
            attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name,
            content_type=CONTENT_TYPES.get(attachment.kind, "application/octet-stream"),
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
