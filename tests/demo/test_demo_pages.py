"""Every main page renders on the demo campaign's real-shaped data, for each role."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from campaign.models import Campaign
from hazards import access as hazard_access
from hazards.models import MajorHazard
from tasks.models import Assignment, ExtensionRequest, FollowUp, ProgressReport

pytestmark = pytest.mark.django_db
SLUG = "weishan-2024"


@pytest.mark.today("2026-11-18")
def test_pages_render_for_every_role(client):
    # As of a day before the 25th of a month the campaign still runs: the month has drafts and submissions.
    call_command("load_demo", today="2026-11-18")
    for username in ["office", "leader", "yjj", "xiazhen"]:
        check_pages(client, username)
    check_history()


def check_pages(client, username):
    user = get_user_model().objects.get(username=username)
    client.force_login(user)
    in_weishan = Assignment.objects.filter(task__plan__campaign__slug=SLUG)  # the demo also has Jiaxiang's
    visible = in_weishan if username in ("office", "leader") else in_weishan.filter(unit=user.profile.unit)
    a = visible.filter(reports__isnull=False).first()
    report = ProgressReport.objects.filter(assignment=a).first()
    follow_up = FollowUp.objects.filter(assignment__in=visible, kind="notice").first()
    urls = [
        reverse("campaign-detail", args=[SLUG]),
        reverse("plan-tree", args=[SLUG, "ws-office"]),
        reverse("plan-tree", args=[SLUG, "ws-office"]) + "?status=overdue&year=2025",
        reverse("task-detail", args=[SLUG, a.task_id]),
        reverse("assignment-detail", args=[SLUG, a.pk]),
        reverse("report-detail", args=[SLUG, report.pk]),
        reverse("list-tasks", args=[SLUG]),
        reverse("list-problems", args=[SLUG]),
        reverse("list-ledger", args=[SLUG]),
        reverse("list-tasks", args=[SLUG]) + "?export=xlsx",
        reverse("import-history", args=[SLUG]),
        reverse("hazard-list", args=[SLUG]),
        reverse("hazard-list", args=[SLUG]) + "?overdue=yes&stock=stock",
        reverse("hazard-statistics", args=[SLUG]),
    ]
    hazard = hazard_access.visible_hazards(user, Campaign.objects.get(slug=SLUG)).first()
    if hazard:
        urls.append(reverse("hazard-detail", args=[SLUG, hazard.pk]))
    if follow_up:
        urls.append(reverse("follow-up-print", args=[SLUG, follow_up.pk]))
    if username == "office":
        urls += [reverse("review-queue", args=[SLUG]), reverse("extension-queue", args=[SLUG]),
                 reverse("unit-list"), reverse("monthly-entry", args=[SLUG]) + "?unit=ws-yjj"]
    if username in ("yjj", "xiazhen"):
        urls.append(reverse("monthly-entry", args=[SLUG]))
    for url in urls:
        assert client.get(url).status_code == 200, url


def check_history():
    states = set(ProgressReport.objects.values_list("state", flat=True))
    assert {"accepted", "submitted", "returned", "draft"} <= states
    assert ProgressReport.objects.filter(submitted_by__username="yjj").exists()
    assert ExtensionRequest.objects.filter(state="approved").exists()
    assert FollowUp.objects.filter(kind="notice").exists()
    assert Assignment.objects.filter(completed_on__isnull=True, due_date__lt="2026-01-01").exists()  # overdue ones
    hazards = MajorHazard.objects.filter(campaign__slug=SLUG)
    assert hazards.count() >= 200
    assert {"registered", "rectifying", "pending_close", "closed"} <= set(hazards.values_list("state", flat=True))
    stock_open = hazards.filter(found_on__lte="2023-12-31").exclude(state="closed").count()
    assert 0 < stock_open < 20  # the stock burnt down through 2024, with a few stragglers
    assert hazards.exclude(listed_level="").exists()
