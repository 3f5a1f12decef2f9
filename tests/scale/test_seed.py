"""``seed_scale``: the presets' shape, determinism, and re-running replaces the preset's campaign."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from campaign.models import Campaign, Unit
from devtools.benchmarks.scale import PRESETS, Seeder, slug_of
from hazards.models import Enterprise, MajorHazard
from hazards.validators import validate_credit_code
from tasks.models import Assignment, ProgressReport, ProgressValue, QuantifiedTarget

pytestmark = pytest.mark.django_db


def snapshot(campaign) -> dict:
    assignments = Assignment.objects.filter(task__plan__campaign=campaign)
    reports = ProgressReport.objects.filter(assignment__task__plan__campaign=campaign)
    return {
        "units": Unit.objects.filter(parent=campaign.office).count(),
        "plans": campaign.plans.count(),
        "assignments": assignments.count(),
        "completed": assignments.filter(completed_on__isnull=False).count(),
        "reports": reports.count(),
        "accepted": reports.filter(state="accepted").count(),
        "values": ProgressValue.objects.filter(report__in=reports).count(),
        "targets": QuantifiedTarget.objects.filter(task__plan__campaign=campaign).count(),
        "hazards": MajorHazard.objects.filter(campaign=campaign).count(),
        "closed": MajorHazard.objects.filter(campaign=campaign, state="closed").count(),
    }


def test_county_preset_has_the_designed_shape():
    campaign = Seeder("county").run()
    counts = snapshot(campaign)
    preset = PRESETS["county"]
    assert counts["units"] == preset.units == 40
    assert 350 <= counts["assignments"] <= 450
    assert counts["hazards"] == 1000
    assert counts["targets"] and counts["values"] and counts["completed"]
    months = {m.month for m in ProgressReport.objects.filter(assignment__task__plan__campaign=campaign)
              .dates("month", "month")}
    assert months == set(range(1, 13)) and ProgressReport.objects.dates("month", "year").count() == 3  # 36 months
    # Reports come in around the 25th: most by the deadline, some late.
    reports = ProgressReport.objects.filter(assignment__task__plan__campaign=campaign).exclude(
        reported_status="completed")
    late = [r for r in reports if r.submitted_late(25)]
    assert 0.03 < len(late) / reports.count() < 0.25
    # Townships, zones and departments all take part; every enterprise's credit code is valid.
    kinds = dict(Unit.objects.filter(parent=campaign.office).values_list("kind").annotate(n=Count("pk")))
    assert kinds == {"department": 22, "township": 16, "zone": 2}
    for code in Enterprise.objects.filter(hazards__campaign=campaign).values_list("credit_code", flat=True)[:50]:
        validate_credit_code(code)
    assert MajorHazard.objects.filter(campaign=campaign).filter(
        Q(found_on__lte=campaign.baseline_date)).exists()  # a stock of hazards found before the campaign


def test_running_again_replaces_the_campaign_with_the_same_data():
    first = snapshot(Seeder("county").run())
    call_command("seed_scale", "--preset", "county", "--quiet")
    assert Campaign.objects.filter(slug=slug_of("county")).count() == 1
    campaign = Campaign.objects.get(slug=slug_of("county"))
    assert snapshot(campaign) == first
    assert Unit.objects.filter(code__startswith="s1").count() == 41  # units kept, not duplicated


def test_as_of_cuts_the_history():
    campaign = Seeder("county", as_of=datetime.date(2025, 3, 31)).run()
    reports = ProgressReport.objects.filter(assignment__task__plan__campaign=campaign)
    assert reports.order_by("-month").first().month == datetime.date(2025, 3, 1)
    assert not MajorHazard.objects.filter(campaign=campaign, found_on__gt=datetime.date(2025, 3, 31)).exists()
