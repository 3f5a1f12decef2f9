"""Every allowed and refused step of a hazard (DESIGN §4), and stock/increment at the baseline."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaign.choices import Role
from core.errors import ServiceError
from hazards.models import Enterprise, MajorHazard
from hazards.services import (
    hazard_close,
    hazard_file_plan,
    hazard_list_for_supervision,
    hazard_register,
    hazard_report_rectified,
    hazard_return,
)
from hazards.validators import make_credit_code

from ..factories import make_user

pytestmark = pytest.mark.django_db
FOUND = datetime.date(2024, 3, 1)


@pytest.fixture
def enterprise(world):
    return Enterprise.objects.create(name="某化工有限公司", credit_code=make_credit_code("9137082600000001"),
                                     township=world.township)


@pytest.fixture
def people(world, users):
    return {**users, "town_liaison": users["liaison_town"], "dept_liaison": users["liaison_b"]}


def register(world, enterprise, user, **kw):
    data = dict(campaign=world.campaign, enterprise=enterprise, township=world.township, supervisor=world.dept_b,
                industry="hazchem", description="储罐区未设置紧急切断装置", channel="enforcement", found_on=FOUND)
    data.update(kw)
    return hazard_register(user=user, **data)


def evidence():
    return [SimpleUploadedFile("整改后.jpg", b"\xff\xd8\xff\xe0" + b"0" * 20)]


def test_full_lifecycle_by_the_supervising_department(world, enterprise, people, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    hazard = register(world, enterprise, people["town_liaison"])
    assert hazard.state == "registered"
    hazard = hazard_file_plan(hazard=hazard, measures="加装紧急切断阀", responsible_person="张三",
                              deadline=datetime.date(2024, 6, 30), user=people["town_liaison"])
    assert hazard.state == "rectifying"
    hazard = hazard_report_rectified(hazard=hazard, rectified_on=datetime.date(2024, 6, 1), files=evidence(),
                                     user=people["town_liaison"])
    assert hazard.state == "pending_close" and hazard.evidence.count() == 1
    hazard = hazard_close(hazard=hazard, user=people["dept_liaison"], closed_on=datetime.date(2024, 6, 10))
    assert (hazard.state, hazard.closed_on) == ("closed", datetime.date(2024, 6, 10))
    history = list(MajorHazard.history.filter(id=hazard.pk).values_list("state", flat=True))
    assert set(history) == {"registered", "rectifying", "pending_close", "closed"}


def test_rectifying_without_a_plan_is_refused(world, enterprise, people):
    hazard = register(world, enterprise, people["office"])
    with pytest.raises(ServiceError, match="尚未提交整改方案"):
        hazard_report_rectified(hazard=hazard, rectified_on=datetime.date(2024, 4, 1), files=evidence(),
                                user=people["office"])


def test_closing_an_unverified_hazard_is_refused(world, enterprise, people):
    hazard = register(world, enterprise, people["office"])
    hazard_file_plan(hazard=hazard, measures="m", responsible_person="p", deadline=datetime.date(2024, 6, 30),
                     user=people["office"])
    with pytest.raises(ServiceError, match="不能销号"):
        hazard_close(hazard=hazard, user=people["office"])


def test_rectified_needs_evidence(world, enterprise, people):
    hazard = register(world, enterprise, people["office"])
    hazard_file_plan(hazard=hazard, measures="m", responsible_person="p", deadline=datetime.date(2024, 6, 30),
                     user=people["office"])
    with pytest.raises(ServiceError, match="佐证材料"):
        hazard_report_rectified(hazard=hazard, rectified_on=datetime.date(2024, 5, 1), files=[], user=people["office"])


def test_rejected_close_out_returns_with_reason(world, enterprise, people, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    hazard = register(world, enterprise, people["office"])
    hazard_file_plan(hazard=hazard, measures="m", responsible_person="p", deadline=datetime.date(2024, 6, 30),
                     user=people["office"])
    hazard_report_rectified(hazard=hazard, rectified_on=datetime.date(2024, 5, 1), files=evidence(),
                            user=people["office"])
    with pytest.raises(ServiceError, match="原因"):
        hazard_return(hazard=hazard, user=people["dept_liaison"], reason="")
    hazard = hazard_return(hazard=hazard, user=people["dept_liaison"], reason="切断阀未联锁")
    assert (hazard.state, hazard.return_reason) == ("rectifying", "切断阀未联锁")
    # Resubmitting reuses the evidence already on file.
    hazard = hazard_report_rectified(hazard=hazard, rectified_on=datetime.date(2024, 5, 20), files=[],
                                     user=people["office"])
    assert hazard.state == "pending_close"


def test_only_the_supervising_department_or_office_verifies(world, enterprise, people, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    hazard = register(world, enterprise, people["office"])
    hazard_file_plan(hazard=hazard, measures="m", responsible_person="p", deadline=datetime.date(2024, 6, 30),
                     user=people["office"])
    hazard_report_rectified(hazard=hazard, rectified_on=datetime.date(2024, 5, 1), files=evidence(),
                            user=people["office"])
    for who in ("town_liaison", "liaison_a", "leader"):
        with pytest.raises(ServiceError, match="监管部门"):
            hazard_close(hazard=hazard, user=people[who])


@pytest.mark.parametrize("level, approval, ok", [
    ("county", "", True), ("city", "", False), ("city", "市安办销〔2024〕3号", True), ("province", "", False),
])
def test_listed_hazard_closes_only_with_the_listing_level(world, enterprise, people, tmp_path, settings,
                                                          level, approval, ok):
    settings.MEDIA_ROOT = tmp_path
    hazard = register(world, enterprise, people["office"])
    hazard_list_for_supervision(hazard=hazard, level=level, listed_on=datetime.date(2024, 3, 5),
                                listing_unit="市安委办", notice_number="督〔2024〕1号", user=people["office"])
    hazard_file_plan(hazard=hazard, measures="m", responsible_person="p", deadline=datetime.date(2024, 6, 30),
                     user=people["office"])
    hazard_report_rectified(hazard=hazard, rectified_on=datetime.date(2024, 5, 1), files=evidence(),
                            user=people["office"])
    # The department alone cannot close a listed hazard.
    with pytest.raises(ServiceError, match="挂牌督办"):
        hazard_close(hazard=hazard, user=people["dept_liaison"])
    if ok:
        assert hazard_close(hazard=hazard, user=people["office"], approval=approval).state == "closed"
    else:
        with pytest.raises(ServiceError, match="批准文号"):
            hazard_close(hazard=hazard, user=people["office"], approval=approval)


def test_registration_is_limited_to_the_remit(world, enterprise, people):
    with pytest.raises(ServiceError, match="辖区或监管范围"):
        register(world, enterprise, people["liaison_a"])  # a department that does not supervise it
    other_town = world.township.__class__.objects.create(code="town2", name="另一镇", kind="township",
                                                         parent=world.office)
    town2 = make_user("t2", Role.LIAISON, other_town)
    with pytest.raises(ServiceError):
        register(world, enterprise, town2)
    assert register(world, enterprise, people["dept_liaison"]).pk


def test_duplicate_is_refused(world, enterprise, people):
    register(world, enterprise, people["office"])
    with pytest.raises(ServiceError, match="不要重复登记"):
        register(world, enterprise, people["office"])
    assert register(world, enterprise, people["office"], found_on=datetime.date(2024, 3, 2)).pk


def test_stock_and_increment_at_the_baseline(world, enterprise, people):
    baseline = world.campaign.baseline_date
    on = register(world, enterprise, people["office"], found_on=baseline)
    after = register(world, enterprise, people["office"], found_on=baseline + datetime.timedelta(days=1))
    assert on.is_stock() and not after.is_stock()


def test_invalid_credit_code_is_refused_by_the_model(world):
    enterprise = Enterprise(name="x", credit_code="91110000100007955X")
    with pytest.raises(Exception, match="校验"):
        enterprise.full_clean()
