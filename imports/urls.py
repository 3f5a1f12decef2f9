from django.urls import path

from . import views

urlpatterns = [
    path("c/<slug:slug>/imports/", views.ImportHistoryView.as_view(), name="import-history"),
    path("c/<slug:slug>/imports/<int:pk>/", views.ImportBatchView.as_view(), name="import-batch"),
    path("c/<slug:slug>/imports/<int:pk>/original/", views.ImportOriginalView.as_view(), name="import-original"),
]
