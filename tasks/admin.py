from django.contrib import admin
from import_export.admin import ExportMixin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Assignment,
    Attachment,
    ExtensionRequest,
    FollowUp,
    Milestone,
    ProgressReport,
    ProgressValue,
    QuantifiedTarget,
    TargetYearValue,
    Task,
)
from .resources import TaskResource


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class TargetInline(admin.TabularInline):
    model = QuantifiedTarget
    extra = 0
    show_change_link = True


@admin.register(Task)
class TaskAdmin(ExportMixin, SimpleHistoryAdmin):
    # Task lists are imported through the import engine (方案页面 → 从 Excel 导入), which reads
    # real spreadsheets and previews every row; the admin offers the plain export.
    resource_classes = [TaskResource]
    list_display = ["code", "summary", "plan", "action_line"]
    list_filter = ["plan__campaign", "plan", "action_line"]
    search_fields = ["code", "text"]
    autocomplete_fields = ["lead_units", "cooperating_units", "master_task"]
    inlines = [MilestoneInline, TargetInline]
    list_select_related = ["plan", "action_line"]


@admin.register(Milestone)
class MilestoneAdmin(SimpleHistoryAdmin):
    list_display = ["task", "due_date", "text"]
    list_filter = ["task__plan", "due_date"]
    search_fields = ["text", "task__code"]
    list_select_related = ["task"]
    raw_id_fields = ["task"]


@admin.register(Assignment)
class AssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["task", "unit", "role", "due_date", "completed_on", "closed_on"]
    list_filter = ["role", "unit__kind", "unit", "task__plan__campaign", "due_date"]
    search_fields = ["task__code", "task__text", "unit__name", "unit__short_name"]
    list_select_related = ["task", "unit"]
    raw_id_fields = ["task", "milestone"]
    autocomplete_fields = ["unit"]


class YearValueInline(admin.TabularInline):
    model = TargetYearValue
    extra = 0


@admin.register(QuantifiedTarget)
class QuantifiedTargetAdmin(SimpleHistoryAdmin):
    list_display = ["metric", "task", "comparator", "measure_unit"]
    list_filter = ["comparator", "measure_unit", "task__plan"]
    search_fields = ["metric", "source_text", "task__code"]
    raw_id_fields = ["task"]
    inlines = [YearValueInline]


@admin.register(TargetYearValue)
class TargetYearValueAdmin(SimpleHistoryAdmin):
    list_display = ["target", "year", "value"]
    list_filter = ["year"]
    search_fields = ["target__metric"]
    raw_id_fields = ["target"]


class ProgressValueInline(admin.TabularInline):
    model = ProgressValue
    extra = 0
    raw_id_fields = ["target"]


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    readonly_fields = ["original_name", "kind", "size", "uploaded_by", "uploaded_at"]


@admin.register(ProgressReport)
class ProgressReportAdmin(SimpleHistoryAdmin):
    list_display = ["assignment", "month", "reported_status", "state", "first_submitted_at", "reviewed_at"]
    list_filter = ["state", "reported_status", "month", "assignment__unit"]
    search_fields = ["assignment__task__code", "assignment__unit__name", "progress", "problems"]
    list_select_related = ["assignment__task", "assignment__unit"]
    raw_id_fields = ["assignment", "submitted_by", "reviewed_by"]
    inlines = [ProgressValueInline, AttachmentInline]


@admin.register(ProgressValue)
class ProgressValueAdmin(SimpleHistoryAdmin):
    list_display = ["target", "report", "value"]
    search_fields = ["target__metric"]
    raw_id_fields = ["target", "report"]


@admin.register(Attachment)
class AttachmentAdmin(SimpleHistoryAdmin):
    list_display = ["original_name", "kind", "size", "report", "uploaded_by", "uploaded_at"]
    list_filter = ["kind"]
    search_fields = ["original_name"]
    raw_id_fields = ["report", "uploaded_by"]


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(SimpleHistoryAdmin):
    list_display = ["assignment", "previous_due", "requested_due", "state", "requested_at", "decided_at"]
    list_filter = ["state"]
    search_fields = ["assignment__task__code", "assignment__unit__name", "reason"]
    raw_id_fields = ["assignment", "requested_by", "decided_by"]


@admin.register(FollowUp)
class FollowUpAdmin(SimpleHistoryAdmin):
    list_display = ["assignment", "kind", "number", "issued_by", "issued_at"]
    list_filter = ["kind"]
    search_fields = ["assignment__task__code", "assignment__unit__name", "content", "number"]
    raw_id_fields = ["assignment", "issued_by"]
