from django.urls import path

from . import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    # Office maintenance
    path("manage/units/", views.UnitListView.as_view(), name="unit-list"),
    path("manage/units/new/", views.UnitCreateView.as_view(), name="unit-create"),
    path("manage/units/<int:pk>/edit/", views.UnitUpdateView.as_view(), name="unit-update"),
    path("manage/units/<int:pk>/delete/", views.UnitDeleteView.as_view(), name="unit-delete"),
    path("manage/campaigns/new/", views.CampaignCreateView.as_view(), name="campaign-create"),
    path("c/<slug:slug>/settings/", views.CampaignUpdateView.as_view(), name="campaign-update"),
    path("c/<slug:slug>/manage/plans/new/", views.PlanCreateView.as_view(), name="plan-create"),
    path("c/<slug:slug>/manage/plans/<str:unit_code>/", views.PlanStructureView.as_view(), name="plan-structure"),
    path("c/<slug:slug>/manage/plans/<str:unit_code>/edit/", views.PlanUpdateView.as_view(), name="plan-update"),
    path("c/<slug:slug>/manage/plans/<str:unit_code>/delete/", views.PlanDeleteView.as_view(), name="plan-delete"),
    path(
        "c/<slug:slug>/manage/plans/<str:unit_code>/actions/new/",
        views.ActionLineCreateView.as_view(),
        name="actionline-create",
    ),
    path(
        "c/<slug:slug>/manage/plans/<str:unit_code>/actions/<int:pk>/edit/",
        views.ActionLineUpdateView.as_view(),
        name="actionline-update",
    ),
    path(
        "c/<slug:slug>/manage/plans/<str:unit_code>/actions/<int:pk>/delete/",
        views.ActionLineDeleteView.as_view(),
        name="actionline-delete",
    ),
    path(
        "c/<slug:slug>/manage/plans/<str:unit_code>/keytasks/new/",
        views.KeyTaskCreateView.as_view(),
        name="keytask-create",
    ),
    path(
        "c/<slug:slug>/manage/plans/<str:unit_code>/keytasks/<int:pk>/edit/",
        views.KeyTaskUpdateView.as_view(),
        name="keytask-update",
    ),
    path(
        "c/<slug:slug>/manage/plans/<str:unit_code>/keytasks/<int:pk>/delete/",
        views.KeyTaskDeleteView.as_view(),
        name="keytask-delete",
    ),
]
