"""The monthly score (DESIGN §5) for a hand-made June 2024, every number worked out by hand below."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaign.choices import PlanKind, UnitKind
from campaign.models import Campaign
from hazards.models import Enterprise, MajorHazard
from hazards.validators import make_credit_code
from reporting.models import MonthlyReport
from reporting.scoring import competition_ranks, period_of, quartile
from reporting.services import build_report
from tasks.choices import Comparator, ReportState
from tasks.models import Assignment, ProgressReport, ProgressValue, QuantifiedTarget, TargetYearValue

from ..conftest import ENTERED, entered_on
from ..factories import CampaignFactory, PlanFactory, UnitFactory, make_task

pytestmark = pytest.mark.django_db
D = datetime.date
JUNE = D(2024, 6, 1)


def local(day, hour=10, minute=0, second=0):
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour, minute, second))


def complete(task, due, on):
    Assignment.objects.filter(task=task, due_date=due).update(completed_on=on)


def report(task, due, month, *, sent=None, state=ReportState.SUBMITTED, values=()):
    assignment = Assignment.objects.get(task=task, due_date=due)
    r = ProgressReport.objects.create(
        assignment=assignment, month=month, state=state, progress="进展", first_submitted_at=sent,
        submitted_at=sent, reviewed_at=sent if state == ReportState.ACCEPTED else None,
    )
    for target, value in values:
        ProgressValue.objects.create(report=r, target=target, value=Decimal(value))
    return r


def target(task, metric, comparator, unit, years):
    t = QuantifiedTarget.objects.create(task=task, metric=metric, comparator=comparator, measure_unit=unit)
    for year, value in years.items():
        TargetYearValue.objects.create(target=t, year=year, value=Decimal(value))
    return t


class County:
    """Departments d1–d4, townships t1, t2 and zone z, with the month laid out in the test comments."""

    def __init__(self):
        self.office = UnitFactory(code="office", name="县安委办", kind=UnitKind.OFFICE)
        unit = lambda code, kind, order: UnitFactory(code=code, name=f"单位{code}", kind=kind,  # noqa: E731
                                                      parent=self.office, sort_order=order)
        self.d1, self.d2 = unit("d1", UnitKind.DEPARTMENT, 1), unit("d2", UnitKind.DEPARTMENT, 2)
        self.d3, self.d4 = unit("d3", UnitKind.DEPARTMENT, 3), unit("d4", UnitKind.DEPARTMENT, 4)
        self.t1, self.t2 = unit("t1", UnitKind.TOWNSHIP, 5), unit("t2", UnitKind.TOWNSHIP, 6)
        self.z = unit("z", UnitKind.ZONE, 7)
        self.idle = unit("idle", UnitKind.DEPARTMENT, 8)  # no plan, no work, no hazards: not ranked
        self.campaign = CampaignFactory(slug="hand-2024", office=self.office)
        master = PlanFactory(campaign=self.campaign, unit=self.office, kind=PlanKind.MASTER)
        # d2 and d4 have a plan and nothing else to count: full marks, tied.
        PlanFactory(campaign=self.campaign, unit=self.d2, kind=PlanKind.SUB)
        PlanFactory(campaign=self.campaign, unit=self.d4, kind=PlanKind.SUB)

        # d1, task 1: due 3-31 done 3-20 (on time), due 6-30 done 7-02 (late), due 12-31 (not yet due).
        self.task1 = make_task(master, 1, lead=[self.d1], due=[D(2024, 3, 31), D(2024, 6, 30), D(2024, 12, 31)])
        complete(self.task1, D(2024, 3, 31), D(2024, 3, 20))
        complete(self.task1, D(2024, 6, 30), D(2024, 7, 2))
        # d1, task 2: due 5-31, never done.
        self.task2 = make_task(master, 2, lead=[self.d1], due=[D(2024, 5, 31)])
        # z, task 3: due 6-30, done on the due date.
        self.task3 = make_task(master, 3, lead=[self.z], due=[D(2024, 6, 30)])
        complete(self.task3, D(2024, 6, 30), D(2024, 6, 30))

        # Targets of d1 (through its tasks), 2024 values.
        self.coverage = target(self.task1, "培训覆盖率", Comparator.GTE, "%", {2024: 80, 2025: 90})
        self.rule = target(self.task1, "修订制度", Comparator.EQ, "项", {2024: 1})
        self.accidents = target(self.task2, "事故起数", Comparator.LTE, "个", {2024: 4})
        self.later = target(self.task2, "2025年新指标", Comparator.GTE, "%", {2025: 100})  # no 2024 value: ignored

        # June reports. Deadline: the 25th. Task 1's June item: first sent 6-25 23:59:59 → on time.
        report(self.task1, D(2024, 6, 30), JUNE, sent=local(D(2024, 6, 25), 23, 59, 59), state=ReportState.ACCEPTED,
               values=[(self.coverage, 70), (self.rule, 1)])
        # Task 1's December item: first sent 6-26 00:00:01 → late (then accepted; still late).
        report(self.task1, D(2024, 12, 31), JUNE, sent=local(D(2024, 6, 26), 0, 0, 1), state=ReportState.ACCEPTED)
        # Task 2 (still open): no June report at all. May: accepted 事故起数 5; June: a submitted (unaccepted) 3.
        report(self.task2, D(2024, 5, 31), D(2024, 5, 1), sent=local(D(2024, 5, 20)), state=ReportState.ACCEPTED,
               values=[(self.accidents, 5), (self.coverage, 60)])
        # July's accepted coverage of 80 is after June: ignored.
        report(self.task1, D(2024, 12, 31), D(2024, 7, 1), sent=local(D(2024, 7, 10)), state=ReportState.ACCEPTED,
               values=[(self.coverage, 80)])
        # z's June report on 6-25 10:00: on time.
        report(self.task3, D(2024, 6, 30), JUNE, sent=local(D(2024, 6, 25)), state=ReportState.SUBMITTED)

        # Hazards supervised by d1 and located in t1.
        self.count = 0
        self.hazard(self.t1, self.d1, deadline=D(2024, 5, 31), closed=D(2024, 5, 30))  # due, on time
        self.hazard(self.t1, self.d1, deadline=D(2024, 6, 30), closed=D(2024, 7, 5))  # due, late, not overdue at E
        self.hazard(self.t1, self.d1, deadline=D(2024, 4, 30))  # due, open: overdue at E → −1
        self.hazard(self.t1, self.d1, deadline=D(2024, 8, 31))  # not due
        self.hazard(self.t1, self.d1, deadline=None)  # no deadline yet: neither
        # Twelve overdue hazards supervised by d3, located in t2: the penalty stops at 10.
        for _ in range(12):
            self.hazard(self.t2, self.d3, deadline=D(2024, 1, 31))

    def hazard(self, township, supervisor, *, deadline, closed=None):
        self.count += 1
        enterprise = Enterprise.objects.create(name=f"企业{self.count}",
                                               credit_code=make_credit_code(f"91370826{self.count:08d}"))
        return MajorHazard.objects.create(
            campaign=self.campaign, enterprise=enterprise, township=township, supervisor=supervisor,
            industry="hazchem", description=f"隐患{self.count}", channel="enforcement", found_on=D(2024, 1, 10),
            deadline=deadline, closed_on=closed, state="closed" if closed else "registered",
        )


@pytest.fixture
def county():
    with entered_on(ENTERED):
        return County()


def scores_of(report):
    return {s.unit_code: s for s in report.scores.all()}


def test_every_component_total_and_rank_match_the_hand_computation(county):
    scores = scores_of(build_report(county.campaign, JUNE))
    assert set(scores) == {"d1", "d2", "d3", "d4", "t1", "t2", "z"}  # "idle" has nothing in the campaign

    d1 = scores["d1"]
    # A1: due by 6-30: task1 3-31 (on time), task1 6-30 (late), task2 5-31 (open) → 1/3.
    assert (d1.due_count, d1.on_time_count) == (3, 1)
    # A2: open during June: task1 6-30, task1 12-31, task2 → 3; on time: only task1 6-30 → 1/3.
    assert (d1.reports_required, d1.reports_on_time) == (3, 1)
    # A3: coverage 70/80 = 0.875; 事故起数 ≤4 with 5 → 4/5 = 0.8; 修订制度 = 1 → 1. Mean 2.675/3.
    assert d1.target_count == 3
    assert d1.targets == Decimal("0.891667")
    # A4: due: 5-31 (on time), 6-30 (late), 4-30 (open) → 1/3; penalty: one open past its deadline → 1.
    assert (d1.hazards_due, d1.hazards_closed_on_time, d1.overdue_hazards) == (3, 1, 1)
    assert d1.penalty == Decimal("1.00")
    # 40/3 + 15/3 + 20 × 2.675/3 + 25/3 − 1 = 13.3333 + 5 + 17.8333 + 8.3333 − 1 = 43.50
    assert d1.score == Decimal("43.50")

    # Nothing to count anywhere → 不参评 on every component: no score, no rank (本月无考核事项), never full marks.
    for code in ("d2", "d4"):
        s = scores[code]
        assert (s.due_count, s.reports_required, s.target_count, s.hazards_due) == (0, 0, 0, 0)
        assert (s.on_time, s.reporting, s.targets, s.hazards, s.score, s.rank) == (None,) * 6
        assert not s.rated
    # d3: only hazards to count: 12 due, none closed → A4 = 0, the only rated component; 12 overdue → penalty
    # capped at 10: 100 × 25·0 / 25 − 10.
    assert (scores["d3"].on_time, scores["d3"].reporting, scores["d3"].targets) == (None, None, None)
    assert scores["d3"].hazards == 0
    assert scores["d3"].overdue_hazards == 12
    assert scores["d3"].penalty == Decimal("10.00")
    assert scores["d3"].score == Decimal("-10.00")
    # Townships answer for hazards located there: t1 as d1 (1/3, −1), t2 as d3; they have no tasks.
    assert scores["t1"].score == Decimal("32.33")  # 100 × (25 × 1/3) / 25 − 1 = 32.333…
    assert scores["t2"].score == Decimal("-10.00")
    # z: done on its due date, June report on the 25th; no targets, no hazards → 100 × (40 + 15) / 55.
    assert (scores["z"].on_time_count, scores["z"].reports_on_time) == (1, 1)
    assert (scores["z"].targets, scores["z"].hazards) == (None, None)
    assert scores["z"].score == Decimal("100.00")

    # Ranks within each group among the rated units; ties share a rank; unrated units have none.
    assert {c: scores[c].rank for c in ("d1", "d3", "d2", "d4")} == {"d1": 1, "d3": 2, "d2": None, "d4": None}
    assert {c: scores[c].rank for c in ("z", "t1", "t2")} == {"z": 1, "t1": 2, "t2": 3}
    assert {scores[c].group for c in ("z", "t1", "t2")} == {"township"}
    assert {scores[c].group for c in ("d1", "d2", "d3", "d4")} == {"department"}


def test_a_unit_with_nothing_rated_is_never_in_a_bulletin(county):
    report = build_report(county.campaign, JUNE)
    listed = {code for b in report.bulletins.all() for code in b.units}
    assert "d2" not in listed and "d4" not in listed
    assert "d1" in listed  # praised: first of the rated departments
    bodies = " ".join(b.body for b in report.bulletins.all())
    assert "单位d2" not in bodies and "单位d4" not in bodies


def test_weights_come_from_the_campaign(county):
    Campaign.objects.filter(pk=county.campaign.pk).update(
        weight_on_time=25, weight_reporting=25, weight_targets=25, weight_hazards=25, penalty_per_hazard=2,
        penalty_cap=3,
    )
    county.campaign.refresh_from_db()
    scores = scores_of(build_report(county.campaign, JUNE))
    # d1: 25 × (1/3 + 1/3 + 2.675/3 + 1/3) − min(2 × 1, 3) = 25 × 5.675/3 − 2 = 47.2917 − 2 → 45.29
    assert scores["d1"].score == Decimal("45.29")
    # d3: only hazards rated, 0 of 12 → 100 × 25·0 / 25 − min(2 × 12, 3) = −3
    assert scores["d3"].score == Decimal("-3.00")


def test_report_on_the_deadline_day_counts_and_the_day_after_does_not(county):
    # Move z's report to the last second of the 25th: still on time; one second later: late.
    june_report = ProgressReport.objects.get(assignment__task=county.task3, month=JUNE)
    june_report.first_submitted_at = local(D(2024, 6, 25), 23, 59, 59)
    june_report.save()
    assert scores_of(build_report(county.campaign, JUNE))["z"].reports_on_time == 1
    june_report.first_submitted_at = local(D(2024, 6, 26), 0, 0, 0)
    june_report.save()
    assert scores_of(build_report(county.campaign, JUNE))["z"].reports_on_time == 0


def test_deadline_day_past_the_month_end_falls_on_the_last_day():
    campaign = Campaign(report_deadline_day=31, start_date=D(2024, 1, 1), end_date=D(2026, 12, 31))
    assert period_of(campaign, D(2024, 2, 10)).deadline == D(2024, 2, 29)
    assert period_of(campaign, D(2024, 3, 1)).deadline == D(2024, 3, 31)


def test_competition_ranks_and_quartiles():
    assert competition_ranks([Decimal(90), Decimal(80), Decimal(80), Decimal(70)]) == [1, 2, 2, 4]
    assert competition_ranks([Decimal(50), Decimal(100), Decimal(100)]) == [3, 1, 1]
    assert [quartile(rank, 8) for rank in range(1, 9)] == [1, 1, 2, 2, 3, 3, 4, 4]
    assert quartile(1, 1) == 1


def test_building_twice_leaves_one_current_report(county):
    first = build_report(county.campaign, JUNE)
    second = build_report(county.campaign, JUNE)
    assert first.pk == second.pk
    assert MonthlyReport.objects.filter(campaign=county.campaign, month=JUNE).count() == 1
    assert second.scores.count() == 7
    assert second.bulletins.count() == 2


def test_query_count_does_not_grow_with_units(county):
    build_report(county.campaign, JUNE)
    with CaptureQueriesContext(connection) as small:
        build_report(county.campaign, JUNE)
    for n in range(30):
        town = UnitFactory(code=f"extra{n}", kind=UnitKind.TOWNSHIP, parent=county.office)
        county.hazard(town, county.d1, deadline=D(2024, 3, 31))
    with CaptureQueriesContext(connection) as large:
        build_report(county.campaign, JUNE)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_consistency_compares_the_months_reported_rate_with_the_register(county):
    master = county.task1.plan
    task = make_task(master, 4, lead=[county.t1, county.d1], due=[D(2024, 12, 31)])
    rate = target(task, "重大事故隐患整改率", Comparator.GTE, "%", {2024: 100})
    # In the register, t1 (located) and d1 (supervising) each have 5 hazards found by June, 1 closed: 20.0 %.
    t1_report = ProgressReport.objects.create(
        assignment=Assignment.objects.get(task=task, unit=county.t1), month=JUNE, state=ReportState.ACCEPTED,
        first_submitted_at=local(D(2024, 6, 20)), submitted_at=local(D(2024, 6, 20)),
        reviewed_at=local(D(2024, 6, 21)))
    ProgressValue.objects.create(report=t1_report, target=rate, value=Decimal(100))
    d1_report = ProgressReport.objects.create(
        assignment=Assignment.objects.get(task=task, unit=county.d1), month=JUNE, state=ReportState.SUBMITTED,
        first_submitted_at=local(D(2024, 6, 20)), submitted_at=local(D(2024, 6, 20)))
    ProgressValue.objects.create(report=d1_report, target=rate, value=Decimal("20.0"))
    rows = build_report(county.campaign, JUNE).summary["consistency"]
    by_unit = {row["unit"]: row for row in rows}
    assert set(by_unit) == {county.t1.name, county.d1.name}
    t1 = by_unit[county.t1.name]
    assert (t1["reported"], t1["computed"], t1["closed"], t1["found"], t1["differs"]) == ("100.0", "20.0", 1, 5, True)
    assert by_unit[county.d1.name]["differs"] is False
    assert rows[0]["unit"] == county.t1.name  # differences first
