from django.urls import path

from . import views

urlpatterns = [
    path("c/<slug:slug>/tasks/<int:pk>/", views.TaskDetailView.as_view(), name="task-detail"),
    path("c/<slug:slug>/tasks/<int:pk>/delete/", views.TaskDeleteView.as_view(), name="task-delete"),
    path("c/<slug:slug>/assignments/<int:pk>/", views.AssignmentDetailView.as_view(), name="assignment-detail"),
    path("c/<slug:slug>/plans/<str:unit_code>/tasks/new/", views.TaskCreateView.as_view(), name="task-create"),
    path(
        "c/<slug:slug>/plans/<str:unit_code>/tasks/<int:pk>/edit/",
        views.TaskUpdateView.as_view(),
        name="task-update",
    ),
]
