import datetime

import factory
from django.contrib.auth import get_user_model

from campaign.choices import PlanKind, Role, UnitKind
from campaign.models import ActionLine, Campaign, KeyTask, Plan, Profile, Unit
from tasks.models import Milestone, Task
from tasks.services import task_sync_assignments


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"u{n:04d}")
    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = UnitKind.DEPARTMENT


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    slug = factory.Sequence(lambda n: f"c{n}")
    name = factory.Sequence(lambda n: f"测试三年行动{n}")
    office = factory.SubFactory(UnitFactory, kind=UnitKind.OFFICE)
    start_date = datetime.date(2024, 1, 1)
    end_date = datetime.date(2026, 12, 31)


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    campaign = factory.SubFactory(CampaignFactory)
    unit = factory.LazyAttribute(lambda o: o.campaign.office)
    kind = PlanKind.MASTER
    title = factory.Sequence(lambda n: f"方案{n}")


class ActionLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionLine

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"开展第{n}项行动")


class KeyTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyTask

    action_line = factory.SubFactory(ActionLineFactory)
    title = factory.Sequence(lambda n: f"重点工作{n}")


def make_task(plan, code, *, lead, coop=(), due=(datetime.date(2024, 12, 31),), action_line=None, text=None):
    """A task with milestones and synced assignments, as the app would save it."""
    task = Task.objects.create(
        plan=plan, code=str(code), position=int(code) if str(code).isdigit() else 0,
        text=text or f"第{code}项任务的内容。", action_line=action_line,
    )
    task.lead_units.set(lead)
    task.cooperating_units.set(coop)
    for seq, day in enumerate(due, start=1):
        Milestone.objects.create(task=task, seq=seq, due_date=day, text=f"节点{seq}")
    task_sync_assignments(task=task)
    return task


def make_user(username, role=None, unit=None, **extra):
    user = get_user_model().objects.create_user(username=username, password="pw-123456-test", **extra)
    if role:
        Profile.objects.create(user=user, role=role, unit=unit)
    return user


ROLES = {"office": Role.OFFICE, "leader": Role.LEADER, "liaison": Role.LIAISON}
