from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Enterprise, HazardEvidence, HazardFollowUp, MajorHazard


@admin.register(Enterprise)
class EnterpriseAdmin(SimpleHistoryAdmin):
    list_display = ["name", "credit_code", "township"]
    search_fields = ["name", "credit_code"]
    list_filter = ["township"]


class EvidenceInline(admin.TabularInline):
    model = HazardEvidence
    extra = 0
    readonly_fields = ["original_name", "kind", "size", "uploaded_by", "uploaded_at"]


@admin.register(MajorHazard)
class MajorHazardAdmin(SimpleHistoryAdmin):
    list_display = ["enterprise", "industry", "township", "supervisor", "state", "found_on", "deadline", "listed_level"]
    list_filter = ["state", "industry", "channel", "listed_level", "township", "supervisor", "campaign"]
    search_fields = ["enterprise__name", "enterprise__credit_code", "description"]
    raw_id_fields = ["enterprise", "created_by"]
    list_select_related = ["enterprise", "township", "supervisor"]
    inlines = [EvidenceInline]


@admin.register(HazardFollowUp)
class HazardFollowUpAdmin(SimpleHistoryAdmin):
    list_display = ["hazard", "kind", "issued_by", "issued_at"]
    list_filter = ["kind"]
    search_fields = ["hazard__enterprise__name", "content"]
    raw_id_fields = ["hazard", "issued_by"]


@admin.register(HazardEvidence)
class HazardEvidenceAdmin(admin.ModelAdmin):
    list_display = ["original_name", "hazard", "kind", "size", "uploaded_at"]
    search_fields = ["original_name"]
    raw_id_fields = ["hazard", "uploaded_by"]
