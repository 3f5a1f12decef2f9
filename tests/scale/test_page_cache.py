"""Pages that keep their rendered content (campaign/pagecache.py) show every change at once."""

from __future__ import annotations

import datetime
import re

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from hazards.models import Enterprise, MajorHazard
from hazards.validators import make_credit_code
from tasks.models import ProgressReport

pytestmark = pytest.mark.django_db


def total(client, url) -> int:
    return int(re.search(r"共 (\d+) 项", client.get(url).content.decode()).group(1))


def hazard(world, n, **extra):
    enterprise = Enterprise.objects.create(name=f"缓存企业{n}", credit_code=make_credit_code(f"91370826{n:08d}"))
    return MajorHazard.objects.create(
        campaign=world.campaign, enterprise=enterprise, township=world.township, supervisor=world.dept_b,
        industry="gas", description=f"隐患{n}", channel="supervision", found_on=datetime.date(2024, 5, 1),
        deadline=datetime.date(2024, 6, 30), **extra)


def test_hazard_list_and_statistics_follow_inserts_changes_and_deletions(client, world, users):
    client.force_login(users["office"])
    listing = reverse("hazard-list", args=[world.campaign.slug])
    stats = reverse("hazard-statistics", args=[world.campaign.slug])
    first = hazard(world, 1)
    assert total(client, listing) == 1 and total(client, listing + "?state=closed") == 0
    assert "隐患1" in client.get(listing).content.decode()
    client.get(stats)
    hazard(world, 2)  # an insert
    assert total(client, listing) == 2
    first.state, first.closed_on = "closed", datetime.date(2024, 6, 1)
    first.save()  # a change (written to the history)
    assert total(client, listing + "?state=closed") == 1
    assert ">1</a>" in client.get(stats).content.decode().split('id="by-industry"')[1]
    first.enterprise.name = "改名企业"
    first.enterprise.save()  # a name shown in the rows
    assert "改名企业" in client.get(listing).content.decode()
    first.delete()  # a deletion
    assert total(client, listing) == 1
    MajorHazard.objects.bulk_create([MajorHazard(  # a bulk insert, with no history at all
        campaign=world.campaign, enterprise=first.enterprise, township=world.township, supervisor=world.dept_b,
        industry="fire", description="批量", channel="other", found_on=datetime.date(2024, 5, 2))])
    assert total(client, listing) == 2


def test_task_list_follows_reports_and_renames(client, world, users):
    client.force_login(users["office"])
    url = reverse("list-tasks", args=[world.campaign.slug])
    assert "已完成" not in client.get(url + f"?unit={world.dept_a.code}").content.decode().split("<tbody>")[1]
    a = world.task_a.assignments.get(unit=world.dept_a)
    before = total(client, url + "?status=in_progress")
    now = datetime.datetime(2024, 3, 20, 10, tzinfo=datetime.UTC)
    ProgressReport.objects.create(assignment=a, month=datetime.date(2024, 3, 1), state="submitted", progress="推进中",
                                  first_submitted_at=now, submitted_at=now)
    assert total(client, url + "?status=in_progress") == before + 1
    world.dept_a.short_name = "住建局改名"
    world.dept_a.save()
    assert "住建局改名" in client.get(url).content.decode()


def test_scoreboard_shows_a_rebuilt_report(client, world, users):
    from reporting.services import build_report

    client.force_login(users["office"])
    url = reverse("scoreboard", args=[world.campaign.slug])
    report = build_report(world.campaign, datetime.date(2024, 6, 1))
    assert "2024年6月" in client.get(url).content.decode()
    world.dept_a.name = "改名后的住建局"
    world.dept_a.save()
    assert "改名后的住建局" not in client.get(url).content.decode()  # the snapshot keeps the month's names
    build_report(world.campaign, report.month)  # rebuilt: a new build time, a new key
    assert "改名后的住建局" in client.get(url).content.decode()


def test_scoreboard_month_menu_follows_builds_publication_and_deletion(client, world, users):
    from reporting.models import MonthlyReport
    from reporting.services import build_report, publish_report

    june, july = datetime.date(2024, 6, 1), datetime.date(2024, 7, 1)
    url = reverse("scoreboard", args=[world.campaign.slug])
    june_report = build_report(world.campaign, june)
    client.force_login(users["leader"])
    assert "还没有已发布的月报" in client.get(url).content.decode()  # the leader reads published months only
    publish_report(june_report)
    assert "2024年6月" in client.get(url).content.decode()  # a publication changes the menu's marks
    client.force_login(users["office"])
    assert "2024年7月" not in client.get(url).content.decode()
    july_report = build_report(world.campaign, july)  # a new month
    assert "2024年7月" in client.get(url).content.decode()
    MonthlyReport.objects.filter(pk=july_report.pk).delete()  # a deletion (the admin) lowers the count
    page = client.get(url).content.decode()
    assert "2024年7月" not in page and "2024年6月" in page


# ---- kept content (core/pagecache.CachedContentMixin): the page around it is rendered per request ----------------

KEPT_PAGES = ["hazard-list", "hazard-statistics", "list-tasks", "scoreboard"]


def nonce_of(response) -> str:
    return re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)


@pytest.mark.parametrize("name", KEPT_PAGES)
def test_a_page_whose_content_is_kept_has_this_requests_csrf_token_and_nonce(client, world, users, name,
                                                                     django_assert_num_queries):
    from reporting.services import build_report

    build_report(world.campaign, datetime.date(2024, 6, 1))
    hazard(world, 1)
    client.force_login(users["office"])
    url = reverse(name, args=[world.campaign.slug])
    first = client.get(url)
    with django_assert_num_queries(3):  # the session, the user with profile, the marks: nothing else
        second = client.get(url)
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', second.content.decode())
    assert tokens and all(len(token) == 64 for token in tokens)
    nonce = nonce_of(second)
    assert nonce != nonce_of(first) and f'nonce="{nonce}"' in second.content.decode()
    assert "\x00" not in second.content.decode()
    # The page is the same apart from those.
    strip = lambda r: re.sub(r'(value|nonce)="[^"]*"', "", r.content.decode())  # noqa: E731
    assert strip(first) == strip(second)
    # The token works: the layout's logout form posts with it under CSRF checks.
    checked = Client(enforce_csrf_checks=True)
    checked.cookies = client.cookies
    assert checked.post(reverse("logout"), {"csrfmiddlewaretoken": tokens[0]}).status_code == 302


def test_each_user_gets_a_page_of_their_own(client, world, users):
    url = reverse("hazard-list", args=[world.campaign.slug])
    hazard(world, 1)
    client.force_login(users["office"])
    assert "操作日志" in client.get(url).content.decode()
    client.force_login(users["liaison_a"])
    page = client.get(url).content.decode()
    assert world.dept_a.display_name in page  # the layout shows the liaison's unit
    assert "操作日志" not in page  # and not the office's menu


def test_a_page_with_messages_is_rendered_not_served_from_the_cache(client, world, users):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage

    client.force_login(users["office"])
    url = reverse("hazard-list", args=[world.campaign.slug])
    client.get(url)
    storage = CookieStorage(RequestFactory().get("/"))
    response = HttpResponse()
    storage.add(constants.SUCCESS, "已保存一条消息")
    storage.update(response)
    client.cookies[storage.cookie_name] = response.cookies[storage.cookie_name].value
    assert "已保存一条消息" in client.get(url).content.decode()
    assert "已保存一条消息" not in client.get(url).content.decode()  # shown once


def test_the_broker_banner_is_part_of_the_key(client, world, users, monkeypatch):
    from core import health

    client.force_login(users["office"])
    url = reverse("hazard-statistics", args=[world.campaign.slug])
    assert 'id="background-jobs-down"' not in client.get(url).content.decode()
    monkeypatch.setattr(health, "broker_available", lambda **kw: False)
    assert 'id="background-jobs-down"' in client.get(url).content.decode()


def test_marks_read_by_a_prepared_statement_follow_inserts_and_rollbacks(world):
    """On PostgreSQL the marks are read by a statement prepared once per connection; it sees every change
    and outlives the transactions it was prepared in (SQLite reads the same SQL directly)."""
    from django.db import connection, transaction

    from campaign.models import Campaign, Unit
    from core.pagecache import table_marks

    models = (Campaign, Unit, MajorHazard, Unit)
    first = table_marks(*models)
    assert len(first) == 6  # Unit named twice is read once
    with transaction.atomic():
        hazard(world, 1)
        inside = table_marks(*models)
        assert inside[4] > (first[4] or 0)
        transaction.set_rollback(True)
    assert table_marks(*models) == first
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'prepared_%%'")
            assert cursor.fetchone()[0] >= 1


def test_users_of_one_role_and_unit_share_the_kept_content(client, world, users, django_assert_num_queries):
    from campaign.choices import Role

    from ..factories import make_user

    hazard(world, 1)
    url = reverse("hazard-list", args=[world.campaign.slug])
    client.force_login(users["office"])
    first = client.get(url).content.decode()
    client.force_login(make_user("office2", Role.OFFICE, world.office))
    with django_assert_num_queries(3):  # the session, the user with profile, the marks: the content is shared
        second = client.get(url).content.decode()
    strip = lambda page: re.sub(r'(value|nonce)="[^"]*"|office2?', "", page)  # noqa: E731
    assert strip(first) == strip(second)


def test_kept_content_may_not_hold_a_csrf_token_or_a_nonce(rf, users):
    from django.core.exceptions import ImproperlyConfigured
    from django.template import engines

    from core.pagecache import CachedContentMixin

    class Page(CachedContentMixin):
        content_template_name = "page.html"

    page = Page()
    page.request = rf.get("/")
    page.request.user = users["office"]
    template = engines["django"].from_string('<form method="post">{% csrf_token %}</form>')
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("core.pagecache.render_to_string", lambda name, context, request: template.render(
            context, request))
        with pytest.raises(ImproperlyConfigured):
            page.render_content({})
