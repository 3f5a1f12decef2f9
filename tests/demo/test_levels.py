"""Issue 18's acceptance on the demo: jurisdictions and the level above (Jining over Weishan and Jiaxiang)."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from campaign.models import Campaign
from demo.loader import load_demo

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 18)


@pytest.fixture
def levels():
    load_demo(today=TODAY, reports=False, city=True)
    return {slug: Campaign.objects.get(slug=slug) for slug in ("jining-2024", "weishan-2024", "jiaxiang-2024")}


def login(client, username):
    client.force_login(get_user_model().objects.get(username=username))


@pytest.mark.today("2026-11-18")
def test_offices_are_confined_to_their_jurisdiction_and_the_city_reads_its_counties(client, levels):
    weishan, jiaxiang, jining = levels["weishan-2024"], levels["jiaxiang-2024"], levels["jining-2024"]
    assert weishan.parent == jining and jiaxiang.parent == jining

    login(client, "office")  # Weishan's office
    assert client.get(reverse("campaign-detail", args=["jiaxiang-2024"])).status_code == 404
    assert client.get(reverse("scoreboard", args=["jiaxiang-2024"])).status_code == 404
    assert client.get(reverse("campaign-detail", args=["jining-2024"])).status_code == 404
    before = Campaign.objects.get(pk=jiaxiang.pk).name
    response = client.post(reverse("campaign-update", args=["jiaxiang-2024"]), {"name": "改名"})
    assert response.status_code == 404 and Campaign.objects.get(pk=jiaxiang.pk).name == before

    login(client, "city-office")
    page = client.get(reverse("campaign-detail", args=["jining-2024"])).content.decode()
    assert "微山县安全生产委员会办公室" in page and "嘉祥县安全生产委员会办公室" in page
    assert client.get(reverse("scoreboard", args=["weishan-2024"])).status_code == 200
    page = client.get(reverse("campaign-detail", args=["weishan-2024"])).content.decode()
    assert "只读查看" in page and reverse("campaign-update", args=["weishan-2024"]) not in page
    assert client.post(reverse("campaign-update", args=["weishan-2024"]), {"name": "改名"}).status_code == 403
    assert Campaign.objects.get(pk=weishan.pk).name != "改名"

    rollup = client.get(reverse("rollup", args=["jining-2024"])).content.decode()
    assert rollup.count('href="/c/weishan-2024/"') == 1 and rollup.count('href="/c/jiaxiang-2024/"') == 1

    login(client, "city-leader")
    assert client.get(reverse("rollup", args=["jining-2024"])).status_code == 200
    assert client.get(reverse("hazard-list", args=["jiaxiang-2024"])).status_code == 200

    login(client, "zjj")  # a Weishan liaison: its own county only
    assert client.get(reverse("campaign-detail", args=["weishan-2024"])).status_code == 200
    assert client.get(reverse("campaign-detail", args=["jiaxiang-2024"])).status_code == 404
    assert client.get(reverse("campaign-detail", args=["jining-2024"])).status_code == 404


@pytest.mark.today("2026-11-18")
def test_the_rollup_ranks_the_counties_with_the_unit_score(levels):
    from reporting.rollup import jurisdiction_components, rollup
    from reporting.scoring import Weights

    city_office = get_user_model().objects.get(username="city-office")
    month, rows = rollup(city_office, levels["jining-2024"], TODAY)
    assert month == datetime.date(2026, 10, 1)
    assert [r.campaign.slug for r in rows] != [] and {r.campaign.slug for r in rows} == {"weishan-2024",
                                                                                       "jiaxiang-2024"}
    for row in rows:
        components = jurisdiction_components(row.campaign, month)
        assert row.score == components.score(Weights.of(levels["jining-2024"]))
        assert components.due_count > 0 and row.headline["tasks"]["total"] > 0
    assert sorted(r.rank for r in rows) in ([1, 2], [1, 1])
