"""The register in the browser: register, move through the steps, list with filters, who sees what."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hazards.models import Enterprise, MajorHazard
from hazards.validators import make_credit_code

pytestmark = pytest.mark.django_db
CODE = make_credit_code("9137082600000001")


def url(world, name, *args):
    return reverse(name, args=[world.campaign.slug, *args])


def register_payload(world, **extra):
    data = {"enterprise_name": "某化工有限公司", "credit_code": CODE.lower(), "township": world.township.pk,
            "supervisor": world.dept_b.pk, "industry": "hazchem", "channel": "enforcement",
            "found_on": "2024-03-01", "description": "储罐区未设置紧急切断装置", "standard_clause": "第3条"}
    data.update(extra)
    return data


def test_township_liaison_registers_and_the_department_closes(client, world, users, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(users["liaison_town"])
    response = client.post(url(world, "hazard-create"), register_payload(world))
    hazard = MajorHazard.objects.get()
    assert response.status_code == 302 and hazard.enterprise.credit_code == CODE  # lower case was normalised
    detail = url(world, "hazard-detail", hazard.pk)
    client.post(detail, {"step": "plan", "plan-measures": "加装切断阀", "plan-responsible_person": "张三",
                         "plan-deadline": "2024-06-30", "plan-funds": "12.5"})
    photo = SimpleUploadedFile("现场.jpg", b"\xff\xd8\xff\xe0" + b"0" * 20)
    client.post(detail, {"step": "rectified", "rectified-rectified_on": "2024-06-01", "rectified-files": photo})
    hazard.refresh_from_db()
    assert hazard.state == "pending_close"
    # The township cannot close; the supervising department can.
    client.post(detail, {"step": "close", "close-closed_on": "2024-06-10", "close-approval": ""})
    hazard.refresh_from_db()
    assert hazard.state == "pending_close"
    client.force_login(users["liaison_b"])
    client.post(detail, {"step": "close", "close-closed_on": "2024-06-10", "close-approval": ""})
    hazard.refresh_from_db()
    assert hazard.state == "closed"


def test_duplicate_and_bad_code_get_messages(client, world, users):
    client.force_login(users["office"])
    client.post(url(world, "hazard-create"), register_payload(world))
    page = client.post(url(world, "hazard-create"), register_payload(world)).content.decode()
    assert "不要重复登记" in page
    bad = CODE[:17] + ("0" if CODE[17] != "0" else "1")
    page = client.post(url(world, "hazard-create"), register_payload(world, credit_code=bad)).content.decode()
    assert "校验码不正确" in page
    assert MajorHazard.objects.count() == 1


def test_refused_step_keeps_the_form_and_says_why(client, world, users):
    client.force_login(users["office"])
    client.post(url(world, "hazard-create"), register_payload(world))
    hazard = MajorHazard.objects.get()
    page = client.post(url(world, "hazard-detail", hazard.pk),
                       {"step": "rectified", "rectified-rectified_on": "2024-05-01"}).content.decode()
    assert "尚未提交整改方案" in page


def _hazards(world, count, start=0):
    for n in range(start, start + count):
        enterprise = Enterprise.objects.create(name=f"企业{n}", credit_code=make_credit_code(f"91370826{n:08d}"))
        MajorHazard.objects.create(
            campaign=world.campaign, enterprise=enterprise, township=world.township, supervisor=world.dept_b,
            industry="gas", description=f"隐患{n}", channel="supervision", found_on=datetime.date(2023, 10, 1),
            deadline=datetime.date(2024, 3, 31),
        )


@pytest.mark.parametrize("who, visible", [("office", True), ("leader", True), ("liaison_b", True),
                                          ("liaison_town", True), ("liaison_a", False)])
def test_who_sees_the_register(client, world, users, who, visible):
    _hazards(world, 1)
    hazard = MajorHazard.objects.get()
    client.force_login(users[who])
    page = client.get(url(world, "hazard-list")).content.decode()
    assert ("企业0" in page) is visible
    assert client.get(url(world, "hazard-detail", hazard.pk)).status_code == (200 if visible else 404)


def test_list_filters_and_constant_queries(client, world, users):
    client.force_login(users["office"])
    _hazards(world, 3)

    def count(query=""):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url(world, "hazard-list") + query)
        assert response.status_code == 200
        return len(ctx.captured_queries), response.content.decode()

    small, page = count("?overdue=yes&stock=stock&industry=gas")
    assert "企业0" in page and "逾期" in page and "存量" in page
    _hazards(world, 60, start=10)
    large, _ = count("?overdue=yes&stock=stock&industry=gas")
    assert small == large
    _, page = count("?stock=increment")
    assert "没有符合条件的隐患" in page


def test_notification_and_follow_ups_are_recorded(client, world, users):
    client.force_login(users["office"])
    client.post(url(world, "hazard-create"), register_payload(world))
    hazard = MajorHazard.objects.get()
    detail = url(world, "hazard-detail", hazard.pk)
    client.post(detail, {"step": "notify", "notify-principal_on": "2024-03-02", "notify-controller_on": "2024-03-03"})
    client.post(detail, {"step": "followup", "followup-kind": "interview", "followup-content": "约谈企业主要负责人"})
    hazard.refresh_from_db()
    assert hazard.principal_notified_on == datetime.date(2024, 3, 2)
    assert hazard.controller_notified_on == datetime.date(2024, 3, 3)
    page = client.get(detail).content.decode()
    assert "约谈企业主要负责人" in page and "2024-03-03" in page
    # A date before the hazard was found is refused with a message.
    response = client.post(detail, {"step": "notify", "notify-principal_on": "2024-01-01"}, follow=True)
    assert "通知日期应在发现日期和今天之间" in response.content.decode()


def test_enterprise_is_found_by_name_or_code(client, world, users):
    client.force_login(users["office"])
    client.post(url(world, "hazard-create"), register_payload(world))
    response = client.post(url(world, "hazard-create"), register_payload(
        world, credit_code="", found_on="2024-04-01", description="另一处隐患"))
    assert response.status_code == 302
    assert Enterprise.objects.count() == 1 and MajorHazard.objects.count() == 2
    page = client.post(url(world, "hazard-create"), register_payload(
        world, enterprise_name="新企业", credit_code="")).content.decode()
    assert "请填写统一社会信用代码" in page


def test_refused_registration_leaves_no_new_enterprise(client, world, users):
    client.force_login(users["liaison_a"])  # a department that does not supervise it
    page = client.post(url(world, "hazard-create"), register_payload(world)).content.decode()
    assert "辖区或监管范围" in page
    assert Enterprise.objects.count() == 0 and MajorHazard.objects.count() == 0
