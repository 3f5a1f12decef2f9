from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import BuildJob, Bulletin, MonthlyReport, UnitScore


@admin.register(MonthlyReport)
class MonthlyReportAdmin(admin.ModelAdmin):
    list_display = ["campaign", "month", "version", "is_current", "state", "built_at", "published_at"]
    list_filter = ["state", "is_current", "campaign"]
    search_fields = ["campaign__name", "campaign__slug"]
    raw_id_fields = ["built_by", "published_by"]
    # A stored report is a record of what was published: the admin shows it, the services change it.
    readonly_fields = ["summary", "weights"]


@admin.register(UnitScore)
class UnitScoreAdmin(admin.ModelAdmin):
    list_display = ["unit_name", "report", "group", "rank", "score", "penalty"]
    list_filter = ["group", "report__campaign"]
    search_fields = ["unit_name", "unit_code"]
    raw_id_fields = ["report", "unit"]
    list_select_related = ["report__campaign"]


@admin.register(Bulletin)
class BulletinAdmin(SimpleHistoryAdmin):
    list_display = ["title", "report", "kind", "issued_on", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["title", "body"]
    raw_id_fields = ["report", "updated_by"]
    list_select_related = ["report__campaign"]


@admin.register(BuildJob)
class BuildJobAdmin(admin.ModelAdmin):
    list_display = ["campaign", "month", "state", "progress", "requested_by", "created_at", "finished_at"]
    list_filter = ["state", "campaign"]
    search_fields = ["campaign__slug", "message"]
    raw_id_fields = ["report", "requested_by"]
