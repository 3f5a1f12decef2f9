"""Issue 17's acceptance: a month is counted as it stood at its end (DESIGN §5). Importing tasks today that were due
in the past, re-dating and withdrawing responsibilities, then rebuilding last month leaves every unit's counts and
score unchanged."""

import datetime
import io

import pytest

from campaign.models import Campaign
from core.xlsx import Sheet, write_xlsx
from demo.loader import load_demo
from hazards.models import MajorHazard
from imports.engine import run_import
from reporting.services import build_report, publish_report
from tasks.importers import TaskSheetImport, export_sheet
from tasks.models import Assignment

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 18)
OCTOBER = datetime.date(2026, 10, 1)
COUNTS = ("due_count", "on_time_count", "reports_required", "reports_on_time", "target_count", "targets",
          "hazards_due", "hazards_closed_on_time", "overdue_hazards", "overdue_tasks", "on_time", "reporting",
          "hazards", "penalty", "score", "rank")


def lines(report):
    return {s.unit_code: tuple(getattr(s, name) for name in COUNTS) for s in report.scores.all()}


@pytest.mark.today("2026-11-18")
def test_importing_past_due_tasks_today_leaves_last_month_as_it_was():
    load_demo(today=TODAY, reports=False)
    campaign = Campaign.objects.get(slug="weishan-2024")
    plan = campaign.plans.get(kind="master")
    first = publish_report(build_report(campaign, OCTOBER))
    before = lines(first)
    headline = first.summary["headline"]

    # Today the office imports the plan again with two new tasks that were due in June, for many units.
    exported = export_sheet(plan)
    template = exported.rows[0]
    new_rows = [[f"{900 + n}", template[1], template[2], f"补充任务{n}：开展专项排查整治", template[4], template[5],
                 "2026年6月30日前", "无"] for n in (1, 2)]
    buffer = io.BytesIO()
    write_xlsx(buffer, [Sheet(exported.title, exported.headers, exported.rows + new_rows, exported.widths)])
    run_import(TaskSheetImport(plan), buffer.getvalue(), withdraw=False)
    added = Assignment.objects.filter(task__plan=plan, task__code__in=["901", "902"])
    assert added.count() >= 2 and all(a.due_date == datetime.date(2026, 6, 30) for a in added)
    # Today an open item is moved earlier, into the past, and another one is withdrawn.
    moved = Assignment.objects.filter(task__plan__campaign=campaign, completed_on__isnull=True,
                                      due_date__gt=TODAY).exclude(pk__in=added).first()
    moved.due_date = datetime.date(2026, 9, 30)
    moved.save()
    withdrawn = Assignment.objects.filter(task__plan__campaign=campaign, due_date__lte=OCTOBER).exclude(
        pk__in=added).exclude(pk=moved.pk).first()
    withdrawn.withdrawn_on = TODAY  # as the import does when a unit with records is taken off
    withdrawn.save()

    # And registers a hazard found in October that was due in October, and moves another one's deadline back.
    hazard = MajorHazard.objects.filter(campaign=campaign, closed_on__isnull=True,
                                        deadline__gt=datetime.date(2026, 10, 31)).first()
    MajorHazard.objects.create(
        campaign=campaign, enterprise=hazard.enterprise, township=hazard.township, supervisor=hazard.supervisor,
        industry=hazard.industry, description="今日补录的十月隐患", channel=hazard.channel,
        found_on=datetime.date(2026, 10, 10), deadline=datetime.date(2026, 10, 20), state="registered")
    hazard.deadline = datetime.date(2026, 10, 15)
    hazard.save()

    second = build_report(campaign, OCTOBER)
    assert second.version == 2 and first.version == 1
    assert lines(second) == before
    assert second.summary["headline"] == headline
    # The new version says it changes nothing.
    assert second.summary["changes"] == {"version": 1, "units": [], "headline": []}

    # A record of the month corrected today (an overdue item was in fact finished on its due date) shows up,
    # and the next version names it.
    publish_report(second)
    late = Assignment.objects.filter(task__plan__campaign=campaign, completed_on__isnull=True,
                                     due_date__lt=datetime.date(2026, 10, 31)).exclude(pk__in=added).exclude(
                                         pk=moved.pk).first()
    late.completed_on = late.due_date
    late.save()
    third = build_report(campaign, OCTOBER)
    changed = {u["unit"]: u["changes"] for u in third.summary["changes"]["units"]}
    assert third.summary["changes"]["version"] == 2
    assert any(c.startswith("按期完成 ") for c in changed[late.unit.name])
