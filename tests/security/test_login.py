"""Login protection: lockout, client address, password rules, session lifetime and invalidation."""

import time

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from campaign.choices import Role
from core.middleware import SESSION_SEEN_KEY, SESSION_STARTED_KEY, client_ip

from ..factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "pw-123456-test"  # tests.factories.make_user


@pytest.fixture
def alice(db):
    return make_user("alice", Role.LEADER)  # a role, so that the home page answers 200


def login(client, username, password, ip="10.0.0.1", **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip, **extra)


def fail(client, username, times, ip="10.0.0.1", **extra):
    for _ in range(times):
        response = login(client, username, "not-the-password", ip=ip, **extra)
        assert response.status_code in (200, 429)


# ---- lockout --------------------------------------------------------------------------------------------------


def test_lockout_by_user_name_whatever_the_address(client, alice):
    for n in range(settings.AXES_FAILURE_LIMIT):
        fail(client, "alice", 1, ip=f"10.0.1.{n}")
    response = login(client, "alice", PASSWORD, ip="10.0.2.1")  # right password, fresh address
    assert response.status_code == 429
    text = response.content.decode()
    assert "登录已暂时锁定" in text and "15 分钟" in text
    assert "Traceback" not in text and "axes" not in text.lower()
    assert SESSION_KEY not in client.session


def test_lockout_by_address_whatever_the_user_name(client, alice):
    for n in range(settings.AXES_FAILURE_LIMIT):
        fail(client, f"guess{n}", 1, ip="10.0.3.3")
    assert login(client, "alice", PASSWORD, ip="10.0.3.3").status_code == 429
    other = Client()
    response = login(other, "alice", PASSWORD, ip="10.0.3.4")  # alice from elsewhere is let in
    assert response.status_code == 302 and SESSION_KEY in other.session


def test_below_the_limit_a_failure_is_an_ordinary_error(client, alice):
    fail(client, "alice", settings.AXES_FAILURE_LIMIT - 2)
    response = login(client, "alice", "wrong")  # the limit-1th failure
    assert response.status_code == 200 and "用户名或密码不正确" in response.content.decode()


def test_attempts_are_kept_in_the_database():
    """Every gunicorn worker and node sees the same attempts, restarts keep them, Redis is not needed."""
    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]


def test_failures_are_recorded_with_the_connection_address(client, alice):
    fail(client, "alice", 2, ip="10.0.4.4", HTTP_X_FORWARDED_FOR="1.2.3.4")
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address, attempt.failures_since_start) == ("alice", "10.0.4.4", 2)


def test_a_forged_forwarded_for_does_not_escape_the_address_lockout(client, alice):
    for n in range(settings.AXES_FAILURE_LIMIT):
        fail(client, f"guess{n}", 1, ip="10.0.5.5", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    response = login(client, "alice", PASSWORD, ip="10.0.5.5", HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert response.status_code == 429


def test_behind_a_trusted_proxy_each_client_is_counted_on_its_own(client, alice, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    for n in range(settings.AXES_FAILURE_LIMIT):
        fail(client, f"guess{n}", 1, ip="127.0.0.1", HTTP_X_FORWARDED_FOR="10.8.0.1")
    assert login(client, "alice", PASSWORD, ip="127.0.0.1", HTTP_X_FORWARDED_FOR="10.8.0.1").status_code == 429
    # Another office machine behind the same nginx is not locked out with it.
    other = Client()
    assert login(other, "alice", PASSWORD, ip="127.0.0.1", HTTP_X_FORWARDED_FOR="10.8.0.2").status_code == 302


# ---- the client's address --------------------------------------------------------------------------------------


def _ip(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))


def test_forwarded_for_is_ignored_by_default(settings):
    assert settings.TRUSTED_PROXIES == [] or settings.TRUSTED_PROXIES  # whatever the environment says…
    settings.TRUSTED_PROXIES = []  # …the default is: no proxy trusted
    assert _ip("10.0.0.9", "1.2.3.4") == "10.0.0.9"


def test_forwarded_for_is_read_only_from_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "172.16.0.0/12"]
    settings.AXES_IPWARE_PROXY_COUNT = 0  # nginx alone
    assert _ip("127.0.0.1", "10.1.2.3") == "10.1.2.3"
    assert _ip("172.18.0.1", "10.1.2.3") == "10.1.2.3"
    # The client's own X-Forwarded-For is kept by nginx on the left; nginx's entry is the right-most.
    assert _ip("127.0.0.1", "6.6.6.6, 10.1.2.3") == "10.1.2.3"
    assert _ip("127.0.0.1", "garbage, 10.1.2.3") == "10.1.2.3"
    # Not from the proxy: the header is the client's own invention.
    assert _ip("10.9.9.9", "10.1.2.3") == "10.9.9.9"
    # From the proxy but without a usable header: the connection.
    assert _ip("127.0.0.1") == "127.0.0.1"
    assert _ip("127.0.0.1", "nonsense") == "127.0.0.1"


def test_two_proxies_take_the_second_entry_from_the_right(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.AXES_IPWARE_PROXY_COUNT = 1  # a load balancer in front of nginx
    assert _ip("127.0.0.1", "6.6.6.6, 10.1.2.3, 10.0.0.250") == "10.1.2.3"


# ---- passwords -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("weak", ["short1!", "12345678901234", "password123", "qwertyuiop"])
def test_weak_passwords_are_refused(alice, weak):
    with pytest.raises(ValidationError):
        validate_password(weak, user=alice)


def test_a_decent_password_passes(alice):
    validate_password("Anquan#2024-weishan", user=alice)


def test_password_change_page_is_in_chinese_and_applies_the_rules(client, alice):
    client.force_login(alice)
    page = client.get(reverse("password_change"))
    assert page.status_code == 200 and "修改密码" in page.content.decode()
    response = client.post(reverse("password_change"),
                           {"old_password": PASSWORD, "new_password1": "1234567890", "new_password2": "1234567890"})
    assert response.status_code == 200
    assert "密码" in response.content.decode() and "is-invalid" in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


# ---- sessions --------------------------------------------------------------------------------------------------


def test_session_key_changes_at_login(client, alice):
    session = client.session
    session["before-login"] = True
    session.save()
    before = session.session_key
    assert login(client, "alice", PASSWORD).status_code == 302
    after = client.session.session_key
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()


def test_idle_timeout_is_two_hours_and_renewed_by_activity(client, alice):
    assert settings.SESSION_COOKIE_AGE == 2 * 3600
    assert login(client, "alice", PASSWORD).status_code == 302
    key = client.session.session_key
    expires = Session.objects.get(session_key=key).expire_date
    assert abs((expires - timezone.now()).total_seconds() - 2 * 3600) < 60

    # A minute and more later, a request pushes the expiry back.
    session = client.session
    session[SESSION_SEEN_KEY] = int(time.time()) - settings.SESSION_RENEW_SECONDS - 1
    session.save()
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timezone.timedelta(minutes=30))
    client.get(reverse("home"))
    renewed = Session.objects.get(session_key=key).expire_date
    assert (renewed - timezone.now()).total_seconds() > 2 * 3600 - 60


def test_an_idle_session_is_over(client, alice):
    client.force_login(alice)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timezone.timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_absolute_timeout_twelve_hours_after_login(client, alice):
    client.force_login(alice)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    assert session[SESSION_STARTED_KEY] <= time.time()
    session[SESSION_STARTED_KEY] = int(time.time()) - 12 * 3600 - 5
    session[SESSION_SEEN_KEY] = int(time.time())  # active all along
    session.save()
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain and response.redirect_chain[-1][0].startswith(reverse("login"))
    assert "登录已超过 12 小时" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_expired_sessions_are_cleared_on_a_schedule(alice):
    from config.celery import clear_expired_sessions

    schedule = settings.CELERY_BEAT_SCHEDULE
    assert "monthly-reports" in schedule
    entry = schedule["clear-sessions"]
    assert entry["task"] == clear_expired_sessions.name and entry["options"]["expires"] > 0

    client = Client()
    client.force_login(alice)
    Session.objects.update(expire_date=timezone.now() - timezone.timedelta(days=1))
    assert Session.objects.count() == 1
    clear_expired_sessions.apply().get()
    assert Session.objects.count() == 0


def test_password_change_ends_the_users_other_sessions(alice):
    here, elsewhere = Client(), Client()
    assert login(here, "alice", PASSWORD, ip="10.0.6.1").status_code == 302
    assert login(elsewhere, "alice", PASSWORD, ip="10.0.6.2").status_code == 302
    assert elsewhere.get(reverse("home")).status_code == 200

    new = "Anquan#2024-weishan"
    response = here.post(reverse("password_change"),
                         {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert response.status_code == 302 and response["Location"] == reverse("password_change_done")
    assert "密码已修改" in here.get(reverse("password_change_done")).content.decode()
    assert here.get(reverse("home")).status_code == 200  # this session goes on

    response = elsewhere.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_deactivated_users_session_is_refused(client, alice):
    client.force_login(alice)
    assert client.get(reverse("home")).status_code == 200
    alice.is_active = False
    alice.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    # …and logging in again does not work either.
    response = login(Client(), "alice", PASSWORD)
    assert response.status_code == 200 and "用户名或密码不正确" in response.content.decode()
