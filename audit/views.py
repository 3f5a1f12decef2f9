"""The operations log page and its Excel export: office only."""

import dataclasses

from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from campaign import access
from campaign.mixins import ActionRequiredMixin
from core.xlsx import Sheet, xlsx_response

from .forms import LogFilterForm
from .selectors import LogFilters, log_entries, log_page

PAGE_SIZE = 50
EXPORT_LIMIT = 20000


def readable(filters: LogFilters, user) -> LogFilters:
    """The log an office reads is its own jurisdiction's (its unit and those below); an administrator's is all."""
    return dataclasses.replace(filters, jurisdiction=access.log_jurisdiction(user))


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", 1)))
    except (TypeError, ValueError):
        return 1


class AuditLogView(ActionRequiredMixin, TemplateView):
    action = "audit.view"
    template_name = "audit/log.html"

    def get_context_data(self, **kwargs):
        form = LogFilterForm(self.request.GET or None)
        page = log_page(readable(form.log_filters(), self.request.user), number=_page_number(self.request),
                        size=PAGE_SIZE)
        kwargs.update(form=form, page=page, export_limit=EXPORT_LIMIT)
        return super().get_context_data(**kwargs)


class AuditExportView(ActionRequiredMixin, View):
    """The filtered log as .xlsx, newest first, at most EXPORT_LIMIT lines."""

    action = "audit.view"

    def get(self, request, *args, **kwargs):
        filters = readable(LogFilterForm(request.GET or None).log_filters(), request.user)
        rows = []
        for e in log_entries(filters, limit=EXPORT_LIMIT):
            changes = "\n".join(f"{name}：{old} → {new}" for name, old, new in e.changes)
            rows.append([timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.who, e.username, e.unit,
                         e.action, e.subject, e.object, changes, e.note])
        now = timezone.localtime()
        sheet = Sheet(
            title="操作日志",
            caption=f"操作日志（导出于 {now:%Y-%m-%d %H:%M}，最新 {len(rows)} 条，最多 {EXPORT_LIMIT} 条）",
            headers=["时间", "操作人", "用户名", "单位", "操作", "对象类型", "对象", "变更内容（原值 → 新值）", "说明"],
            rows=rows,
            widths=[19, 12, 14, 16, 9, 12, 40, 60, 40],
        )
        return xlsx_response(f"操作日志-{now:%Y%m%d%H%M}.xlsx", [sheet])
