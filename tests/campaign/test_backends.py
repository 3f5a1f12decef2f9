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


FIELDS = ("id", "username", "password", "first_name", "is_active", "is_staff", "is_superuser", "last_login",
          "date_joined")


def test_the_users_row_reads_as_the_orm_reads_it(world, users):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from campaign.backends import load_user_with_profile

    user = users["liaison_town"]
    user.last_login = timezone.now()
    user.save()
    loaded = load_user_with_profile(user.pk)
    expected = get_user_model().objects.select_related("profile__unit").get(pk=user.pk)
    for name in FIELDS:
        assert getattr(loaded, name) == getattr(expected, name), name
        assert type(getattr(loaded, name)) is type(getattr(expected, name)), name
    assert timezone.is_aware(loaded.last_login) and timezone.is_aware(loaded.date_joined)
    assert loaded._state.db == "default" and not loaded._state.adding
    assert loaded.profile.pk == expected.profile.pk and loaded.profile.role == expected.profile.role
    assert loaded.profile.user is loaded
    unit = loaded.profile.unit
    assert (unit.pk, unit.name, unit.kind, unit.parent_id) == (world.township.pk, world.township.name,
                                                               world.township.kind, world.township.parent_id)


def test_a_user_without_profile_or_unit_reads_like_select_related(django_assert_num_queries, users):
    from django.contrib.auth import get_user_model

    from campaign.backends import load_user_with_profile
    from tests.factories import make_user

    bare = make_user("no-profile")
    with django_assert_num_queries(1):
        loaded = load_user_with_profile(bare.pk)
        with pytest.raises(get_user_model().profile.RelatedObjectDoesNotExist):
            _ = loaded.profile
        assert access.role_of(loaded) is None
    unitless = make_user("unitless-leader", "leader")
    leader = load_user_with_profile(unitless.pk)
    with django_assert_num_queries(0):
        assert leader.profile.role == "leader" and leader.profile.unit is None
    assert load_user_with_profile(10**9) is None



def test_sessions_read_back_as_djangos_database_backend_reads_them(settings, users):
    import datetime

    from django.contrib.sessions.backends.db import SessionStore as DjangoStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from core.sessions import SessionStore

    assert settings.SESSION_ENGINE == "core.sessions"
    store = SessionStore()
    store["answer"] = {"n": 42, "text": "隐患"}
    store.create()
    key = store.session_key
    assert SessionStore(key).load() == DjangoStore(key).load() == {"answer": {"n": 42, "text": "隐患"}}
    # Expired: nothing, and a fresh key on save (as Django's backend does), so an old key is never revived.
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    expired = SessionStore(key)
    assert expired.load() == {} and expired.session_key is None
    assert SessionStore("no-such-session-key").load() == {}
    assert SessionStore("short").load() == {}
