from django.urls import path

from . import views

urlpatterns = [
    path("audit/", views.AuditLogView.as_view(), name="audit-log"),
    path("audit/export/", views.AuditExportView.as_view(), name="audit-log-export"),
]
