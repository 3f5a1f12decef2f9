"""Uploading a task list: upload → preview (with a progress bar for big files) → confirm; history; template."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.encoding import escape_uri_path
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import ListView, TemplateView

from campaign import access
from campaign.mixins import CampaignMixin
from campaign.models import Plan
from core.xlsx import XLSX_CONTENT_TYPE, xlsx_response
from imports.batches import (
    import_batch_cancel,
    import_batch_confirm,
    import_batch_create,
    import_batch_preview,
    runs_in_background,
)
from imports.engine import ImportFailed
from imports.forms import UploadForm
from imports.models import ImportBatch
from imports.reader import ReadError
from imports.tasks import queue_preview

from ..import_template import build_template


class PlanEditMixin(CampaignMixin):
    @cached_property
    def plan(self) -> Plan:
        plan = access.get_plan_or_404(self.request.user, self.campaign, self.kwargs["unit_code"])
        if not access.can_edit_plan(self.request.user, plan):
            raise PermissionDenied("您可以查看该方案，但无权导入。")
        return plan

    def get_context_data(self, **kwargs):
        kwargs["plan"] = self.plan
        return super().get_context_data(**kwargs)


class ImportUploadView(PlanEditMixin, TemplateView):
    template_name = "tasks/import_upload.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", UploadForm(kind="tasks"))
        kwargs["recent"] = visible_batches(self.request.user, self.campaign).filter(plan=self.plan)[:10]
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        form = UploadForm(request.POST, request.FILES, kind="tasks")
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            batch = import_batch_create(plan=self.plan, upload=form.cleaned_data["file"], user=request.user)
        except ReadError as error:
            form.add_error("file", str(error))
            return self.render_to_response(self.get_context_data(form=form))
        if runs_in_background(batch):

            queue_preview(batch)
        else:
            import_batch_preview(batch=batch)
        return HttpResponseRedirect(reverse("import-batch", args=[self.campaign.slug, batch.pk]))


def may_import(user, batch: ImportBatch) -> bool:
    """Task lists: whoever may edit the plan; the hazard ledger: the office."""
    if batch.kind == "hazards":
        return access.is_office(user)
    return batch.plan is not None and access.can_edit_plan(user, batch.plan)


def visible_batches(user, campaign):
    batches = ImportBatch.objects.filter(campaign=campaign).select_related("plan__unit", "uploaded_by")
    if access.reads_everything(user):
        return batches
    if access.is_liaison(user):
        return batches.filter(Q(plan__unit=access.unit_of(user)) | Q(uploaded_by=user))
    return batches.none()


class ImportBatchView(CampaignMixin, TemplateView):
    template_name = "tasks/import_batch.html"

    @cached_property
    def batch(self) -> ImportBatch:
        return get_object_or_404(visible_batches(self.request.user, self.campaign), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        batch = self.batch
        rows = batch.preview.get("rows", [])
        show = self.request.GET.get("show", "")
        if show in ("new", "changed", "unchanged"):
            rows = [r for r in rows if r["status"] == show]
        kwargs.update(
            batch=batch,
            page=Paginator(rows, 200).get_page(self.request.GET.get("page")),
            show=show,
            can_confirm=batch.state == ImportBatch.State.PREVIEW and may_import(self.request.user, batch),
            working=batch.state in (ImportBatch.State.QUEUED, ImportBatch.State.READING),
        )
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        batch = self.batch
        if not may_import(request.user, batch):
            raise PermissionDenied("您无权确认这次导入。")
        if request.POST.get("action") == "cancel":
            import_batch_cancel(batch=batch)
            messages.info(request, "已取消本次导入，没有保存任何数据。")
        else:
            try:
                batch = import_batch_confirm(batch=batch, user=request.user,
                                             remove_missing=request.POST.get("remove_missing") == "on")
                messages.success(request, f"导入成功：{batch.message}")
            except ImportFailed as failed:
                details = "；".join(str(p) for p in failed.problems[:5])
                messages.error(request, f"导入未成功，没有保存任何数据：{details}")
        return HttpResponseRedirect(reverse("import-batch", args=[self.campaign.slug, batch.pk]))


class ImportHistoryView(CampaignMixin, ListView):
    template_name = "tasks/import_history.html"
    context_object_name = "batches"
    paginate_by = 50

    def get_queryset(self):
        return visible_batches(self.request.user, self.campaign)


class ImportOriginalView(CampaignMixin, View):
    def get(self, request, *args, **kwargs):
        batch = get_object_or_404(visible_batches(request.user, self.campaign), pk=kwargs["pk"])
        return FileResponse(batch.file.open("rb"), as_attachment=True, filename=batch.original_name)


class ImportTemplateView(PlanEditMixin, View):
    def get(self, request, *args, **kwargs):
        response = HttpResponse(build_template(self.plan), content_type=XLSX_CONTENT_TYPE)
        name = f"任务清单导入模板-{self.plan.unit.display_name}.xlsx"
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(name)}"
        return response


class TaskExportView(CampaignMixin, View):
    """The plan's task list in the template's columns (re-importable)."""

    def get(self, request, *args, **kwargs):

        from ..importers import export_sheet

        plan = access.get_plan_or_404(request.user, self.campaign, kwargs["unit_code"])
        if not access.reads_everything(request.user) and not access.can_edit_plan(request.user, plan):
            raise PermissionDenied("您只能导出本单位的方案。")
        return xlsx_response(f"{plan.title}-任务清单.xlsx", [export_sheet(plan)])
