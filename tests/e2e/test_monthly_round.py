"""The whole monthly round in a real browser: fill → submit → return → resubmit → accept."""

from pathlib import Path

import pytest
from django.conf import settings

from tasks.models import ProgressReport

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"


def test_monthly_round(world, users, login, live_server):
    slug = world.campaign.slug
    a = world.task_a.assignments.get(unit=world.dept_a)

    liaison = login("liaison_a")
    liaison.click("text=本月填报")
    row = liaison.locator(f"#row-{a.pk}")
    row.locator("textarea[name$='-progress']").fill("已召开部署会，完成排查企业 12 家。")
    row.locator("textarea[name$='-next_steps']").fill("下月开展复查")
    SHOTS.mkdir(parents=True, exist_ok=True)
    liaison.screenshot(path=str(SHOTS / "monthly-entry.png"), full_page=True)
    liaison.click("button[value=submit]")
    liaison.wait_for_selector("text=已提交")
    report = ProgressReport.objects.get(assignment=a)
    assert report.state == "submitted"

    office = login("office")
    office.goto(f"{live_server.url}/c/{slug}/review/")
    office.check(f"#report-{report.pk}")
    office.fill("textarea[name=reason]", "请补充排查企业名单")
    office.screenshot(path=str(SHOTS / "review-queue.png"), full_page=True)
    office.click("button[value=return]")
    office.wait_for_selector("text=已退回 1 份填报")
    report.refresh_from_db()
    assert report.state == "returned"

    liaison.goto(f"{live_server.url}/c/{slug}/")
    assert liaison.locator("text=请补充排查企业名单").count() >= 1
    liaison.click("text=本月填报")
    row = liaison.locator(f"#row-{a.pk}")
    assert "请补充排查企业名单" in row.inner_text()
    row.locator("textarea[name$='-progress']").fill("已召开部署会，完成排查企业 12 家，名单见附件。")
    liaison.click("button[value=submit]")
    liaison.wait_for_selector("text=已提交")
    report.refresh_from_db()
    assert report.state == "submitted" and "名单见附件" in report.progress

    office.goto(f"{live_server.url}/c/{slug}/review/")
    office.check(f"#report-{report.pk}")
    office.click("button[value=accept]")
    office.wait_for_selector("text=已审核通过")
    report.refresh_from_db()
    assert report.state == "accepted"
