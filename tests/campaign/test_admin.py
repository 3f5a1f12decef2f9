"""Every model is in the Django admin, with search and filters that work."""

import pytest
from django.contrib import admin
from django.urls import reverse

from ..factories import make_user

pytestmark = pytest.mark.django_db

APPS = {"campaign", "tasks", "hazards", "reporting"}


@pytest.fixture
def admin_client(client, world):
    user = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_every_model_is_registered():
    from django.apps import apps

    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            if model.__name__.startswith("Historical") or model._meta.auto_created:
                continue
            assert model in admin.site._registry, model


@pytest.mark.parametrize(
    "model_admin", [a for m, a in admin.site._registry.items() if m._meta.app_label in APPS], ids=str
)
def test_changelist_search_and_change_page(admin_client, model_admin):
    meta = model_admin.model._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
    assert model_admin.search_fields, f"{meta.model_name} has no search"
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "县"}).status_code == 200
    obj = model_admin.model.objects.first()
    if obj is not None:
        change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
        assert admin_client.get(change).status_code == 200
