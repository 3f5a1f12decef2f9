from django.contrib import admin

from .models import ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["original_name", "campaign", "plan", "state", "uploaded_by", "created_at"]
    list_filter = ["state", "kind", "campaign"]
    search_fields = ["original_name", "uploaded_by__username", "message"]
    readonly_fields = ["preview", "counts", "created_at", "finished_at"]
    raw_id_fields = ["plan", "uploaded_by"]
