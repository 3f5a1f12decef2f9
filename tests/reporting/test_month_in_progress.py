"""Only an ended month is built officially and published; the month in progress is a preview (截至今日)."""

import datetime

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse

from reporting.models import MonthlyReport
from reporting.services import ReportError, build_report, publish_report
from reporting.views import BuildForm

pytestmark = pytest.mark.django_db
NOVEMBER = datetime.date(2026, 11, 1)  # the month in progress on the suite's pinned day (2026-11-18)


def test_the_month_in_progress_is_refused_unless_previewed(world, users):
    with pytest.raises(ReportError, match="尚未结束"):
        build_report(world.campaign, NOVEMBER, user=users["office"])
    with pytest.raises(ReportError, match="已经结束"):
        build_report(world.campaign, datetime.date(2026, 10, 1), preview=True)
    preview = build_report(world.campaign, NOVEMBER, user=users["office"], preview=True)
    assert preview.is_preview and preview.month_label == "2026年11月（截至11月18日，预览）"
    assert preview.summary["period_end"] == "2026-11-18"
    with pytest.raises(ReportError, match="预览不能发布"):
        publish_report(preview, users["office"], reviewed_build=preview.built_at)


def test_the_command_refuses_this_month_without_preview(world, capsys):
    with pytest.raises(CommandError, match="尚未结束"):
        call_command("build_monthly_report", campaign=world.campaign.slug, month="2026-11")
    call_command("build_monthly_report", campaign=world.campaign.slug, month="2026-11", preview=True)
    assert MonthlyReport.objects.get(month=NOVEMBER).is_preview
    with pytest.raises(CommandError, match="预览不能发布"):
        call_command("build_monthly_report", campaign=world.campaign.slug, month="2026-11", preview=True,
                     publish=True)


def test_the_build_form_starts_at_the_last_ended_month_and_offers_a_preview(world):
    choices = BuildForm(campaign=world.campaign).fields["month"].choices
    assert choices[0] == ("2026-10", "2026年10月")
    assert choices[-1] == ("2026-11-preview", "2026年11月（截至今日预览，不能发布）")
    assert "2026-11" not in dict(choices)


def test_a_preview_page_says_so_and_offers_no_publish_button(client, world, users, in_process_jobs,
                                                              django_capture_on_commit_callbacks):
    client.force_login(users["office"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("monthly-list", args=[world.campaign.slug]), {"month": "2026-11-preview"})
    assert response.status_code == 302
    page = client.get(reverse("monthly-detail", args=[world.campaign.slug, "2026-11"])).content.decode()
    assert 'id="preview-badge"' in page and "截至11月18日" in page and "截至2026年11月18日" in page
    assert "monthly-publish" not in page and "/publish/" not in page
    # A leader sees no preview: only published months.
    client.force_login(users["leader"])
    assert client.get(reverse("monthly-detail", args=[world.campaign.slug, "2026-11"])).status_code == 404


def test_once_the_month_has_ended_its_official_build_replaces_the_preview(world, users):
    preview = build_report(world.campaign, NOVEMBER, preview=True)
    with time_machine.travel(datetime.datetime(2026, 12, 3, 9, tzinfo=datetime.UTC)):
        official = build_report(world.campaign, NOVEMBER, user=users["office"])
        assert official.pk == preview.pk and not official.is_preview and official.month_label == "2026年11月"
        assert official.summary["period_end"] == "2026-11-30"
        assert publish_report(official, users["office"], reviewed_build=official.built_at).is_published


def test_a_preview_before_the_reporting_deadline_does_not_count_anyone_late(world, users):
    # The suite's day is 11-18, before the 25th: nobody is late yet, so 按时填报 is 不参评, never 0%.
    preview = build_report(world.campaign, NOVEMBER, user=users["office"], preview=True)
    assert preview.scores.exists()
    assert all(s.reporting is None and s.reports_required == 0 for s in preview.scores.all())
    beijing = datetime.timezone(datetime.timedelta(hours=8))
    with time_machine.travel(datetime.datetime(2026, 11, 27, 10, tzinfo=beijing)):
        later = build_report(world.campaign, NOVEMBER, user=users["office"], preview=True)
    assert any(s.reports_required for s in later.scores.all())
    assert all(s.reporting == 0 for s in later.scores.all() if s.reports_required)  # no one reported by the 25th


def test_the_scoreboard_opens_on_the_last_ended_month_even_when_a_preview_exists(client, world, users):
    publish_report(build_report(world.campaign, datetime.date(2026, 10, 1)))
    build_report(world.campaign, NOVEMBER, preview=True)
    client.force_login(users["office"])
    page = client.get(reverse("scoreboard", args=[world.campaign.slug])).content.decode()
    assert '<option value="2026-10" selected>' in page and "截至11月18日，预览" in page  # the preview is in the menu
    page = client.get(reverse("scoreboard", args=[world.campaign.slug]) + "?month=2026-11").content.decode()
    assert '<option value="2026-11" selected>' in page
    client.force_login(users["leader"])
    page = client.get(reverse("scoreboard", args=[world.campaign.slug]) + "?month=2026-11").content.decode()
    assert "2026年11月的月报尚未发布" in page and '<option value="2026-10">' in page
