from django.urls import path

from . import views

MONTH = "c/<slug:slug>/monthly/<str:month>"

urlpatterns = [
    path("c/<slug:slug>/scoreboard/", views.ScoreboardView.as_view(), name="scoreboard"),
    path("c/<slug:slug>/rollup/", views.RollupView.as_view(), name="rollup"),
    path("c/<slug:slug>/monthly/", views.ReportListView.as_view(), name="monthly-list"),
    path("c/<slug:slug>/monthly/jobs/<int:pk>/", views.BuildJobView.as_view(), name="monthly-job"),
    path(f"{MONTH}/", views.DispatchReportView.as_view(), name="monthly-detail"),
    path(f"{MONTH}/publish/", views.PublishView.as_view(), name="monthly-publish"),
    path(f"{MONTH}/rebuild/", views.RebuildView.as_view(), name="monthly-rebuild"),
    path(f"{MONTH}/ranking.xlsx", views.RankingExportView.as_view(), name="monthly-ranking-xlsx"),
    path(f"{MONTH}/dispatch.xlsx", views.DispatchExportView.as_view(), name="monthly-dispatch-xlsx"),
    path(f"{MONTH}/bulletins/<str:kind>/", views.BulletinView.as_view(), name="monthly-bulletin"),
    path(f"{MONTH}/bulletins/<str:kind>.docx", views.BulletinDocxView.as_view(), name="monthly-bulletin-docx"),
]
