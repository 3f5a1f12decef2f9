"""Every list filter and ordering the pages use has an index: EXPLAIN their queries and find no sequential scan
of a large table, and no full sort under a page's LIMIT.

The data is the county preset of ``seed_scale`` (the same generator as the province, a hundredth of its size)
with fresh statistics. The planner is told to avoid sequential scans and sorts wherever it can
(``enable_seqscan``, ``enable_sort`` off): one that remains has no index to use instead, which on a province's
200,000 hazards or 2,000,000 reports means reading the whole table on every page view.
"""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaign.choices import Role
from campaign.models import Profile, Unit
from devtools.benchmarks.scale import Seeder, analyze
from hazards.models import Enterprise, MajorHazard
from reporting.models import UnitScore
from reporting.services import build_report, publish_report
from tasks.models import Assignment, Milestone, ProgressReport, ProgressValue, QuantifiedTarget, TargetYearValue, Task

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

MONTH = datetime.date(2026, 10, 1)
# Tables that grow with a province (hundreds of thousands to millions of rows).
LARGE = {model._meta.db_table for model in (Assignment, Milestone, ProgressReport, ProgressValue, QuantifiedTarget,
                                            TargetYearValue, Task, MajorHazard, Enterprise, UnitScore)}
CURSOR = re.compile(r'^DECLARE "[^"]+" NO SCROLL CURSOR WITH(?:OUT)? HOLD FOR ', re.DOTALL)


@pytest.fixture
def county(client):
    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN checks need PostgreSQL (DATABASE_URL): SQLite plans are not the production plans")
    campaign = Seeder("county").run()
    analyze()
    publish_report(build_report(campaign, MONTH))
    user = get_user_model().objects.create_user("explain-office", password="pw-123456-test")
    Profile.objects.create(user=user, role=Role.OFFICE, unit=campaign.office)
    client.force_login(user)
    return campaign


def plan_of(sql: str) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_sort = off")
        try:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            data = cursor.fetchone()[0]
        finally:
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET enable_sort")
    return (json.loads(data) if isinstance(data, str) else data)[0]["Plan"]


def nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def scans_large(plan: dict) -> bool:
    return any(node.get("Relation Name") in LARGE for node in nodes(plan))


def problems_in(sql: str, *, page: bool = True) -> list[str]:
    plan = plan_of(sql)
    found = [f"Seq Scan on {node['Relation Name']}" for node in nodes(plan)
             if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in LARGE]
    if page and plan["Node Type"] == "Limit":  # a page of a list: its order must come from an index
        # (An incremental sort is fine: an index gives the leading part of the order, the rest is sorted within
        # each group as the page is read.)
        found += ["Sort under a page's LIMIT (no index gives this order)" for node in nodes(plan)
                  if node["Node Type"] == "Sort" and scans_large(node)]
    return found


def selects(queries) -> list[str]:
    result = []
    for query in queries:
        sql = CURSOR.sub("", query["sql"])
        if sql.lstrip().upper().startswith(("SELECT", "WITH")) and any(f'"{table}"' in sql for table in LARGE):
            result.append(sql)
    return result


def assert_indexed(queries, what: str, *, pages: bool = True) -> None:
    found = {}
    for sql in selects(queries):
        problems = problems_in(sql, page=pages)
        if problems:
            found[sql[:300]] = problems
    assert not found, f"{what}: " + "\n".join(f"{p} in: {sql}" for sql, ps in found.items() for p in ps)


def page_queries(client, url: str):
    cache.clear()  # the page's real work, not its cached fragment
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return captured.captured_queries


def some(model, **filters):
    return model.objects.filter(**filters).order_by("pk").first()


def test_task_list_and_its_filters(client, county):
    base = reverse("list-tasks", args=[county.slug])
    unit = some(Unit, parent=county.office, kind="township")
    line = county.plans.get(kind="master").action_lines.order_by("number").first()
    for query in ["", "?page=3", f"?unit={unit.code}", "?status=overdue", "?status=completed", "?year=2025",
                  f"?action_line={line.pk}", f"?unit={unit.code}&status=in_progress"]:
        assert_indexed(page_queries(client, base + query), f"task list {query}")


def test_problem_list_and_ledger(client, county):
    for name in ("list-problems", "list-ledger"):
        assert_indexed(page_queries(client, reverse(name, args=[county.slug])), name)


def test_hazard_list_and_its_common_filters(client, county):
    base = reverse("hazard-list", args=[county.slug])
    township = some(Unit, parent=county.office, kind="township")
    department = some(Unit, parent=county.office, kind="department")
    for query in ["", "?page=5", "?state=closed", f"?township={township.pk}", "?industry=gas",
                  f"?supervisor={department.pk}", "?overdue=yes", "?open=yes", "?stock=stock&open=yes", "?listed=yes",
                  "?found_after=2025-01-01&found_before=2025-06-30", "?deadline_before=2025-03-31",
                  f"?township={township.pk}&industry=gas&open=yes"]:
        assert_indexed(page_queries(client, base + query), f"hazard list {query}")


def test_hazard_statistics(client, county):
    assert_indexed(page_queries(client, reverse("hazard-statistics", args=[county.slug])), "hazard statistics")


def test_scoreboard_and_report_pages(client, county):
    scoreboard = reverse("scoreboard", args=[county.slug])
    for url in [scoreboard, scoreboard + "?township_page=2",
                reverse("monthly-detail", args=[county.slug, "2026-10"]),
                reverse("monthly-bulletin", args=[county.slug, "2026-10", "criticism"])]:
        assert_indexed(page_queries(client, url), url)


def test_report_build_aggregations(county):
    with CaptureQueriesContext(connection) as captured:
        build_report(county, datetime.date(2026, 9, 1))
    # A monthly job, not a page: its capped lists ("the first 300 problems") may sort a month's rows.
    assert_indexed(captured.captured_queries, "report build", pages=False)


def test_the_check_finds_a_missing_index(county):
    """The test's own check: a filter on an unindexed column, or a page ordered by one, is caught."""
    table = MajorHazard._meta.db_table
    assert problems_in(f"SELECT id FROM {table} WHERE responsible_person = '张三'") == [f"Seq Scan on {table}"]
    assert problems_in(f"SELECT id FROM {table} WHERE campaign_id = {county.pk} ORDER BY responsible_person LIMIT 5")
    assert not problems_in(f"SELECT id FROM {table} WHERE campaign_id = {county.pk} ORDER BY found_on LIMIT 5")
