from django.urls import path

from . import views

urlpatterns = [
    path("c/<slug:slug>/", views.CampaignDetailView.as_view(), name="campaign-detail"),
    path("c/<slug:slug>/plans/<str:unit_code>/", views.PlanTreeView.as_view(), name="plan-tree"),
    path("c/<slug:slug>/tasks/<int:pk>/", views.TaskDetailView.as_view(), name="task-detail"),
    path("c/<slug:slug>/tasks/<int:pk>/delete/", views.TaskDeleteView.as_view(), name="task-delete"),
    path("c/<slug:slug>/plans/<str:unit_code>/tasks/new/", views.TaskCreateView.as_view(), name="task-create"),
    path(
        "c/<slug:slug>/plans/<str:unit_code>/tasks/<int:pk>/edit/",
        views.TaskUpdateView.as_view(),
        name="task-update",
    ),
    path("c/<slug:slug>/assignments/<int:pk>/", views.AssignmentDetailView.as_view(), name="assignment-detail"),
    path(
        "c/<slug:slug>/assignments/<int:pk>/extension/",
        views.ExtensionRequestView.as_view(),
        name="extension-request",
    ),
    path("c/<slug:slug>/assignments/<int:pk>/close/", views.CloseOutView.as_view(), name="assignment-close"),
    path("c/<slug:slug>/assignments/<int:pk>/follow-up/", views.FollowUpCreateView.as_view(), name="follow-up-create"),
    path("c/<slug:slug>/report/", views.MonthlyEntryView.as_view(), name="monthly-entry"),
    path("c/<slug:slug>/review/", views.ReviewQueueView.as_view(), name="review-queue"),
    path("c/<slug:slug>/reports/<int:pk>/", views.ReportDetailView.as_view(), name="report-detail"),
    path("c/<slug:slug>/extensions/", views.ExtensionQueueView.as_view(), name="extension-queue"),
    path("c/<slug:slug>/extensions/<int:pk>/decide/", views.ExtensionDecideView.as_view(), name="extension-decide"),
    path("c/<slug:slug>/follow-ups/<int:pk>/", views.FollowUpPrintView.as_view(), name="follow-up-print"),
    path("c/<slug:slug>/attachments/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment-download"),
    path("c/<slug:slug>/lists/tasks/", views.TaskListView.as_view(), name="list-tasks"),
    path("c/<slug:slug>/lists/problems/", views.ProblemListView.as_view(), name="list-problems"),
    path("c/<slug:slug>/lists/ledger/", views.LedgerView.as_view(), name="list-ledger"),
    path("c/<slug:slug>/plans/<str:unit_code>/import/", views.ImportUploadView.as_view(), name="import-upload"),
    path(
        "c/<slug:slug>/plans/<str:unit_code>/import/template.xlsx",
        views.ImportTemplateView.as_view(),
        name="import-template",
    ),
    path("c/<slug:slug>/plans/<str:unit_code>/export.xlsx", views.TaskExportView.as_view(), name="task-export"),
]
