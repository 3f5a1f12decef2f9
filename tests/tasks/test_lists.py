"""二清单一台账: pages, exports, who sees which rows, constant query counts."""

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tasks.models import ExtensionRequest, ProgressReport, ProgressValue, QuantifiedTarget, TargetYearValue

from ..factories import make_task

pytestmark = pytest.mark.django_db
LISTS = ["list-tasks", "list-problems", "list-ledger"]


def url(world, name, query=""):
    return reverse(name, args=[world.campaign.slug]) + query


def _seed_problems(world):
    now = timezone.now()
    a = world.task_a.assignments.get(unit=world.dept_a)  # overdue since 2024-12-31
    ProgressReport.objects.create(assignment=a, month=datetime.date(2024, 10, 1), state="returned",
                                  return_reason="数据不全", progress="x", first_submitted_at=now, submitted_at=now)
    b = world.task_b.assignments.order_by("due_date").last()
    ExtensionRequest.objects.create(assignment=b, previous_due=b.due_date, requested_due=datetime.date(2026, 6, 30),
                                    reason="资金未到位")
    target = QuantifiedTarget.objects.create(task=world.task_b, metric="覆盖率", baseline=0)
    TargetYearValue.objects.create(target=target, year=timezone.localdate().year, value=100)
    report = ProgressReport.objects.create(
        assignment=b, month=datetime.date(2026, 1, 1), state="accepted", progress="y",
        first_submitted_at=now, submitted_at=now,
    )
    ProgressValue.objects.create(report=report, target=target, value=5)


def test_problem_list_has_every_kind_with_its_reason(client, world, users):
    _seed_problems(world)
    client.force_login(users["office"])
    page = client.get(url(world, "list-problems")).content.decode()
    for text in ["逾期", "数据不全", "资金未到位", "量化目标滞后", "覆盖率：实际 5%"]:
        assert text in page


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("who", ["office", "leader", "liaison_a"])
def test_lists_answer_and_export(client, world, users, name, who):
    _seed_problems(world)
    client.force_login(users[who])
    assert client.get(url(world, name)).status_code == 200
    response = client.get(url(world, name, "?export=xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    text = " ".join(str(c.value) for row in book.active.iter_rows() for c in row if c.value)
    if who == "liaison_a":
        assert world.dept_b.name not in text
    elif name != "list-problems":
        assert world.dept_b.name in text


@pytest.mark.parametrize("name", LISTS)
def test_liaison_asking_for_another_unit_gets_404(client, world, users, name):
    client.force_login(users["liaison_a"])
    assert client.get(url(world, name, f"?unit={world.dept_b.code}")).status_code == 404
    assert client.get(url(world, name, f"?unit={world.dept_b.code}&export=xlsx")).status_code == 404


def test_task_list_filters(client, world, users):
    client.force_login(users["office"])
    page = client.get(url(world, "list-tasks", f"?unit={world.dept_b.code}&status=overdue")).content.decode()
    assert world.dept_b.display_name in page and world.dept_a.display_name not in page.split("<tbody>")[1]


@pytest.mark.parametrize("name", LISTS)
def test_list_query_counts_do_not_grow(client, world, users, name):
    _seed_problems(world)
    client.force_login(users["office"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(world, name)).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    now = timezone.now()
    for n in range(10, 40):
        task = make_task(world.master, n, lead=[world.dept_a, world.dept_b], coop=[world.township],
                         due=[datetime.date(2024, 6, 30), datetime.date(2026, 6, 30)])
        for a in task.assignments.all():
            ProgressReport.objects.create(assignment=a, month=datetime.date(2026, 1, 1), state="returned",
                                          return_reason="r", progress="p", first_submitted_at=now, submitted_at=now)
        QuantifiedTarget.objects.create(task=task, metric="m", baseline=0)
    assert count() == small
