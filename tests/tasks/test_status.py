"""Derived assignment status at its boundaries (DESIGN §3)."""

import datetime

import pytest

from tasks.models import Assignment, ProgressReport
from tasks.selectors import status_counts, with_status

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 3, 10)


def _report(assignment, month, state="accepted", status="in_progress", at=None):
    at = at or datetime.datetime(month.year, month.month, 20, 10, tzinfo=datetime.UTC)
    return ProgressReport.objects.create(
        assignment=assignment, month=month, state=state, reported_status=status,
        first_submitted_at=None if state == "draft" else at, submitted_at=None if state == "draft" else at,
    )


def _status(world, due, completed=None, closed=None, reported_last_month=True):
    assignment = world.task_a.assignments.get(unit=world.dept_a)
    Assignment.objects.filter(pk=assignment.pk).update(due_date=due, completed_on=completed, closed_on=closed)
    if reported_last_month:
        _report(assignment, datetime.date(2025, 2, 1))
    row = with_status(Assignment.objects.filter(pk=assignment.pk), TODAY).get()
    return row.state, row.warning, row.light


@pytest.mark.parametrize(
    "days, warning, light",
    [
        (0, "due_soon", "yellow"),  # due today
        (7, "due_soon", "yellow"),
        (8, "", "green"),
        (-1, "overdue", "red"),
    ],
)
def test_open_assignment_warnings(world, days, warning, light):
    state, got_warning, got_light = _status(world, TODAY + datetime.timedelta(days=days))
    assert (state, got_warning, got_light) == ("in_progress", warning, light)


def test_missing_last_months_report_turns_the_light_yellow(world):
    assert _status(world, TODAY + datetime.timedelta(days=60), reported_last_month=False) == (
        "not_started", "", "yellow"
    )


def test_completed_on_the_due_date_is_green(world):
    assert _status(world, TODAY, completed=TODAY) == ("completed", "", "green")


def test_completed_one_day_late_is_not_on_time(world):
    due = TODAY - datetime.timedelta(days=3)
    assert _status(world, due, completed=due + datetime.timedelta(days=1)) == ("completed", "", "yellow")


def test_closed_out(world):
    due = TODAY - datetime.timedelta(days=30)
    assert _status(world, due, completed=due, closed=due + datetime.timedelta(days=2)) == ("closed", "", "green")


def test_status_counts_in_one_query(world, django_assert_num_queries):
    Assignment.objects.filter(task=world.task_a).update(due_date=TODAY + datetime.timedelta(days=3))
    Assignment.objects.filter(task=world.task_b).update(due_date=TODAY - datetime.timedelta(days=1))
    with django_assert_num_queries(1):
        counts = status_counts(Assignment.objects.filter(task__plan=world.master), TODAY)
    assert (counts["total"], counts["overdue"], counts["due_soon"], counts["completed"]) == (4, 2, 2, 0)
