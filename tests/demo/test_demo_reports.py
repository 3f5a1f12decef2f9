"""The demo's quantified targets, dated follow-ups and published monthly reports (one demo load per module)."""

import datetime
from collections import Counter

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from campaign.models import Unit
from demo.loader import load_demo
from demo.reports import past_months
from demo.targets import DEMO_TARGETS, OVERSTATING_UNITS
from reporting.models import MonthlyReport, UnitScore
from reporting.scoring import period_of, ranked_units
from tasks.models import ExtensionRequest, FollowUp, ProgressValue, QuantifiedTarget

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 18)


@pytest.fixture(scope="module")
def campaign(django_db_setup, django_db_blocker):
    """The demo as of TODAY, rolled back when the module's tests are done."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
                yield load_demo(today=TODAY)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_one_published_report_per_past_month_with_every_ranked_unit(campaign):
    reports = list(MonthlyReport.objects.filter(campaign=campaign).order_by("month"))
    months = past_months(campaign, TODAY)
    assert months[0] == datetime.date(2024, 1, 1) and months[-1] == datetime.date(2026, 2, 1)
    assert [r.month for r in reports] == months
    assert {(r.state, r.version, r.is_current) for r in reports} == {("published", 1, True)}
    # The units of each month as they stood at its end (the plan was adopted before the first month ended).
    ranked = set(ranked_units(period_of(campaign, months[0])).values_list("pk", flat=True))
    assert ranked == set(ranked_units(period_of(campaign, months[-1])).values_list("pk", flat=True))
    scored = Counter()
    for report_id, unit_id in UnitScore.objects.filter(report__campaign=campaign).values_list("report_id", "unit_id"):
        scored[report_id] += 1
        assert unit_id in ranked
    assert all(scored[r.pk] == len(ranked) for r in reports)
    # Dated as the office would have issued them: early in the following month.
    january = reports[0]
    assert timezone.localtime(january.published_at).date() == datetime.date(2024, 2, 5)
    assert set(january.bulletins.values_list("issued_on", flat=True)) == {datetime.date(2024, 2, 5)}
    # Ranks carry over from the month before.
    assert reports[1].scores.exclude(previous_rank=None).count() == len(ranked)


def test_demo_targets_have_yearly_values_and_actuals(campaign):
    for spec in DEMO_TARGETS:
        target = QuantifiedTarget.objects.get(task__plan__campaign=campaign, task__code=spec.task, metric=spec.metric)
        assert {v.year: int(v.value) for v in target.year_values.all()} == spec.values
        assert ProgressValue.objects.filter(target=target, report__state="accepted").exists()
    kinds = {(s.comparator, s.measure_unit) for s in DEMO_TARGETS}
    assert {("gte", "%"), ("lte", "%"), ("gte", "人"), ("lte", "个")} <= kinds
    assert QuantifiedTarget.objects.filter(task__plan__campaign=campaign, year_values__year=2026).count() >= 4


def test_targets_component_varies_between_units(campaign):
    spread = {}
    for report in MonthlyReport.objects.filter(campaign=campaign):
        values = set(report.scores.exclude(targets=None).values_list("targets", flat=True))
        spread[report.month] = len(values)
        assert min(values) >= 0
        # A unit with no target for the year is 不参评 on targets, never given full marks.
        assert not report.scores.filter(target_count=0).exclude(targets=None).exists()
    assert max(spread.values()) > 5
    assert all(n > 1 for n in spread.values())  # in every month some unit is short of a target
    latest = MonthlyReport.objects.filter(campaign=campaign).latest("month")
    assert latest.scores.filter(target_count__gt=0, targets__lt=1).count() >= 5


def test_consistency_check_flags_the_overstating_units(campaign):
    latest = MonthlyReport.objects.filter(campaign=campaign).latest("month")
    rows = latest.summary["consistency"]
    flagged = {r["unit"] for r in rows if r["differs"]}
    overstating = set(Unit.objects.filter(code__in=OVERSTATING_UNITS).values_list("name", flat=True))
    # Only values sent in the month's own reports are compared: an overstating unit whose report for the
    # month was returned or is missing is not in the table that month.
    compared = {r["unit"] for r in rows}
    assert len(overstating & compared) >= 2
    assert overstating & compared <= flagged
    # Everyone else reports what the register gives.
    assert flagged <= overstating
    for row in rows:
        if row["unit"] in overstating:
            assert float(row["reported"]) > float(row["computed"])


def test_follow_ups_and_extensions_are_dated_in_past_months(campaign):
    issued = [timezone.localtime(d) for d in FollowUp.objects.values_list("issued_at", flat=True)]
    assert issued and max(issued).date() < TODAY
    assert len({(d.year, d.month) for d in issued}) >= 3
    assert {"reminder", "notice"} <= set(FollowUp.objects.values_list("kind", flat=True))
    numbers = list(FollowUp.objects.filter(kind="notice").values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) and all(n.startswith("微安办督〔") for n in numbers)
    for ext in ExtensionRequest.objects.all():
        assert ext.requested_at.date() < TODAY
        assert ext.decided_at is None or ext.requested_at <= ext.decided_at
    assert MonthlyReport.objects.filter(campaign=campaign, summary__follow_ups__task_counts__reminder__gt=0).exists()


def test_running_again_adds_no_report_version_and_restores_missing_actuals(campaign):
    counts = (MonthlyReport.objects.count(), UnitScore.objects.count(), FollowUp.objects.count())
    versions = list(MonthlyReport.objects.order_by("month").values_list("month", "version", "built_at"))
    values = ProgressValue.objects.count()
    # An accepted report made before its task had targets gets the value it would have had.
    lost = ProgressValue.objects.filter(report__state="accepted", target__metric="重大事故隐患整改率")
    before = set(lost.values_list("report_id", "target_id", "value"))
    assert before
    lost.delete()
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        load_demo(today=TODAY)
    assert (MonthlyReport.objects.count(), UnitScore.objects.count(), FollowUp.objects.count()) == counts
    assert list(MonthlyReport.objects.order_by("month").values_list("month", "version", "built_at")) == versions
    assert ProgressValue.objects.count() == values
    assert set(lost.values_list("report_id", "target_id", "value")) == before
