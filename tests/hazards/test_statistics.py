"""Statistics equal the list counts behind them, and keep a constant number of queries."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaign.models import Unit
from hazards.models import Enterprise, MajorHazard
from hazards.validators import make_credit_code

pytestmark = pytest.mark.django_db


def _make(world, n, start=0):
    other, _ = Unit.objects.get_or_create(code="town-b", defaults={"name": "乙镇", "kind": "township",
                                                                    "parent": world.office})
    for i in range(start, start + n):
        enterprise = Enterprise.objects.create(name=f"企业{i}", credit_code=make_credit_code(f"91370826{i:08d}"))
        closed = i % 3 == 0
        MajorHazard.objects.create(
            campaign=world.campaign, enterprise=enterprise, township=world.township if i % 2 else other,
            supervisor=world.dept_b, industry=["gas", "fire", "hazchem"][i % 3],
            description=f"隐患{i}", channel="supervision",
            found_on=datetime.date(2023, 12, 31) + datetime.timedelta(days=(i % 4) - 1),
            deadline=datetime.date(2024, 3, 31) if i % 5 else datetime.date(2027, 1, 1),
            state="closed" if closed else "rectifying", closed_on=datetime.date(2024, 3, 1) if closed else None,
            listed_level="county" if i % 4 == 0 else "", listed_on=datetime.date(2024, 1, 5) if i % 4 == 0 else None,
        )


def _list_count(client, href):
    page = client.get(href.replace("&amp;", "&")).content.decode()
    return int(re.search(r"共 (\d+) 项", page).group(1))


def test_every_number_matches_the_list_behind_it(client, world, users):
    _make(world, 24)
    client.force_login(users["office"])
    page = client.get(reverse("hazard-statistics", args=[world.campaign.slug])).content.decode()
    cells = re.findall(r'<td class="text-end"><a href="([^"]+)" data-count="(\d+)">\d+</a></td>', page)
    assert len(cells) >= 12
    for href, number in cells:
        assert _list_count(client, href) == int(number), href


def test_statistics_query_count_is_constant(client, world, users):
    client.force_login(users["office"])
    url = reverse("hazard-statistics", args=[world.campaign.slug])
    _make(world, 5)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _make(world, 60, start=100)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(small.captured_queries) == len(large.captured_queries)


def test_burn_down_counts_open_stock_and_increment_by_month(world):
    from hazards.selectors import burn_down

    _make(world, 24)
    data = burn_down(MajorHazard.objects.all(), world.campaign, datetime.date(2024, 6, 30))
    assert data["months"][0] == "2023-12" and data["months"][-1] == "2024-06"
    hazards = list(MajorHazard.objects.all())
    end = datetime.date(2024, 1, 31)
    expected_stock = sum(1 for h in hazards if h.found_on <= world.campaign.baseline_date and h.found_on <= end
                         and (h.closed_on is None or h.closed_on > end))
    assert data["stock"][1] == expected_stock
    assert len(data["increment"]) == len(data["months"])


def test_statistics_page_embeds_the_chart_data(client, world, users):
    _make(world, 6)
    client.force_login(users["leader"])
    page = client.get(reverse("hazard-statistics", args=[world.campaign.slug])).content.decode()
    assert 'id="burn-down-data"' in page and "echarts.min.js" in page


def _bulk(world, count):
    other = Unit.objects.get_or_create(code="town-b", defaults={"name": "乙镇", "kind": "township",
                                                                 "parent": world.office})[0]
    start = Enterprise.objects.count()
    enterprises = Enterprise.objects.bulk_create(
        Enterprise(name=f"批量企业{n}", credit_code=make_credit_code(f"91370826{n + 50000:08d}"))
        for n in range(start, start + count)
    )
    MajorHazard.objects.bulk_create(
        MajorHazard(campaign=world.campaign, enterprise=e, township=world.township if n % 2 else other,
                    supervisor=world.dept_b, industry=["gas", "fire", "hazchem", "road"][n % 4], description="隐患",
                    channel="supervision", found_on=datetime.date(2023, 6, 1) + datetime.timedelta(days=n % 700),
                    deadline=datetime.date(2024, 6, 30), state="closed" if n % 3 == 0 else "rectifying",
                    closed_on=datetime.date(2024, 5, 1) if n % 3 == 0 else None)
        for n, e in enumerate(enterprises)
    )


@pytest.mark.parametrize("name, query", [("hazard-list", ""), ("hazard-list", "?overdue=yes&stock=stock&open=yes"),
                                         ("hazard-statistics", "")])
def test_pages_keep_their_query_count_at_100_and_10000_hazards(client, world, users, name, query):
    client.force_login(users["office"])
    url = reverse(name, args=[world.campaign.slug]) + query
    _bulk(world, 100)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _bulk(world, 9900)
    assert MajorHazard.objects.count() == 10000
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(small.captured_queries) == len(large.captured_queries)


def test_matrix_cells_match_the_list(client, world, users):
    _make(world, 24)
    client.force_login(users["office"])
    page = client.get(reverse("hazard-statistics", args=[world.campaign.slug])).content.decode()
    matrix = page[page.index('id="matrix"'):page.index('id="by-township"')]
    cells = re.findall(r'<a href="([^"]+)" data-count="(\d+)">\d+</a>', matrix)
    assert cells
    for href, number in cells:
        assert _list_count(client, href) == int(number), href
