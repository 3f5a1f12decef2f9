"""No list, page or export makes a query per row: each answers in the same number of queries for a small
campaign and for one several times its size (units, tasks, assignments, reports, hazards and scores).

Both campaigns come from ``seed_scale``'s generator; the page cache is cleared before each request, so the
count is the page's real work. Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from devtools.benchmarks.scale import Preset, Seeder
from reporting.services import build_report, publish_report

pytestmark = pytest.mark.django_db

MONTH = datetime.date(2026, 10, 1)
SMALL = Preset(8, "甲", departments=3, townships=4, zones=1, tasks=6, assignments=50, hazards=40, sub_tasks=2)
LARGE = Preset(9, "乙", departments=9, townships=20, zones=2, tasks=24, assignments=600, hazards=400, sub_tasks=3)


@pytest.fixture
def campaigns(client):
    result = {}
    for name, preset in (("small", SMALL), ("large", LARGE)):
        campaign = Seeder(preset, slug=f"qc-{name}").run()
        publish_report(build_report(campaign, MONTH))
        result[name] = campaign
    # An administrator (a superuser with no unit) works in both seeded campaigns, each run by its own office.
    user = get_user_model().objects.create_superuser("qc-office", password="pw-123456-test")
    client.force_login(user)
    return result


def count(client, url: str) -> int:
    cache.clear()  # the page's own work, not a fragment cached by an earlier request
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200, url
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    return len(captured.captured_queries)


PAGES = [
    ("list-tasks", ""), ("list-tasks", "?status=overdue"), ("list-tasks", "?export=xlsx"),
    ("list-problems", ""), ("list-problems", "?export=xlsx"),
    ("list-ledger", ""), ("list-ledger", "?export=xlsx"),
    ("hazard-list", ""), ("hazard-list", "?open=yes&stock=stock"), ("hazard-statistics", ""),
    ("hazard-export", ""),
    ("scoreboard", ""),
]
REPORT_PAGES = ["monthly-detail", "monthly-ranking-xlsx", "monthly-dispatch-xlsx"]


@pytest.mark.parametrize("name, query", PAGES)
def test_pages_and_exports_do_not_query_per_row(client, campaigns, name, query):
    small, large = (count(client, reverse(name, args=[campaigns[size].slug]) + query) for size in ("small", "large"))
    assert small == large, f"{name}{query}: {small} queries for the small campaign, {large} for the large one"


@pytest.mark.parametrize("name", REPORT_PAGES)
def test_report_pages_do_not_query_per_unit(client, campaigns, name):
    small, large = (count(client, reverse(name, args=[campaigns[size].slug, "2026-10"])) for size in ("small", "large"))
    assert small == large, f"{name}: {small} queries for the small campaign, {large} for the large one"


@pytest.mark.parametrize("kind", ["praise", "criticism"])
def test_bulletins_and_their_word_files_do_not_query_per_unit(client, campaigns, kind):
    for name in ("monthly-bulletin", "monthly-bulletin-docx"):
        small, large = (count(client, reverse(name, args=[campaigns[size].slug, "2026-10", kind]))
                        for size in ("small", "large"))
        assert small == large, f"{name} {kind}: {small} queries for the small campaign, {large} for the large one"


def test_plan_task_export_does_not_query_per_task(client, campaigns):
    def url(size):
        campaign = campaigns[size]
        return reverse("task-export", args=[campaign.slug, campaign.office.code])

    assert count(client, url("small")) == count(client, url("large"))


def test_the_large_campaign_is_larger(campaigns):
    """The comparison means something: several times the units, assignments and hazards."""
    small, large = campaigns["small"], campaigns["large"]
    for relation in ("hazards", "plans"):
        assert getattr(large, relation).count() > 2 * getattr(small, relation).count()
    from tasks.models import Assignment

    assert (Assignment.objects.filter(task__plan__campaign=large).count()
            > 5 * Assignment.objects.filter(task__plan__campaign=small).count())


def test_exports_are_workbooks(client, campaigns):
    response = client.get(reverse("hazard-export", args=[campaigns["large"].slug]))
    assert zipfile.is_zipfile(io.BytesIO(response.content))
