"""A hazard in the browser: the township liaison registers it, plans and reports the rectification;
the supervising department's liaison verifies and closes it."""

from pathlib import Path

import pytest
from django.conf import settings

from hazards.models import MajorHazard
from hazards.validators import make_credit_code

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"


def test_township_registers_and_department_closes(world, users, login, live_server, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    slug = world.campaign.slug
    town = login("liaison_town")
    town.goto(f"{live_server.url}/c/{slug}/hazards/new/")
    town.fill("#id_enterprise_name", "某化工有限公司")
    town.fill("#id_credit_code", make_credit_code("9137082600000001"))
    town.select_option("#id_township", str(world.township.pk))
    town.select_option("#id_supervisor", str(world.dept_b.pk))
    town.select_option("#id_industry", "hazchem")
    town.select_option("#id_channel", "enforcement")
    town.fill("#id_found_on", "2024-03-01")
    town.fill("#id_description", "储罐区未设置紧急切断装置")
    town.click("form button:has-text('登记')")
    town.wait_for_selector("text=整改方案")
    hazard = MajorHazard.objects.get()

    town.click("summary:has-text('整改方案')")
    town.fill("#id_plan-measures", "加装紧急切断阀")
    town.fill("#id_plan-responsible_person", "张三")
    town.fill("#id_plan-deadline", "2024-06-30")
    town.click("button:has-text('保存整改方案')")
    town.wait_for_selector("text=报告整改完成")
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + b"0" * 64)
    town.click("summary:has-text('报告整改完成')")
    town.fill("#id_rectified-rectified_on", "2024-06-01")
    town.set_input_files("#id_rectified-files", str(photo))
    town.click("form:has(input[value=rectified]) button[type=submit]")
    town.wait_for_load_state()
    hazard.refresh_from_db()
    assert hazard.state == "pending_close"

    department = login("liaison_b")
    department.goto(f"{live_server.url}/c/{slug}/hazards/{hazard.pk}/")
    department.click("summary:has-text('核查销号')")
    department.fill("#id_close-closed_on", "2024-06-10")
    department.click("form:has(input[value=close]) button[type=submit]")
    department.wait_for_load_state()
    hazard.refresh_from_db()
    assert hazard.state == "closed" and hazard.closed_on.isoformat() == "2024-06-10"
    SHOTS.mkdir(parents=True, exist_ok=True)
    department.screenshot(path=str(SHOTS / "hazard-closed.png"), full_page=True)
