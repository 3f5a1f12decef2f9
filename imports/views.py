"""An upload's pages, whatever its kind of sheet: the preview (with a progress bar for big files), confirming or
cancelling it, the history and the original file."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import ListView, TemplateView

from campaign import access, policy
from campaign.mixins import CampaignMixin

from .batches import AlreadyConfirmed, import_batch_cancel, import_batch_confirm
from .engine import ImportFailed
from .kinds import kind_of
from .models import ImportBatch


def visible_batches(user, campaign):
    batches = ImportBatch.objects.filter(campaign=campaign).select_related("plan__unit", "uploaded_by")
    if policy.allows(user, "everything.read"):
        return batches
    if policy.allows(user, "unit.work"):
        return batches.filter(Q(plan__unit=access.unit_of(user)) | Q(uploaded_by=user))
    return batches.none()


class ImportBatchView(CampaignMixin, TemplateView):
    template_name = "imports/import_batch.html"

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
            can_confirm=(batch.state == ImportBatch.State.PREVIEW
                         and kind_of(batch.kind).may_confirm(self.request.user, batch)),
            working=batch.state in (ImportBatch.State.QUEUED, ImportBatch.State.READING),
        )
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        batch = self.batch
        policy.require(request.user, "batch.confirm", batch)
        if request.POST.get("action") == "cancel":
            import_batch_cancel(batch=batch)
            messages.info(request, "已取消本次导入，没有保存任何数据。")
        else:
            try:
                batch = import_batch_confirm(batch=batch, user=request.user,
                                             remove_missing=request.POST.get("remove_missing") == "on")
                messages.success(request, f"导入成功：{batch.message}")
            except AlreadyConfirmed as done:
                messages.info(request, str(done.problems[0]))
            except ImportFailed as failed:
                details = "；".join(str(p) for p in failed.problems[:5])
                messages.error(request, f"导入未成功，没有保存任何数据：{details}")
        return HttpResponseRedirect(reverse("import-batch", args=[self.campaign.slug, batch.pk]))


class ImportHistoryView(CampaignMixin, ListView):
    template_name = "imports/import_history.html"
    context_object_name = "batches"
    paginate_by = 50

    def get_queryset(self):
        return visible_batches(self.request.user, self.campaign)


class ImportOriginalView(CampaignMixin, View):
    def get(self, request, *args, **kwargs):
        batch = get_object_or_404(visible_batches(request.user, self.campaign), pk=kwargs["pk"])
        return FileResponse(batch.file.open("rb"), as_attachment=True, filename=batch.original_name)
