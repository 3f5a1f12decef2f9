"""The web layer: Content-Security-Policy, error pages, a bad Host, and pages with the broker down."""

import json
import re
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import include, path, reverse

from config import urls as config_urls
from core import health
from tasks.models import Assignment, FollowUp

pytestmark = pytest.mark.django_db

TEMPLATES = Path(django_settings.BASE_DIR) / "templates"
CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def boom(request):
    raise RuntimeError("secret detail that must not reach the page")


def forbidden(request):
    raise PermissionDenied


# A URL configuration for these tests: the site's, plus views that fail on purpose.
urlpatterns = [
    path("test-boom/", boom),
    path("test-forbidden/", forbidden),
    path("", include("config.urls")),
]
handler400 = config_urls.handler400


def pages(world):
    """Every kind of page a signed-in office user opens, with the demo world's objects."""
    slug = world.campaign.slug
    assignment = Assignment.objects.filter(task=world.task_a).first()
    follow_up = FollowUp.objects.create(assignment=assignment, kind="reminder", content="请加快进度")
    return [
        reverse("campaign-detail", args=[slug]),
        reverse("plan-tree", args=[slug, world.office.code]),
        reverse("task-detail", args=[slug, world.task_a.pk]),
        reverse("assignment-detail", args=[slug, assignment.pk]),
        reverse("follow-up-print", args=[slug, follow_up.pk]),
        reverse("monthly-entry", args=[slug]),
        reverse("review-queue", args=[slug]),
        reverse("extension-queue", args=[slug]),
        reverse("list-tasks", args=[slug]),
        reverse("list-problems", args=[slug]),
        reverse("list-ledger", args=[slug]),
        reverse("import-history", args=[slug]),
        reverse("import-upload", args=[slug, world.office.code]),
        reverse("hazard-list", args=[slug]),
        reverse("hazard-create", args=[slug]),
        reverse("hazard-statistics", args=[slug]),
        reverse("scoreboard", args=[slug]),
        reverse("monthly-list", args=[slug]),
        reverse("unit-list"),
        reverse("audit-log"),
        reverse("password_change"),
    ]


# ---- Content-Security-Policy ---------------------------------------------------------------------------------


INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def inline_scripts(html: str) -> list[str]:
    """<script> tags that would execute inline code: no src, and not a JSON data block."""
    found = []
    for match in SCRIPT_TAG.finditer(html):
        attrs = match.group(1)
        if "src=" in attrs or re.search(r'type\s*=\s*"application/(ld\+)?json"', attrs):
            continue
        found.append(match.group(0))
    return found


def test_no_template_has_inline_script_or_event_handler():
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        if INLINE_HANDLER.search(text) or inline_scripts(text) or "javascript:" in text:
            offenders.append(str(template.relative_to(TEMPLATES)))
    assert offenders == []


def test_policy_allows_scripts_only_from_the_site_or_with_the_nonce(client, world, users):
    client.force_login(users["office"])
    response = client.get(reverse("campaign-detail", args=[world.campaign.slug]))
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    nonce = re.search(r"'nonce-([^']+)'", directives["script-src"]).group(1)
    assert directives["script-src"].split() == ["'self'", f"'nonce-{nonce}'"]
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert directives["default-src"] == "'self'" and directives["base-uri"] == "'self'"
    html = response.content.decode()
    tags = SCRIPT_TAG.findall(html)
    assert tags and all(f'nonce="{nonce}"' in attrs for attrs in tags if "bootstrap" in attrs or "app.js" in attrs)
    # A new nonce on every response.
    again = client.get(reverse("campaign-detail", args=[world.campaign.slug]))["Content-Security-Policy"]
    assert nonce not in again


def test_rendered_pages_carry_no_inline_script_or_handler(client, world, users):
    client.force_login(users["office"])
    for url in pages(world):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not INLINE_HANDLER.search(html), url
        assert inline_scripts(html) == [], url
        assert "Content-Security-Policy" in response.headers, url


def test_admin_pages_load_the_script_that_replaces_third_party_inline_handlers(client, users):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", password="pw-123456-test")
    client.force_login(admin)
    response = client.get(reverse("admin:index"))
    html = response.content.decode()
    assert response.status_code == 200 and "js/admin_csp.js" in html and "治本攻坚" in html
    assert "Content-Security-Policy" in response.headers


# ---- error pages -------------------------------------------------------------------------------------------------


@pytest.fixture
def production_like(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__


def test_404_is_chinese_without_details(client, production_like, users):
    client.force_login(users["office"])
    response = client.get("/no/such/page/")
    text = response.content.decode()
    assert response.status_code == 404
    assert "没有找到您要的页面" in text and "Traceback" not in text and "urlpatterns" not in text


def test_403_is_chinese(client, production_like, users):
    client.force_login(users["office"])
    response = client.get("/test-forbidden/")
    assert response.status_code == 403 and "无权访问" in response.content.decode()


def test_500_is_chinese_without_the_exception(production_like):
    client = Client(raise_request_exception=False)
    response = client.get("/test-boom/")
    text = response.content.decode()
    assert response.status_code == 500
    assert "系统暂时出现问题" in text
    assert "secret detail" not in text and "Traceback" not in text and "RuntimeError" not in text


def test_bad_host_header_is_a_400(client, production_like):
    response = client.get("/accounts/login/", HTTP_HOST="evil.example.com")
    text = response.content.decode()
    assert response.status_code == 400
    assert "请求有误" in text and "evil.example.com" not in text and "ALLOWED_HOSTS" not in text


def test_csrf_failure_is_chinese(production_like):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403 and "页面已过期" in response.content.decode()


# ---- the broker is down ------------------------------------------------------------------------------------------


@pytest.fixture
def broker_down(settings, monkeypatch):
    """A broker URL where nothing listens, and a count of every connection made to any broker."""
    settings.CELERY_BROKER_URL = CLOSED_PORT_BROKER
    settings.CELERY_TASK_ALWAYS_EAGER = False
    health.reset_broker_check()
    from kombu.connection import Connection

    connects = []
    real = Connection._establish_connection

    def counted(self):
        connects.append(self.as_uri())
        return real(self)

    monkeypatch.setattr(Connection, "_establish_connection", counted)
    yield connects
    health.reset_broker_check()


def test_every_page_is_served_and_says_jobs_are_unavailable(client, world, users, broker_down):
    client.force_login(users["office"])
    started = time.monotonic()
    for url in pages(world):
        response = client.get(url)
        assert response.status_code == 200, url
        assert health.BACKGROUND_JOBS_DOWN in response.content.decode(), url
    assert time.monotonic() - started < 30
    # One look at the broker for all those pages (cached for BROKER_CHECK_INTERVAL); nothing else touched it.
    assert len(broker_down) == 1


def test_the_check_is_repeated_after_the_interval(client, world, users, broker_down, settings):
    settings.BROKER_CHECK_INTERVAL = 0
    client.force_login(users["office"])
    client.get(reverse("campaign-detail", args=[world.campaign.slug]))
    client.get(reverse("campaign-detail", args=[world.campaign.slug]))
    assert len(broker_down) == 2


def test_no_banner_and_no_check_without_a_broker(client, world, users, settings, monkeypatch):
    settings.CELERY_BROKER_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    health.reset_broker_check()
    monkeypatch.setattr(health, "_ping_broker", lambda: pytest.fail("eager mode must not check a broker"))
    client.force_login(users["office"])
    response = client.get(reverse("campaign-detail", args=[world.campaign.slug]))
    assert health.BACKGROUND_JOBS_DOWN not in response.content.decode()


def test_no_banner_for_visitors_who_are_not_signed_in(client, broker_down):
    response = client.get(reverse("login"))
    assert response.status_code == 200 and health.BACKGROUND_JOBS_DOWN not in response.content.decode()
    assert broker_down == []


# ---- /healthz ----------------------------------------------------------------------------------------------------


def test_healthz_without_a_broker(client, settings):
    settings.CELERY_BROKER_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok", "broker": "not configured"}
    assert response["Cache-Control"].startswith("max-age=0")
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_healthz_with_the_broker_down_is_503_and_says_no_more(client, broker_down):
    response = client.get("/healthz")
    body = json.loads(response.content)
    assert response.status_code == 503
    assert body == {"status": "unavailable", "database": "ok", "broker": "unavailable"}
    assert "127.0.0.1" not in response.content.decode()


def test_healthz_with_the_database_down_is_503(client, settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = True

    def broken_cursor(*args, **kwargs):
        from django.db import OperationalError

        raise OperationalError("connection refused")

    monkeypatch.setattr(health.connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["database"] == "unavailable"


def test_healthz_with_a_real_broker(client, settings):
    import os

    url = os.environ.get("CELERY_BROKER_URL")
    if not url:
        pytest.skip("CELERY_BROKER_URL is not set: no real broker to check against")
    settings.CELERY_BROKER_URL = url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    health.reset_broker_check()
    try:
        response = client.get("/healthz")
    finally:
        health.reset_broker_check()
    assert response.status_code == 200 and json.loads(response.content)["broker"] == "ok"


# ---- in a real browser -----------------------------------------------------------------------------------------



def test_a_browser_reports_no_policy_violation_and_the_scripts_work(browser, live_server, world, users):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    problems = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "office")
        page.fill("#id_password", "pw-123456-test")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        urls = pages(world)
        for url in urls:
            page.goto(f"{live_server.url}{url}")
            page.wait_for_load_state("load")
        assert problems == []

        # Charts are drawn by static scripts (ECharts puts a canvas in the holder).
        page.goto(f"{live_server.url}{reverse('hazard-statistics', args=[world.campaign.slug])}")
        page.wait_for_selector("#burn-down canvas")

        # The print button (data-print, bound by print.js).
        page.goto(f"{live_server.url}{next(u for u in urls if '/follow-ups/' in u)}")
        page.evaluate("window.print = function () { window.__printed = true; }")
        page.click("[data-print]")
        assert page.evaluate("window.__printed === true")

        # A select marked data-autosubmit submits its form (app.js): the language switcher.
        page.select_option("select[name=language]", "en")
        page.wait_for_function("document.documentElement.lang === 'en'")
        assert problems == []
    finally:
        context.close()


@pytest.mark.parametrize("query", ["?unit=%00", "?q=a%00b", "?status=%00overdue", "?%00=1"])
def test_a_nul_in_the_query_answers_400_not_500(client, world, users, query):
    client.force_login(users["office"])
    for name in ("list-tasks", "hazard-list", "list-problems"):
        response = client.get(reverse(name, args=[world.campaign.slug]) + query)
        assert response.status_code == 400 and "请求有误" in response.content.decode()


def test_odd_report_ids_in_the_review_form_are_ignored(client, world, users):
    client.force_login(users["office"])
    response = client.post(reverse("review-queue", args=[world.campaign.slug]),
                           {"report": ["²", "٣", "-1", "x"], "action": "accept"})
    assert response.status_code in (200, 302)


def test_healthz_shares_the_pages_broker_answer_and_never_waits_for_a_check(client, broker_down, monkeypatch):
    assert client.get("/healthz").status_code == 503
    for _ in range(5):  # a monitor polling: one look at the broker per interval, not one per call
        client.get("/healthz")
    assert len(broker_down) == 1
    # While another thread is checking (the lock held), /healthz answers with the last answer at once.
    health.reset_broker_check()
    health._last.update(at=None, ok=False)
    assert health._lock.acquire(blocking=False)
    try:
        started = time.monotonic()
        assert client.get("/healthz").status_code == 503
        assert time.monotonic() - started < 1
    finally:
        health._lock.release()
