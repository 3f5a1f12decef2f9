"""Each role against the plan, task, assignment and maintenance pages."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _get(client, user, url):
    if user is not None:
        client.force_login(user)
    return client.get(url)


def plan_url(world, plan):
    return reverse("plan-tree", args=[world.campaign.slug, plan.unit.code])


@pytest.mark.parametrize(
    "who, expected",
    [("office", 200), ("leader", 200), ("liaison_a", 200), ("liaison_b", 200), ("liaison_town", 200), ("norole", 403)],
)
def test_master_plan_is_readable_by_every_role(client, world, users, who, expected):
    assert _get(client, users[who], plan_url(world, world.master)).status_code == expected


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(plan_url(world, world.master))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "who, expected", [("office", 200), ("leader", 200), ("liaison_a", 200), ("liaison_b", 404), ("liaison_town", 404)]
)
def test_sub_plan_only_for_its_own_unit(client, world, users, who, expected):
    assert _get(client, users[who], plan_url(world, world.plan_a)).status_code == expected


def test_liaison_sees_only_its_own_tasks_in_the_master_plan(client, world, users):
    page = _get(client, users["liaison_b"], plan_url(world, world.master)).content.decode()
    assert reverse("task-detail", args=[world.campaign.slug, world.task_b.pk]) in page
    assert reverse("task-detail", args=[world.campaign.slug, world.task_a.pk]) not in page


@pytest.mark.parametrize(
    "who, task_attr, expected",
    [
        ("office", "task_a", 200),
        ("leader", "sub_task_b", 200),
        ("liaison_a", "task_a", 200),
        ("liaison_town", "task_a", 200),  # cooperating unit
        ("liaison_b", "task_a", 404),
        ("liaison_a", "sub_task_a", 200),
        ("liaison_a", "sub_task_b", 404),
        ("liaison_town", "sub_task_a", 404),
    ],
)
def test_task_page(client, world, users, who, task_attr, expected):
    task = getattr(world, task_attr)
    url = reverse("task-detail", args=[world.campaign.slug, task.pk])
    assert _get(client, users[who], url).status_code == expected


@pytest.mark.parametrize(
    "who, expected", [("office", 200), ("leader", 200), ("liaison_a", 200), ("liaison_b", 404), ("liaison_town", 404)]
)
def test_assignment_page(client, world, users, who, expected):
    assignment = world.task_a.assignments.get(unit=world.dept_a)
    url = reverse("assignment-detail", args=[world.campaign.slug, assignment.pk])
    assert _get(client, users[who], url).status_code == expected


@pytest.mark.parametrize(
    "who, plan_attr, expected",
    [
        ("office", "master", 200),
        ("office", "plan_b", 200),
        ("leader", "master", 403),
        ("liaison_a", "master", 403),
        ("liaison_a", "plan_a", 200),
        ("liaison_a", "plan_b", 404),
    ],
)
def test_task_create_page(client, world, users, who, plan_attr, expected):
    plan = getattr(world, plan_attr)
    url = reverse("task-create", args=[world.campaign.slug, plan.unit.code])
    assert _get(client, users[who], url).status_code == expected


@pytest.mark.parametrize(
    "who, task_attr, expected",
    [("office", "task_a", 200), ("liaison_a", "sub_task_a", 200), ("liaison_a", "sub_task_b", 404),
     ("leader", "task_a", 403), ("liaison_a", "task_a", 403)],
)
def test_task_edit_page(client, world, users, who, task_attr, expected):
    task = getattr(world, task_attr)
    url = reverse("task-update", args=[world.campaign.slug, task.plan.unit.code, task.pk])
    assert _get(client, users[who], url).status_code == expected


@pytest.mark.parametrize(
    "who, expected", [("office", 302), ("leader", 403), ("liaison_a", 404), ("liaison_b", 302)]
)
def test_task_delete(client, world, users, who, expected):
    url = reverse("task-delete", args=[world.campaign.slug, world.sub_task_b.pk])
    client.force_login(users[who])
    assert client.post(url).status_code == expected


@pytest.mark.parametrize("name", ["unit-list", "unit-create", "campaign-create"])
@pytest.mark.parametrize("who, expected", [("office", 200), ("leader", 403), ("liaison_a", 403), ("norole", 403)])
def test_maintenance_pages_are_for_the_office(client, users, name, who, expected):
    assert _get(client, users[who], reverse(name)).status_code == expected


@pytest.mark.parametrize("who, expected", [("office", 200), ("leader", 403), ("liaison_a", 403)])
def test_plan_structure_is_for_the_office(client, world, users, who, expected):
    url = reverse("plan-structure", args=[world.campaign.slug, world.master.unit.code])
    assert _get(client, users[who], url).status_code == expected


def test_campaign_page_lists_only_visible_plans(client, world, users):
    page = _get(client, users["liaison_a"], reverse("campaign-detail", args=[world.campaign.slug])).content.decode()
    assert "住建局子方案" in page
    assert "应急局子方案" not in page
    page = _get(client, users["leader"], reverse("campaign-detail", args=[world.campaign.slug])).content.decode()
    assert "住建局子方案" in page and "应急局子方案" in page
