"""Issue 17: a number on a page is a promise about a list. Every number marked ``data-count`` on the home page, the
scoreboard, the dispatch report and the hazard statistics, as each role sees them, links to a list that shows
exactly that many rows (its ``data-total``)."""

import datetime
import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from demo.loader import load_demo
from reporting.services import build_report, publish_report

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 18)
COUNT_LINK = re.compile(r'<a\b[^>]*\bhref="([^"]+)"[^>]*\bdata-count="(\d+)"')
TOTAL = re.compile(r'data-total="(\d+)"')


def count_links(page: str) -> list[tuple[str, int]]:
    return [(html.unescape(href), int(count)) for href, count in COUNT_LINK.findall(page)]


@pytest.fixture
def demo(django_db_blocker):
    campaign = load_demo(today=TODAY, reports=False)
    for month in (datetime.date(2026, 9, 1), datetime.date(2026, 10, 1)):
        publish_report(build_report(campaign, month))
    # A preview of the month in progress (counted to today): the office reads it.
    build_report(campaign, datetime.date(2026, 11, 1), preview=True)
    return campaign


@pytest.mark.today("2026-11-18")
@pytest.mark.parametrize("username", ["office", "leader", "zjj", "yjj", "xiazhen"])
def test_every_number_equals_the_list_it_links_to(client, demo, username):
    client.force_login(get_user_model().objects.get(username=username))
    slug = demo.slug
    pages = [reverse("campaign-detail", args=[slug]), reverse("scoreboard", args=[slug]),
             reverse("scoreboard", args=[slug]) + "?month=2026-09",
             reverse("hazard-statistics", args=[slug])]
    if username in ("office", "leader"):
        pages += [reverse("monthly-detail", args=[slug, "2026-10"])]
    if username == "office":
        pages += [reverse("monthly-detail", args=[slug, "2026-11"])]  # the preview, counted to today
    checked = 0
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        links = count_links(response.content.decode())
        assert links or page.endswith("statistics/"), f"{page} shows no linked number"
        for href, count in links:
            listed = client.get(href)
            assert listed.status_code == 200, (page, href)
            totals = TOTAL.findall(listed.content.decode())
            assert totals, (page, href)
            assert int(totals[0]) == count, f"{username}: {page} says {count}, {href} lists {totals[0]}"
            checked += 1
    assert checked > 10


def test_a_list_as_of_a_past_day_shows_each_row_as_it_stood_then(client, world, users):
    from tasks.models import Assignment

    late = Assignment.objects.get(task=world.task_b, due_date=datetime.date(2024, 6, 30))
    late.completed_on = datetime.date(2024, 7, 2)
    late.save()
    client.force_login(users["office"])
    page = client.get(reverse("list-tasks", args=[world.campaign.slug])
                      + "?as_of=2024-06-30&rule=open&unit=dept-b").content.decode()
    assert "截至 2024-06-30" in page and "未完成" in page
    assert "（2024-07-02 完成）" in page and "已完成</span>" not in page
