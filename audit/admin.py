from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read only: security events are evidence, not data to edit."""

    list_display = ["at", "kind", "username", "ip", "method", "path", "status"]
    list_filter = ["kind"]
    search_fields = ["username", "ip", "path"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
