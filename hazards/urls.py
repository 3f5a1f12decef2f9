from django.urls import path

from . import views

urlpatterns = [
    path("c/<slug:slug>/hazards/", views.HazardListView.as_view(), name="hazard-list"),
    path("c/<slug:slug>/hazards/new/", views.HazardCreateView.as_view(), name="hazard-create"),
    path("c/<slug:slug>/hazards/statistics/", views.HazardStatisticsView.as_view(), name="hazard-statistics"),
    path("c/<slug:slug>/hazards/<int:pk>/", views.HazardDetailView.as_view(), name="hazard-detail"),
    path("c/<slug:slug>/hazards/import/", views.HazardImportView.as_view(), name="hazard-import"),
    path("c/<slug:slug>/hazards/export.xlsx", views.HazardExportView.as_view(), name="hazard-export"),
]
