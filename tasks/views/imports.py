"""Uploading a task list (its preview and confirmation are the imports app's pages), its template and export."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.encoding import escape_uri_path
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import TemplateView

from campaign import access, policy
from campaign.mixins import CampaignMixin
from campaign.models import Plan
from core.xlsx import XLSX_CONTENT_TYPE, xlsx_response
from imports.batches import (
    import_batch_create,
    import_batch_preview,
    runs_in_background,
)
from imports.forms import UploadForm
from imports.reader import ReadError
from imports.tasks import queue_preview
from imports.views import visible_batches

from ..import_template import build_template
from ..importers import export_sheet


class PlanEditMixin(CampaignMixin):
    @cached_property
    def plan(self) -> Plan:
        plan = access.get_plan_or_404(self.request.user, self.campaign, self.kwargs["unit_code"])
        policy.require(self.request.user, "plan.import", plan)
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


class ImportTemplateView(PlanEditMixin, View):
    def get(self, request, *args, **kwargs):
        response = HttpResponse(build_template(self.plan), content_type=XLSX_CONTENT_TYPE)
        name = f"任务清单导入模板-{self.plan.unit.display_name}.xlsx"
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(name)}"
        return response


class TaskExportView(CampaignMixin, View):
    """The plan's task list in the template's columns (re-importable)."""
    def get(self, request, *args, **kwargs):
        plan = access.get_plan_or_404(request.user, self.campaign, kwargs["unit_code"])
        policy.require(request.user, "plan.export", plan)
        return xlsx_response(f"{plan.title}-任务清单.xlsx", [export_sheet(plan)])
