"""The authentication backend loads the user's profile and unit with the user."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user
from django.test import RequestFactory

from campaign import access

pytestmark = pytest.mark.django_db


def request_of(client):
    request = RequestFactory().get("/")
    request.session = client.session
    return request


def test_the_session_user_comes_with_profile_and_unit_in_one_query(client, world, users, django_assert_num_queries):
    client.force_login(users["liaison_town"])
    request = request_of(client)
    with django_assert_num_queries(2):  # the session, then the user joined with profile and unit
        user = get_user(request)
        assert access.role_of(user) == "liaison"
        assert access.unit_of(user).name == world.township.name


def test_a_deactivated_user_is_logged_out(client, users):
    client.force_login(users["liaison_town"])
    users["liaison_town"].is_active = False
    users["liaison_town"].save()
    assert not get_user(request_of(client)).is_authenticated
