"""The office maintains units, campaigns, plans, action lines and key tasks in the app."""

import pytest
from django.urls import reverse

from campaign.models import ActionLine, KeyTask, Plan, Unit
from tasks.models import Task

pytestmark = pytest.mark.django_db


def test_office_creates_a_unit_and_a_sub_plan(client, world, users):
    client.force_login(users["office"])
    response = client.post(reverse("unit-create"), {
        "code": "dept-c", "name": "县交通运输局", "short_name": "县交通局", "aliases": "", "kind": "department",
        "parent": world.office.pk, "sort_order": 3, "is_active": "on",
    })
    assert response.status_code == 302
    unit = Unit.objects.get(code="dept-c")
    response = client.post(reverse("plan-create", args=[world.campaign.slug]),
                           {"unit": unit.pk, "kind": "sub", "title": "交通局子方案"})
    assert response.status_code == 302
    assert Plan.objects.filter(campaign=world.campaign, unit=unit, kind="sub").exists()
    # A second master plan is refused with a message.
    response = client.post(reverse("plan-create", args=[world.campaign.slug]),
                           {"unit": unit.pk, "kind": "master", "title": "x"})
    assert "已有总方案" in response.content.decode()


def test_a_sub_plan_is_for_a_unit_of_the_campaign_offices_tree(client, world, users):
    other_office = Unit.objects.create(code="other-office", name="另一县安委办", kind="office")
    other = Unit.objects.create(code="other-dept", name="另一县交通运输局", kind="department", parent=other_office)
    client.force_login(users["office"])
    response = client.post(reverse("plan-create", args=[world.campaign.slug]),
                           {"unit": other.pk, "kind": "sub", "title": "别县子方案"})
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    assert not Plan.objects.filter(unit=other).exists()


def test_action_lines_and_key_tasks(client, world, users):
    client.force_login(users["office"])
    slug, code = world.campaign.slug, world.master.unit.code
    client.post(reverse("actionline-create", args=[slug, code]), {"number": 2, "title": "开展第二项行动"})
    line = ActionLine.objects.get(plan=world.master, number=2)
    client.post(reverse("keytask-create", args=[slug, code]), {"action_line": line.pk, "title": "重点一"})
    assert KeyTask.objects.filter(action_line=line, title="重点一").exists()
    page = client.get(reverse("plan-structure", args=[slug, code])).content.decode()
    assert "开展第二项行动" in page and "重点一" in page
    # Deleting an action line keeps its tasks, ungrouped.
    first = world.task_a.action_line
    client.post(reverse("actionline-delete", args=[slug, code, first.pk]))
    world.task_a.refresh_from_db()
    assert world.task_a.action_line is None


def test_deleting_a_sub_plan_and_a_unit_in_use(client, world, users):
    client.force_login(users["office"])
    client.post(reverse("plan-delete", args=[world.campaign.slug, world.plan_b.unit.code]))
    assert not Plan.objects.filter(pk=world.plan_b.pk).exists()
    assert not Task.objects.filter(pk=world.sub_task_b.pk).exists()
    response = client.post(reverse("unit-delete", args=[world.dept_a.pk]), follow=True)
    assert "无法删除" in response.content.decode()
    assert Unit.objects.filter(pk=world.dept_a.pk).exists()


def test_maintenance_forms_refuse_a_save_over_a_later_change(client, world, users):
    import re

    client.force_login(users["office"])
    url = reverse("unit-update", args=[world.township.pk])
    page = client.get(url).content.decode()
    opened = re.search(r'name="version" value="([^"]*)"', page).group(1)
    fields = {"name": world.township.name, "short_name": "", "code": world.township.code, "kind": "township",
              "parent": world.office.pk, "sort_order": 0, "is_active": "on", "aliases": ""}
    # A colleague renames the township after this form was opened.
    assert client.post(url, {**fields, "name": "某某镇（改）", "version": opened}).status_code == 302
    response = client.post(url, {**fields, "name": "某某镇（旧页面）", "version": opened})
    page = response.content.decode()
    assert response.status_code == 200 and "已被他人修改" in page and "某某镇（旧页面）" in page
    world.township.refresh_from_db()
    assert world.township.name == "某某镇（改）"
    current = re.search(r'name="version" value="([^"]*)"', page).group(1)
    assert client.post(url, {**fields, "name": "某某镇（旧页面）", "version": current}).status_code == 302
