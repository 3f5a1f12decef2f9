"""Build (or bring up to date) the demo campaign ``weishan-2024`` from the Weishan plan.

Running it again updates rows in place, so there is always exactly one demo campaign.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from campaign.choices import PlanKind, Role, UnitKind
from campaign.models import ActionLine, Campaign, Plan, Profile, Unit
from tasks.models import Milestone, QuantifiedTarget, TargetYearValue, Task
from tasks.services import milestone_remove, task_sync_assignments
from tasks.textrules import extract_targets, split_milestones

from . import weishan
from .counties import CITY_NAME, CITY_OFFICE, CITY_SLUG, COUNTIES, WEISHAN, County
from .hazards import load_hazards
from .history import date_creations
from .progress import simulate_progress
from .reports import publish_past_reports
from .targets import DEMO_TARGETS

SLUG = "weishan-2024"
DEMO_PASSWORD = "weishan-demo-2024"


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: str
    unit_code: str | None
    label: str


DEMO_USERS = [
    DemoUser("office", "县安委办 张主任", Role.OFFICE, "ws-office", "安办工作人员"),
    DemoUser("leader", "分管副县长 李县长", Role.LEADER, "ws-office", "领导"),
    DemoUser("zjj", "县住建局 王联络员", Role.LIAISON, "ws-zjj", "县住房和城乡建设局联络员"),
    DemoUser("yjj", "县应急局 赵联络员", Role.LIAISON, "ws-yjj", "县应急管理局联络员"),
    DemoUser("xiazhen", "夏镇街道 刘联络员", Role.LIAISON, "ws-xzjd", "夏镇街道联络员"),
    DemoUser("admin", "系统管理员", Role.OFFICE, "ws-office", "系统管理员（管理后台 /admin/）"),
    # Levels (load_demo --city, the command's default): Jiaxiang's office, and Jining's above both counties.
    DemoUser("jx-office", "嘉祥县安委办 孙主任", Role.OFFICE, "jx-office", "嘉祥县安办工作人员"),
    DemoUser("city-office", "市安委办 周科长", Role.OFFICE, "jn-office", "济宁市安办工作人员（只读查看各县）"),
    DemoUser("city-leader", "分管副市长 吴市长", Role.LEADER, "jn-office", "济宁市领导"),
]


def upsert(model, defaults: dict, **lookup):
    """Like update_or_create, but saves (and so writes history) only when something differs."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **defaults)
    _set_if_changed(obj, **defaults)
    return obj


def _upsert_unit(code, name, kind, parent, order, short_name="", aliases="") -> Unit:
    return upsert(
        Unit, dict(name=name, kind=kind, parent=parent, sort_order=order, short_name=short_name, aliases=aliases),
        code=code,
    )


def load_units(county: County = WEISHAN, above: Unit | None = None, order: int = 0) -> dict[str, Unit]:
    """All of a county's units (its office under ``above``, the city's), keyed by code and every name they go by."""
    code, name, short = county.office
    office = _upsert_unit(code, name, UnitKind.OFFICE, above, order, short, county.office_aliases)
    units = [office]
    for order, (code, name, short, aliases) in enumerate(county.departments(), start=1):
        units.append(_upsert_unit(code, name, UnitKind.DEPARTMENT, office, order, short, aliases))
    for order, (code, name) in enumerate(county.townships, start=1):
        units.append(_upsert_unit(code, name, UnitKind.TOWNSHIP, office, order))
    code, name, short = county.zone
    units.append(_upsert_unit(code, name, UnitKind.ZONE, office, len(county.townships) + 1, short))
    index: dict[str, Unit] = {}
    for unit in units:
        for key in [unit.code, unit.name, unit.short_name, *unit.alias_list()]:
            if key:
                index[key] = unit
    return index


def _resolve(names: list[str], index: dict[str, Unit]) -> list[Unit]:
    result: list[Unit] = []
    for name in names:
        if name == weishan.ALL_TOWNSHIPS:
            result.extend(u for u in dict.fromkeys(index.values()) if u.kind in (UnitKind.TOWNSHIP, UnitKind.ZONE))
        else:
            result.append(index[name])
    return list(dict.fromkeys(result))


def _sync_milestones(task: Task, specs) -> None:
    existing = {m.seq: m for m in task.milestones.all()}
    for seq, spec in enumerate(specs, start=1):
        milestone = existing.pop(seq, None)
        if milestone is None:
            Milestone.objects.create(task=task, seq=seq, due_date=spec.due_date, text=spec.text)
        elif (milestone.due_date, milestone.text) != (spec.due_date, spec.text):
            milestone.due_date, milestone.text = spec.due_date, spec.text
            milestone.save()
    for leftover in existing.values():
        milestone_remove(milestone=leftover)


def _sync_targets(task: Task, milestones) -> None:
    """Targets stated in a milestone's text apply to the milestone's year."""
    wanted: dict[str, tuple] = {}
    for spec in milestones:
        for target in extract_targets(spec.text):
            entry = wanted.setdefault(target.metric, (target, {}))
            entry[1][spec.due_date.year] = target.value
    for metric, (target, values) in wanted.items():
        obj = upsert(
            QuantifiedTarget,
            dict(measure_unit=target.measure_unit, comparator=target.comparator, source_text=target.source_text),
            task=task, metric=metric,
        )
        for year, value in values.items():
            upsert(TargetYearValue, {"value": value}, target=obj, year=year)


def load_demo_targets(plan: Plan) -> None:
    """The office's quantified targets for tasks whose text states none (``targets.DEMO_TARGETS``)."""
    tasks = {t.code: t for t in plan.tasks.all()}
    for spec in DEMO_TARGETS:
        target = upsert(
            QuantifiedTarget,
            dict(measure_unit=spec.measure_unit, comparator=spec.comparator, source_text=spec.source_text,
                 baseline=None if spec.baseline is None else Decimal(spec.baseline)),
            task=tasks[spec.task], metric=spec.metric,
        )
        for year, value in spec.values.items():
            upsert(TargetYearValue, {"value": Decimal(value)}, target=target, year=year)


def _set_if_changed(obj, **values) -> None:
    if any(getattr(obj, k) != v for k, v in values.items()):
        for k, v in values.items():
            setattr(obj, k, v)
        obj.save()


def load_users(index: dict[str, Unit], county: County | None = WEISHAN) -> list[DemoUser]:
    """The demo accounts of ``county`` (None: the city's), those whose unit is in ``index``."""
    User = get_user_model()
    for demo in DEMO_USERS:
        if demo.unit_code not in index:
            continue
        user, created = User.objects.get_or_create(username=demo.username)
        is_admin = demo.username == "admin"
        changed = created or (user.first_name, user.is_staff, user.is_superuser) != (demo.full_name, is_admin, is_admin)
        user.first_name = demo.full_name
        user.is_staff = user.is_superuser = is_admin
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            changed = True
        if changed:
            user.save()
        upsert(Profile, {"role": demo.role, "unit": index[demo.unit_code]}, user=user)
    return DEMO_USERS


@transaction.atomic
def load_demo(today: datetime.date | None = None, *, reports: bool = True, city: bool = False) -> Campaign:
    """The demo campaign (Weishan) as of ``today`` (default: the real date); with ``reports``, the published
    monthly reports of the months already past too (tests that need none skip that step). With ``city`` (the
    command's default), also Jiaxiang and the city of Jining above both (issue 18's levels)."""
    today = today or timezone.localdate()
    if city:
        return load_city(today, reports=reports)[WEISHAN.slug]
    return load_county(WEISHAN, today, reports=reports)


def load_county(county: County, today: datetime.date, *, reports: bool = True,
                city: tuple[Campaign, int] | None = None) -> Campaign:
    """A county's units, campaign, plan, accounts, register and history; ``city``: the city's campaign above it and
    the county's place among the city's."""
    above, order = (city[0].office, city[1]) if city else (None, 0)
    index = load_units(county, above, order)
    office = index[county.office[0]]
    campaign = upsert(
        Campaign,
        dict(
            name=county.campaign_name,
            office=office,
            parent=city[0] if city else None,
            start_date=datetime.date(2024, 1, 1),
            end_date=datetime.date(2026, 12, 31),
            baseline_date=datetime.date(2023, 12, 31),
        ),
        slug=county.slug,
    )
    plan = upsert(Plan, dict(kind=PlanKind.MASTER, title=county.plan_title), campaign=campaign, unit=office)
    position = 0
    for parsed_line in weishan.parse_plan():
        line = upsert(ActionLine, dict(title=parsed_line.title, description=parsed_line.description),
                      plan=plan, number=parsed_line.number)
        for parsed in parsed_line.tasks:
            position += 1
            task = Task.objects.filter(plan=plan, code=parsed.code).first()
            if task is None:
                task = Task.objects.create(plan=plan, code=parsed.code, position=position, text=parsed.text,
                                           action_line=line)
            else:
                _set_if_changed(task, position=position, text=parsed.text, action_line=line)
            lead_names, coop_names = weishan.RESPONSIBILITY[parsed.code]
            lead = _resolve(lead_names, index)
            coop = [u for u in _resolve(coop_names, index) if u not in lead]
            if set(task.lead_units.all()) != set(lead):
                task.lead_units.set(lead)
            if set(task.cooperating_units.all()) != set(coop):
                task.cooperating_units.set(coop)
            milestones = split_milestones(parsed.text, campaign.end_date, "全面完成本项任务")
            _sync_milestones(task, milestones)
            _sync_targets(task, milestones)
            task_sync_assignments(task=task)
    load_demo_targets(plan)
    # Sub-plans ("1+N") for the two departments that log in to the demo.
    for code in ("ws-zjj", "ws-yjj"):
        unit = index[county.code(code)]
        upsert(Plan, dict(kind=PlanKind.SUB, title=f"{unit.name}安全生产治本攻坚三年行动方案"),
               campaign=campaign, unit=unit)
    load_users(index, county)
    office_user = get_user_model().objects.get(username=county_office_user(county))
    # The register first: the rectification rates units report are read from it.
    load_hazards(campaign, today, office_user, county)
    simulate_progress(campaign, today, office_user)
    date_creations(campaign)
    if reports:
        publish_past_reports(campaign, today, office_user)
    return campaign


def county_office_user(county: County) -> str:
    return "office" if county == WEISHAN else f"{county.prefix}office"


def load_city(today: datetime.date, *, reports: bool = True) -> dict[str, Campaign]:
    """Jining's office above Weishan's and Jiaxiang's, its campaign above theirs, and its accounts; the campaigns
    by slug."""
    code, name, short = CITY_OFFICE
    city_office = _upsert_unit(code, name, UnitKind.OFFICE, None, 0, short)
    city = upsert(Campaign, dict(name=CITY_NAME, office=city_office, start_date=datetime.date(2024, 1, 1),
                                 end_date=datetime.date(2026, 12, 31), baseline_date=datetime.date(2023, 12, 31)),
                  slug=CITY_SLUG)
    upsert(Plan, dict(kind=PlanKind.MASTER, title="济宁市安全生产治本攻坚三年行动实施方案"), campaign=city,
           unit=city_office)
    campaigns = {CITY_SLUG: city}
    for order, county in enumerate(COUNTIES, start=1):
        campaigns[county.slug] = load_county(county, today, reports=reports, city=(city, order))
    load_users({code: city_office}, None)
    return campaigns
