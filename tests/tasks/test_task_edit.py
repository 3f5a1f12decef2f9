"""Office and liaisons maintain tasks with milestones and quantified targets in the browser."""

import datetime
import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from campaign.choices import UnitKind
from tasks.models import Assignment, Milestone, QuantifiedTarget, Task
from tasks.services import task_sync_assignments

from ..factories import UnitFactory

pytestmark = pytest.mark.django_db


def opened_form(client, url) -> dict:
    """The version and opening time an edit form carries, as a browser would send them back."""
    page = client.get(url).content.decode()
    return {name: re.search(rf'name="{name}" value="([^"]*)"', page).group(1) for name in ("version", "opened_at")}


def _payload(world, **overrides):
    data = {
        "code": "9",
        "position": "9",
        "action_line": "",
        "key_task": "",
        "text": "2024年底前，完成电焊作业智能监管平台推广。",
        "lead_units": [str(world.dept_a.pk)],
        "cooperating_units": [str(world.township.pk)],
        "ms-TOTAL_FORMS": "2",
        "ms-INITIAL_FORMS": "0",
        "ms-MIN_NUM_FORMS": "0",
        "ms-MAX_NUM_FORMS": "1000",
        "ms-0-due_date": "2024-12-31",
        "ms-0-text": "推广应用",
        "ms-1-due_date": "2025-06-30",
        "ms-1-text": "完善提升",
        "tg-TOTAL_FORMS": "1",
        "tg-INITIAL_FORMS": "0",
        "tg-MIN_NUM_FORMS": "0",
        "tg-MAX_NUM_FORMS": "1000",
        "tg-0-metric": "“四不”演练占比",
        "tg-0-measure_unit": "%",
        "tg-0-comparator": "gte",
        "tg-0-baseline": "",
        "tg-0-value_2024": "40",
        "tg-0-value_2025": "50",
        "tg-0-value_2026": "",
    }
    data.update(overrides)
    return data


def test_office_creates_a_task_with_milestones_targets_and_assignments(client, world, users):
    client.force_login(users["office"])
    url = reverse("task-create", args=[world.campaign.slug, world.master.unit.code])
    response = client.post(url, _payload(world))
    assert response.status_code == 302, response.content.decode()[:2000]
    task = Task.objects.get(plan=world.master, code="9")
    assert list(task.milestones.values_list("due_date", flat=True)) == [
        datetime.date(2024, 12, 31), datetime.date(2025, 6, 30)
    ]
    # Two milestones × (one lead + one cooperating unit)
    assert task.assignments.count() == 4
    assert set(task.assignments.values_list("unit__code", "role").distinct()) == {("dept-a", "lead"), ("town", "coop")}
    target = QuantifiedTarget.objects.get(task=task)
    assert {v.year: int(v.value) for v in target.year_values.all()} == {2024: 40, 2025: 50}
    # Who did it is in the history.
    assert task.history.first().history_user == users["office"]
    page = client.get(reverse("task-detail", args=[world.campaign.slug, task.pk])).content.decode()
    history = page[page.index("变更记录"):]
    assert "任务 9" in history and "新建" in history and "office" in history


def test_units_offered_are_the_campaign_offices_own(client, world, users):
    """Another county's departments are neither listed nor accepted."""
    other_office = UnitFactory(code="other-office", name="另一县安委办", kind=UnitKind.OFFICE)
    other = UnitFactory(code="other-dept", name="另一县应急管理局", parent=other_office)
    client.force_login(users["office"])
    url = reverse("task-create", args=[world.campaign.slug, world.master.unit.code])
    page = client.get(url).content.decode()
    assert "县应急管理局" in page and "另一县应急管理局" not in page
    response = client.post(url, _payload(world, lead_units=[str(other.pk)]))
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    assert not Task.objects.filter(plan=world.master, code="9").exists()


def test_duplicate_code_is_refused_and_nothing_is_lost(client, world, users):
    client.force_login(users["office"])
    url = reverse("task-create", args=[world.campaign.slug, world.master.unit.code])
    before = Task.objects.count()
    response = client.post(url, _payload(world, code="1"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "已有编号为“1”的任务" in page
    assert "完成电焊作业智能监管平台推广" in page  # the typed text is still in the form
    assert Task.objects.count() == before


def test_milestone_outside_the_campaign_is_refused(client, world, users):
    client.force_login(users["office"])
    url = reverse("task-create", args=[world.campaign.slug, world.master.unit.code])
    response = client.post(url, _payload(world, **{"ms-1-due_date": "2027-03-31"}))
    assert response.status_code == 200
    assert "完成时限须在三年行动期内" in response.content.decode()
    assert not Task.objects.filter(plan=world.master, code="9").exists()


def test_task_needs_a_lead_unit_and_a_milestone(client, world, users):
    client.force_login(users["office"])
    url = reverse("task-create", args=[world.campaign.slug, world.master.unit.code])
    blank = {"ms-0-due_date": "", "ms-0-text": "", "ms-1-due_date": "", "ms-1-text": ""}
    response = client.post(url, _payload(world, lead_units=[], **blank))
    page = response.content.decode()
    assert "请至少选择一个牵头单位" in page
    assert "每项任务至少需要一个时间节点" in page


def test_liaison_edits_its_own_sub_plan(client, world, users):
    client.force_login(users["liaison_a"])
    task = world.sub_task_a
    milestone = task.milestones.get()
    url = reverse("task-update", args=[world.campaign.slug, world.plan_a.unit.code, task.pk])
    data = _payload(
        world, code="1", lead_units=[str(world.dept_a.pk)], cooperating_units=[],
        **{
            "ms-TOTAL_FORMS": "1", "ms-INITIAL_FORMS": "1", "ms-0-id": str(milestone.pk), "ms-0-task": str(task.pk),
            "ms-0-due_date": "2026-12-15", "ms-0-text": "提前完成",
        },
    )
    data.pop("ms-1-due_date")
    data.pop("ms-1-text")
    response = client.post(url, {**data, **opened_form(client, url)})
    assert response.status_code == 302, response.content.decode()[:3000]
    assignment = task.assignments.get()
    assert assignment.due_date == datetime.date(2026, 12, 15)


def test_liaison_cannot_post_into_another_units_plan(client, world, users):
    client.force_login(users["liaison_a"])
    url = reverse("task-create", args=[world.campaign.slug, world.plan_b.unit.code])
    assert client.post(url, _payload(world)).status_code == 404
    assert not Task.objects.filter(plan=world.plan_b, code="9").exists()


def test_sync_assignments_follows_units_and_milestones(world):
    task = world.task_b
    assert task.assignments.count() == 2
    task.cooperating_units.set([world.township])
    created, updated, withdrawn, deleted = task_sync_assignments(task=task)
    assert (created, withdrawn, deleted) == (2, 0, 0)
    task.cooperating_units.set([])
    Milestone.objects.filter(task=task, seq=1).update(due_date=datetime.date(2024, 9, 30))
    created, updated, withdrawn, deleted = task_sync_assignments(task=task)
    assert (created, updated, withdrawn, deleted) == (0, 1, 0, 2)  # nothing was recorded on them
    assert Assignment.objects.filter(task=task, due_date=datetime.date(2024, 9, 30)).count() == 1


def test_task_code_is_unique_within_a_plan_in_the_database(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.create(plan=world.master, code="1", text="重复")
    # The same code in another plan is fine.
    Task.objects.create(plan=world.plan_b, code="2", text="子方案任务")


def _sub_task_edit(world, **changes):
    task = world.sub_task_a
    milestone = task.milestones.get()
    data = _payload(
        world, code="1", lead_units=[str(world.dept_a.pk)], cooperating_units=[],
        **{"ms-TOTAL_FORMS": "1", "ms-INITIAL_FORMS": "1", "ms-0-id": str(milestone.pk), "ms-0-task": str(task.pk),
           "ms-0-due_date": "2024-12-31", "ms-0-text": "节点1"},
    )
    data.pop("ms-1-due_date")
    data.pop("ms-1-text")
    data.update(changes)
    return data


def test_a_stale_form_is_refused_with_what_changed_and_nothing_lost(client, world, users):
    """A liaison opens its task; the office adds a cooperating unit; the liaison's stale save must not undo it."""
    from tasks.models import ProgressReport
    from tasks.services import task_sync_assignments

    task = world.sub_task_a
    url = reverse("task-update", args=[world.campaign.slug, world.plan_a.unit.code, task.pk])
    client.force_login(users["liaison_a"])
    opened = opened_form(client, url)
    # Meanwhile the office adds the township, which reports.
    task.cooperating_units.add(world.township)
    task_sync_assignments(task=task)
    Task.objects.get(pk=task.pk).save()  # the office's save writes a history record, as the page does
    township_part = task.assignments.get(unit=world.township)
    ProgressReport.objects.create(assignment=township_part, month=datetime.date(2024, 6, 1), progress="已开展",
                                  reported_status="in_progress", state="submitted", first_submitted_at=timezone.now(),
                                  submitted_at=timezone.now())
    response = client.post(url, {**_sub_task_edit(world, text="联络员改写的任务内容"), **opened})
    page = response.content.decode()
    assert response.status_code == 200 and 'id="changed-meanwhile"' in page and "已被他人修改" in page
    assert "联络员改写的任务内容" in page  # what the liaison typed is still in the form
    task.refresh_from_db()
    assert task.text != "联络员改写的任务内容"
    assert task.cooperating_units.filter(pk=world.township.pk).exists()
    assert ProgressReport.objects.filter(assignment=township_part).exists()
    # Saving again, deliberately, from the form as it came back (with the current version) goes through.
    again = re.search(r'name="version" value="([^"]*)"', page).group(1)
    assert client.post(url, {**_sub_task_edit(world, text="联络员改写的任务内容"), "version": again}).status_code == 302


def test_a_form_without_its_version_saves_nothing(client, world, users):
    client.force_login(users["liaison_a"])
    url = reverse("task-update", args=[world.campaign.slug, world.plan_a.unit.code, world.sub_task_a.pk])
    assert client.post(url, _sub_task_edit(world, text="无版本的保存")).status_code == 200
    assert Task.objects.get(pk=world.sub_task_a.pk).text != "无版本的保存"


def test_a_liaison_binds_only_its_own_unit_in_its_sub_plan(client, world, users):
    client.force_login(users["liaison_a"])
    url = reverse("task-create", args=[world.campaign.slug, world.plan_a.unit.code])
    page = client.get(url).content.decode()
    assert world.dept_b.name not in page.split('name="lead_units"')[1].split("</select>")[0]
    # Another unit as lead, another unit as cooperating (not allowed by the office), a date in the past: refused.
    data = _payload(world, lead_units=[str(world.dept_b.pk)], **{"ms-0-due_date": "2024-03-31"})
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200 and "完成时限不能早于今天" in page and "lead_units" in page
    assert not Task.objects.filter(plan=world.plan_a, code="9").exists()
    ok = _payload(world, cooperating_units=[], **{"ms-0-due_date": "2026-12-31", "ms-1-due_date": "2026-12-31"})
    assert client.post(url, ok).status_code == 302
    assert set(Task.objects.get(plan=world.plan_a, code="9").lead_units.all()) == {world.dept_a}
    # Where the office allows it, other units may be named as cooperating.
    world.campaign.sub_plans_name_cooperating_units = True
    world.campaign.save()
    more = _payload(world, code="10", **{"ms-0-due_date": "2026-12-31", "ms-1-due_date": "2026-12-31"})
    assert client.post(url, more).status_code == 302
    assert set(Task.objects.get(plan=world.plan_a, code="10").cooperating_units.all()) == {world.township}


def test_a_liaison_links_only_to_master_tasks_it_can_see(client, world, users):
    client.force_login(users["liaison_a"])
    page = client.get(reverse("task-create", args=[world.campaign.slug, world.plan_a.unit.code])).content.decode()
    options = page.split('name="master_task"')[1].split("</select>")[0]
    assert f'value="{world.task_a.pk}"' in options and f'value="{world.task_b.pk}"' not in options
