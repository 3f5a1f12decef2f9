from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Assignment, Milestone, QuantifiedTarget, TargetYearValue, Task


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class TargetInline(admin.TabularInline):
    model = QuantifiedTarget
    extra = 0
    show_change_link = True


@admin.register(Task)
class TaskAdmin(SimpleHistoryAdmin):
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
