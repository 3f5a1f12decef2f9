"""The plan page runs the same number of queries with 28 tasks as with 280."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaign.models import ActionLine, KeyTask
from tasks.models import Assignment, Milestone, QuantifiedTarget, TargetYearValue, Task

from ..factories import make_task

pytestmark = pytest.mark.django_db


def _grow(world, count):
    """Add ``count`` tasks in bulk (no per-row saves: only the page's queries matter here)."""
    lines = [ActionLine.objects.get_or_create(plan=world.master, number=n, defaults={"title": f"行动{n}"})[0]
             for n in range(10, 13)]
    keys = [KeyTask.objects.get_or_create(action_line=line, title=f"重点{line.number}")[0] for line in lines]
    start = world.master.tasks.count() + 1
    tasks = Task.objects.bulk_create(
        Task(plan=world.master, code=str(n), position=n, text=f"第{n}项任务。", action_line=lines[n % 3],
             key_task=keys[n % 3] if n % 4 == 0 else None)
        for n in range(start, start + count)
    )
    Lead, Coop = Task.lead_units.through, Task.cooperating_units.through
    Lead.objects.bulk_create(Lead(task=t, unit=[world.dept_a, world.dept_b][i % 2]) for i, t in enumerate(tasks))
    Coop.objects.bulk_create(Coop(task=t, unit=world.township) for t in tasks)
    milestones = Milestone.objects.bulk_create(
        Milestone(task=t, seq=seq, due_date=day, text="节点")
        for t in tasks for seq, day in ((1, datetime.date(2024, 12, 31)), (2, datetime.date(2025, 6, 30)))
    )
    Assignment.objects.bulk_create(
        Assignment(task=m.task, milestone=m, unit=unit, role=role, due_date=m.due_date)
        for i, m in enumerate(milestones)
        for unit, role in (([world.dept_a, world.dept_b][(i // 2) % 2], "lead"), (world.township, "coop"))
    )
    targets = QuantifiedTarget.objects.bulk_create(QuantifiedTarget(task=t, metric="覆盖率") for t in tasks)
    TargetYearValue.objects.bulk_create(TargetYearValue(target=t, year=2024, value=80) for t in targets)


def _count(client, url):
    client.get(url)  # the first view keeps what every later one reads (the campaign, the user's place in it)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.parametrize("who", ["office", "liaison_a"])
@pytest.mark.parametrize("query", ["", "?year=2024&status=overdue", "?unit={unit}&q=任务"])
def test_plan_page_query_count_does_not_grow_with_tasks(client, world, users, who, query):
    client.force_login(users[who])
    url = reverse("plan-tree", args=[world.campaign.slug, world.master.unit.code]) + query.format(
        unit=world.dept_a.pk
    )
    _grow(world, 26)  # 28 tasks in the plan
    small, response = _count(client, url)
    assert world.master.tasks.count() == 28
    _grow(world, 252)  # 280 tasks
    large, response = _count(client, url)
    assert world.master.tasks.count() == 280
    assert small == large
    assert large <= 20


def test_task_page_query_count_does_not_grow_with_milestones(client, world, users):
    client.force_login(users["office"])
    task = make_task(world.master, 99, lead=[world.dept_a], coop=[world.township],
                     due=[datetime.date(2024, 3, 31)])
    url = reverse("task-detail", args=[world.campaign.slug, task.pk])
    small, _ = _count(client, url)
    task2 = make_task(world.master, 100, lead=[world.dept_a, world.dept_b], coop=[world.township],
                      due=[datetime.date(2024, m, 28) for m in range(1, 13)])
    large, _ = _count(client, reverse("task-detail", args=[world.campaign.slug, task2.pk]))
    assert small == large
