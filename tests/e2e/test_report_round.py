"""The month's report in a real browser: the office builds, publishes and downloads a bulletin;
a leader reads the scoreboard on a phone-sized screen. Screenshots go to docs/screenshots/."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings

from reporting.models import MonthlyReport
from tasks.models import Assignment

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"


def test_office_builds_publishes_and_downloads_then_leader_reads_on_a_phone(
        world, users, login, live_server, in_process_jobs, tmp_path):
    slug = world.campaign.slug
    Assignment.objects.filter(unit=world.dept_a).update(completed_on=datetime.date(2024, 5, 1))
    SHOTS.mkdir(parents=True, exist_ok=True)

    office = login("office")
    office.click("nav >> text=月调度")
    office.select_option("#build-form select", "2024-06")
    office.click("#build-form button[type=submit]")
    office.wait_for_selector("text=月报已生成")
    office.click("text=查看月调度报告")
    office.wait_for_selector("#ranking")
    assert "一、总体情况" in office.content()
    office.click("#report-actions button:has-text('发布')")
    office.wait_for_selector("text=月报已发布")
    report = MonthlyReport.objects.get(campaign=world.campaign, month=datetime.date(2024, 6, 1))
    assert report.is_published
    office.screenshot(path=str(SHOTS / "dispatch-report.png"), full_page=True)

    office.click("#report-actions a:has-text('表扬通报')")
    office.wait_for_selector("#notice")
    with office.expect_download() as download:
        office.click("text=下载 Word（.docx）")
    saved = tmp_path / "bulletin.docx"
    download.value.save_as(saved)
    assert saved.read_bytes()[:2] == b"PK"
    office.screenshot(path=str(SHOTS / "bulletin.png"), full_page=True)

    phone = login("leader", viewport={"width": 390, "height": 844})
    phone.goto(f"{live_server.url}/c/{slug}/scoreboard/")
    phone.wait_for_selector("#ranking-township")
    assert world.township.name in phone.inner_text("#ranking-township")
    assert world.dept_a.name in phone.inner_text("#ranking-department")
    phone.wait_for_selector("#chart-hazards canvas")
    # Nothing wider than the screen: the tables scroll inside their own boxes.
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    phone.screenshot(path=str(SHOTS / "scoreboard-phone.png"), full_page=True)


def test_office_previews_the_month_in_progress_and_finds_no_publish_button(world, users, login, in_process_jobs):
    office = login("office")
    office.click("nav >> text=月调度")
    assert office.locator("#build-form select option").first.get_attribute("value") == "2026-10"  # last ended
    office.select_option("#build-form select", "2026-11-preview")
    office.click("#build-form button[type=submit]")
    office.wait_for_selector("text=截至今日的预览已生成")
    assert "预览不能发布" in office.inner_text("main")
    office.click("text=查看预览")
    office.wait_for_selector("#preview-badge")
    assert "截至今日" in office.inner_text("#report-actions")
    assert office.locator("#report-actions button:has-text('发布')").count() == 0
    assert not MonthlyReport.objects.get(campaign=world.campaign, month=datetime.date(2026, 11, 1)).is_published
