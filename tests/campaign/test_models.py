import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from campaign.models import Campaign, Plan, Profile, Unit
from tasks.models import Milestone, QuantifiedTarget, TargetYearValue

from ..factories import make_user

pytestmark = pytest.mark.django_db


def _raises_integrity(fn):
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def test_unit_kind_is_checked_by_the_database(world):
    _raises_integrity(lambda: Unit.objects.create(code="x", name="x", kind="ministry"))


def test_one_master_plan_per_campaign(world):
    _raises_integrity(
        lambda: Plan.objects.create(campaign=world.campaign, unit=world.township, kind="master", title="x")
    )


def test_one_plan_per_unit_per_campaign(world):
    _raises_integrity(lambda: Plan.objects.create(campaign=world.campaign, unit=world.dept_a, kind="sub", title="x"))


def test_target_comparator_and_unit_are_checked(world):
    _raises_integrity(lambda: QuantifiedTarget.objects.create(task=world.task_a, metric="m", comparator=">>"))
    _raises_integrity(lambda: QuantifiedTarget.objects.create(task=world.task_a, metric="m", measure_unit="吨"))


def test_target_year_value_unique_per_year(world):
    target = QuantifiedTarget.objects.create(task=world.task_a, metric="覆盖率")
    TargetYearValue.objects.create(target=target, year=2024, value=90)
    _raises_integrity(lambda: TargetYearValue.objects.create(target=target, year=2024, value=95))


def test_campaign_end_after_start(world):
    _raises_integrity(
        lambda: Campaign.objects.create(slug="bad", name="bad", office=world.office,
                                        start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2025, 1, 1))
    )


def test_milestone_inside_the_campaign(world):
    milestone = Milestone(task=world.task_a, seq=9, due_date=datetime.date(2027, 1, 1), text="x")
    with pytest.raises(ValidationError) as err:
        milestone.full_clean()
    assert "三年行动期内" in str(err.value)


def test_liaison_needs_a_unit(world):
    user = make_user("someone")
    _raises_integrity(lambda: Profile.objects.create(user=user, role="liaison"))


def test_unit_cannot_be_its_own_ancestor(world):
    world.office.parent = world.dept_a
    with pytest.raises(ValidationError):
        world.office.full_clean()
