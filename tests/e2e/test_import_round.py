"""A liaison downloads the template, uploads a filled file with one error, fixes it, uploads again and confirms."""


from pathlib import Path

import openpyxl
import pytest
from django.conf import settings

from tasks.models import Task

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"


def test_import_round(world, users, login, live_server, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    world.campaign.sub_plans_name_cooperating_units = True  # the office lets sub-plans name cooperating units
    world.campaign.save()
    page = login("liaison_a")
    page.goto(f"{live_server.url}/c/{world.campaign.slug}/plans/{world.plan_a.unit.code}/")
    page.click("text=从 Excel 导入")
    with page.expect_download() as download_info:
        page.click("text=下载导入模板")
    template = tmp_path / "template.xlsx"
    download_info.value.save_as(template)

    book = openpyxl.load_workbook(template)
    sheet = book["任务清单"]
    sheet.append(["21", "", "", "开展燃气管道老化更新改造", "", "县应急局", "2026年13月底前", ""])
    filled = tmp_path / "filled.xlsx"
    book.save(filled)

    page.set_input_files("input[type=file]", str(filled))
    page.click("text=上传并预览")
    page.wait_for_selector("#problems")
    assert "2026年13月底前" in page.inner_text("#problems")
    assert page.locator("text=确认导入").count() == 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "import-problems.png"), full_page=True)

    sheet.cell(row=sheet.max_row, column=7, value="2026年12月底前")
    book.save(filled)
    page.goto(f"{live_server.url}/c/{world.campaign.slug}/plans/{world.plan_a.unit.code}/import/")
    page.set_input_files("input[type=file]", str(filled))
    page.click("text=上传并预览")
    page.wait_for_selector("#preview-rows")
    assert "开展燃气管道老化更新改造" in page.inner_text("#preview-rows")
    page.click("text=确认导入")
    page.wait_for_selector("text=导入成功")
    task = Task.objects.get(plan=world.plan_a, code="21")
    assert task.milestones.get().due_date.isoformat() == "2026-12-31"
    assert list(task.cooperating_units.all()) == [world.dept_b]
