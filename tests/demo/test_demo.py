import datetime

import pytest
from django.core.management import call_command

from campaign.choices import UnitKind
from campaign.models import ActionLine, Campaign, Unit
from demo.loader import load_demo
from demo.weishan import parse_plan
from reporting.models import MonthlyReport
from tasks.models import Assignment, FollowUp, Milestone, ProgressValue, QuantifiedTarget, Task

pytestmark = pytest.mark.django_db


def _counts():
    return {
        "campaigns": Campaign.objects.filter(slug="weishan-2024").count(),
        "lines": ActionLine.objects.filter(plan__campaign__slug="weishan-2024", plan__kind="master").count(),
        "tasks": Task.objects.filter(plan__campaign__slug="weishan-2024", plan__kind="master").count(),
        "milestones": Milestone.objects.count(),
        "assignments": Assignment.objects.count(),
        "departments": Unit.objects.filter(kind=UnitKind.DEPARTMENT, code__startswith="ws-").count(),
        "townships": Unit.objects.filter(kind__in=[UnitKind.TOWNSHIP, UnitKind.ZONE], code__startswith="ws-").count(),
        "all_campaigns": sorted(Campaign.objects.values_list("slug", flat=True)),
        "history": Task.history.count() + Assignment.history.count() + Unit.history.count(),
        "targets": QuantifiedTarget.objects.count(),
        "values": ProgressValue.objects.count(),
        "follow_ups": FollowUp.objects.count(),
        "reports": list(MonthlyReport.objects.values_list("month", "version", "state")),
    }


def test_load_demo_twice_leaves_one_campaign_and_changes_nothing(capsys):
    call_command("load_demo")
    first = _counts()
    call_command("load_demo")
    assert _counts() == first
    assert first["campaigns"] == 1
    assert first["all_campaigns"] == ["jiaxiang-2024", "jining-2024", "weishan-2024"]  # and the city above two
    assert first["lines"] == 9
    assert first["tasks"] == 28
    assert first["departments"] == 21
    assert first["townships"] == 16
    assert len(first["reports"]) >= 12 and {state for _, _, state in first["reports"]} == {"published"}
    out = capsys.readouterr().out
    for username in ("office", "leader", "zjj", "yjj", "xiazhen", "admin", "jx-office", "city-office", "city-leader"):
        assert username in out


def test_demo_milestones_come_from_the_plan_text():
    load_demo(reports=False)
    end = datetime.date(2026, 12, 31)
    dated = Milestone.objects.filter(task__plan__campaign__slug="weishan-2024")
    assert dated.count() >= 40
    # Task 11 names five deadlines, including "2025年6月底前" and "2026年6月底前".
    task11 = Task.objects.get(plan__kind="master", code="11")
    assert list(task11.milestones.values_list("due_date", flat=True)) == [
        datetime.date(2024, 12, 31), datetime.date(2025, 6, 30), datetime.date(2025, 12, 31),
        datetime.date(2026, 6, 30), end,
    ]
    # Task 2 has no date: it gets the campaign end.
    assert list(Task.objects.get(plan__kind="master", code="2").milestones.values_list("due_date", flat=True)) == [end]
    target = QuantifiedTarget.objects.get(task__code="14", task__plan__kind="master")
    assert {v.year: int(v.value) for v in target.year_values.all()} == {2024: 40, 2025: 50}


def test_demo_units_carry_full_and_short_names():
    load_demo(reports=False)
    zjj = Unit.objects.get(name="县住房和城乡建设局")
    assert zjj.short_name == "县住建局"
    assert Unit.objects.get(short_name="县应急局").name == "县应急管理局"
    assert Task.objects.get(plan__kind="master", code="27").lead_units.get() == zjj
    # Townships cooperate on task 19, so a township liaison has assignments.
    assert Assignment.objects.filter(unit__code="ws-xzjd").exists()


def test_parser_reads_nine_action_lines_and_28_tasks():
    lines = parse_plan()
    assert [line.number for line in lines] == list(range(1, 10))
    assert lines[-1].title == "持续深化“四项整治”"
    assert [t.code for line in lines for t in line.tasks] == [str(n) for n in range(1, 29)]
    # An unnumbered paragraph continues the task above it.
    task10 = next(t for line in lines for t in line.tasks if t.code == "10")
    assert "机械化换人" in task10.text
