"""Deterministic synthetic campaigns at county, city and province scale (DESIGN §6 ``seed_scale``).

One campaign per preset (slug ``scale-<preset>``) under its own office: departments, townships and
development zones; the office's master plan and a sub-plan per department; tasks with milestones,
assignments and quantified targets; monthly progress reports for every month an assignment was open
(first sent in around the 25th deadline, some late, a few missing or returned), target actuals each
quarter; a few extensions and follow-ups; and the major-hazard register with its enterprises.

Rows are generated as tuples and written below the ORM (COPY on PostgreSQL, executemany on SQLite)
through ``core.db``; no per-row history is written. The same preset gives the same
data every time (one seeded random stream, fixed dates). Running again deletes the preset's campaign
with a few set-based DELETEs and builds it anew; its units are kept (matched by code).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from campaign.choices import PlanKind, UnitKind
from campaign.models import ActionLine, Campaign, KeyTask, Plan, Unit
from core.db import allocate_ids, insert_rows
from hazards.choices import Channel, HazardState, Industry, ListedLevel
from hazards.models import Enterprise, HazardFollowUp, MajorHazard
from hazards.validators import make_credit_code
from tasks.choices import (
    AssignmentRole,
    Comparator,
    ExtensionState,
    FollowUpKind,
    MeasureUnit,
    ReportedStatus,
    ReportState,
)
from tasks.models import (
    Assignment,
    ExtensionRequest,
    FollowUp,
    Milestone,
    ProgressReport,
    ProgressValue,
    QuantifiedTarget,
    TargetYearValue,
    Task,
)

START = datetime.date(2024, 1, 1)
END = datetime.date(2026, 12, 31)
BASELINE = datetime.date(2023, 12, 31)
DEADLINE_DAY = 25
CHUNK = 5000  # assignments whose reports are generated and written together


@dataclass(frozen=True)
class Preset:
    number: int  # distinguishes the presets' enterprise credit codes
    label: str
    departments: int
    townships: int
    zones: int
    tasks: int  # in the master plan
    assignments: int  # about this many in all
    hazards: int
    sub_tasks: int = 3  # per department sub-plan

    @property
    def units(self) -> int:
        return self.departments + self.townships + self.zones


PRESETS = {
    "county": Preset(1, "县", departments=22, townships=16, zones=2, tasks=28, assignments=400, hazards=1_000),
    "city": Preset(2, "市", departments=48, townships=240, zones=12, tasks=150, assignments=10_000, hazards=20_000),
    "province": Preset(3, "省", departments=90, townships=1_800, zones=110, tasks=600, assignments=100_000,
                       hazards=200_000),
}

DEPARTMENTS = ["应急管理", "住房和城乡建设", "交通运输", "工业和信息化", "公安", "市场监督管理", "消防救援", "水利",
               "农业农村", "商务", "文化和旅游", "卫生健康", "自然资源", "生态环境", "教育", "能源", "城市管理",
               "发展和改革", "财政", "人力资源和社会保障", "民政", "林业"]
SHORT = ["应急", "住建", "交通", "工信", "公安", "市场监管", "消防", "水利", "农业农村", "商务", "文旅", "卫健",
         "自然资源", "生态环境", "教育", "能源", "城管", "发改", "财政", "人社", "民政", "林业"]
LINES = ["安全生产责任落实", "重大事故隐患排查整治", "安全科技支撑和信息化", "安全生产精准执法",
         "安全生产宣传教育", "从业人员安全素质提升", "生产经营单位主体责任", "安全监管能力提升",
         "城镇燃气安全整治", "消防安全整治"]
TARGETS = [("重点企业隐患排查覆盖率", MeasureUnit.PERCENT, Comparator.GTE, (80, 90, 100)),
           ("从业人员培训考核合格率", MeasureUnit.PERCENT, Comparator.GTE, (85, 90, 95)),
           ("“四不两直”暗查暗访", MeasureUnit.TIMES, Comparator.GTE, (12, 18, 24)),
           ("较大以上生产安全事故", MeasureUnit.TIMES, Comparator.LTE, (2, 1, 0)),
           ("重大事故隐患整改率", MeasureUnit.PERCENT, Comparator.GTE, (90, 95, 100))]
PROGRESS = ["已召开专题部署会，制定工作方案，明确责任科室和时间节点。",
            "组织开展专项检查，覆盖重点企业{n}家，督促整改问题隐患{m}项。",
            "开展集中培训{n}场次，参训人员{m}人次。",
            "按月调度推进，已完成阶段性任务，相关台账资料已归档。",
            "会同相关部门联合督导，对发现的问题逐项建立清单、跟踪销号。"]
PROBLEMS = ["", "", "", "部分企业主体责任落实不到位，整改进度偏慢。", "专业技术力量不足，需借助第三方服务机构。"]
NEXT = ["继续按计划推进，加强督导检查。", "下月开展“回头看”，巩固整改成效。", "完善长效机制，做好总结提升。"]
HAZARD_TEXTS = ["涉爆粉尘作业场所未按规定设置泄爆装置", "有限空间作业未执行“先通风、再检测、后作业”",
                "储罐区未设置紧急切断装置", "燃气管道穿越建筑物未采取防护措施", "高处作业未设置防坠落设施",
                "消防通道被占用、安全出口锁闭", "特种设备超期未检验继续使用", "危险化学品仓库超量储存",
                "电气线路私拉乱接、未穿管保护"]
DUE_DATES = [datetime.date(2024, 6, 30), datetime.date(2024, 9, 30), datetime.date(2024, 12, 31),
             datetime.date(2025, 3, 31), datetime.date(2025, 6, 30), datetime.date(2025, 12, 31),
             datetime.date(2026, 6, 30), datetime.date(2026, 9, 30), datetime.date(2026, 12, 31)]


def slug_of(preset: str) -> str:
    return f"scale-{preset}"


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour, minute))


class Seeder:
    """Builds one preset's campaign; ``run()`` returns it. ``log`` receives one line per step."""

    def __init__(self, preset: str | Preset, *, slug: str | None = None, as_of: datetime.date = END,
                 log: Callable[[str], None] | None = None):
        """``preset``: a name in PRESETS, or a Preset of one's own (tests use small ones) with its ``slug``."""
        self.name = preset if isinstance(preset, str) else slug
        self.preset = PRESETS[preset] if isinstance(preset, str) else preset
        self.slug = slug or slug_of(preset)
        self.as_of = min(as_of, END)
        self.rng = random.Random(f"seed-scale-{self.name}")
        self.log = log or (lambda line: None)
        self.counts: dict[str, int] = {}

    # ---- entry point ------------------------------------------------------------------------------------

    def run(self) -> Campaign:
        with transaction.atomic():
            self.delete_existing()
            units = self.units()
            campaign = Campaign.objects.create(
                slug=self.slug, name=f"规模测试{self.preset.label}安全生产治本攻坚三年行动", office=units["office"],
                start_date=START, end_date=END, baseline_date=BASELINE, report_deadline_day=DEADLINE_DAY,
            )
            self.campaign = campaign
            plans = self.plans(units)
            assignments, targets = self.tasks(plans, units)
            self.reports(assignments, targets)
            self.extras(assignments)
            self.hazards(units)
        return campaign

    # ---- removal of an earlier run ----------------------------------------------------------------------

    def delete_existing(self) -> None:
        campaign = Campaign.objects.filter(slug=self.slug).first()
        if campaign is None:
            return
        cid = campaign.pk
        t = {m: m._meta.db_table for m in (Task, Assignment, ProgressReport, ProgressValue, Milestone,
                                           QuantifiedTarget, TargetYearValue, ExtensionRequest, FollowUp,
                                           MajorHazard, HazardFollowUp, Enterprise, Plan)}
        plans = f'SELECT "id" FROM "{t[Plan]}" WHERE "campaign_id" = {int(cid)}'
        tasks = f'SELECT "id" FROM "{t[Task]}" WHERE "plan_id" IN ({plans})'
        assignments = f'SELECT "id" FROM "{t[Assignment]}" WHERE "task_id" IN ({tasks})'
        reports = f'SELECT "id" FROM "{t[ProgressReport]}" WHERE "assignment_id" IN ({assignments})'
        targets = f'SELECT "id" FROM "{t[QuantifiedTarget]}" WHERE "task_id" IN ({tasks})'
        hazards = f'SELECT "id" FROM "{t[MajorHazard]}" WHERE "campaign_id" = {int(cid)}'
        statements = [
            f'DELETE FROM "{t[ProgressValue]}" WHERE "report_id" IN ({reports})',
            f'DELETE FROM "{t[ProgressReport]}" WHERE "assignment_id" IN ({assignments})',
            f'DELETE FROM "{t[ExtensionRequest]}" WHERE "assignment_id" IN ({assignments})',
            f'DELETE FROM "{t[FollowUp]}" WHERE "assignment_id" IN ({assignments})',
            f'DELETE FROM "{t[Assignment]}" WHERE "task_id" IN ({tasks})',
            f'DELETE FROM "{t[Milestone]}" WHERE "task_id" IN ({tasks})',
            f'DELETE FROM "{t[TargetYearValue]}" WHERE "target_id" IN ({targets})',
            f'DELETE FROM "{t[QuantifiedTarget]}" WHERE "task_id" IN ({tasks})',
            f'DELETE FROM "{Task.lead_units.through._meta.db_table}" WHERE "task_id" IN ({tasks})',
            f'DELETE FROM "{Task.cooperating_units.through._meta.db_table}" WHERE "task_id" IN ({tasks})',
            f'DELETE FROM "{t[Task]}" WHERE "plan_id" IN ({plans})',
            f'DELETE FROM "{t[HazardFollowUp]}" WHERE "hazard_id" IN ({hazards})',
            f'DELETE FROM "{t[MajorHazard]}" WHERE "campaign_id" = {int(cid)}',
        ]
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
            # The preset's enterprises, unless another campaign's register also names them.
            cursor.execute(
                f'DELETE FROM "{t[Enterprise]}" WHERE "credit_code" LIKE %s AND NOT EXISTS '
                f'(SELECT 1 FROM "{t[MajorHazard]}" h WHERE h."enterprise_id" = "{t[Enterprise]}"."id")',
                [f"{self.credit_prefix}%"],
            )
        # What is left (plans, action lines, reports and their scores, jobs, imports) is small: the ORM's
        # cascade also covers tables added later.
        campaign.delete()
        self.log(f"deleted the earlier {self.slug}")

    @property
    def unit_prefix(self) -> str:
        """"s3" for the province: its units are s3-office, s3d000…, s3t0000…, s3z000…"""
        return f"s{self.preset.number}"

    @property
    def credit_prefix(self) -> str:
        return f"9137990{self.preset.number}"

    # ---- units and plans ----------------------------------------------------------------------------------

    def units(self) -> dict:
        # Short codes, like real ones (the demo's "ws-zjj", division codes): they fill the filter menus and links.
        p, prefix = self.preset, self.unit_prefix
        office = Unit.objects.filter(code=f"{prefix}-office").first()
        if office is None:
            office = Unit.objects.create(code=f"{prefix}-office", name=f"规模测试{p.label}安委会办公室",
                                         short_name=f"{p.label}安委办", kind=UnitKind.OFFICE)
        wanted = []
        for i in range(p.departments):
            base, short = DEPARTMENTS[i % len(DEPARTMENTS)], SHORT[i % len(SHORT)]
            suffix = "" if i < len(DEPARTMENTS) else f"{i // len(DEPARTMENTS) + 1}"
            wanted.append((f"{prefix}d{i:03d}", f"{p.label}{base}局{suffix}", f"{p.label}{short}局{suffix}",
                           UnitKind.DEPARTMENT, i))
        for i in range(p.townships):
            name = f"第{i + 1}街道" if i % 5 == 4 else f"第{i + 1}镇"
            wanted.append((f"{prefix}t{i:04d}", name, "", UnitKind.TOWNSHIP, 1000 + i))
        for i in range(p.zones):
            wanted.append((f"{prefix}z{i:03d}", f"第{i + 1}经济开发区", f"第{i + 1}开发区", UnitKind.ZONE, 5000 + i))
        existing = dict(Unit.objects.filter(parent=office).values_list("code", "pk"))
        missing = [w for w in wanted if w[0] not in existing]
        ids = allocate_ids(Unit, len(missing))
        insert_rows(Unit, ["id", "code", "name", "short_name", "aliases", "kind", "parent_id", "sort_order",
                           "is_active"],
                    [(pk, code, name, short, "", kind, office.pk, order, True)
                     for pk, (code, name, short, kind, order) in zip(ids, missing, strict=True)])
        by_code = dict(Unit.objects.filter(parent=office).values_list("code", "pk"))
        codes = [w[0] for w in wanted]
        Unit.objects.filter(pk__in=[by_code[c] for c in codes]).update(is_active=True)
        self.count("units", len(codes) + 1)
        return {
            "office": office,
            "departments": [by_code[c] for c in codes[:p.departments]],
            "townships": [by_code[c] for c in codes[p.departments:]],
        }

    def plans(self, units) -> dict:
        office = units["office"]
        master = Plan.objects.create(campaign=self.campaign, unit=office, kind=PlanKind.MASTER,
                                     title=f"{self.campaign.name}实施方案")
        ids = allocate_ids(Plan, len(units["departments"]))
        insert_rows(Plan, ["id", "campaign_id", "unit_id", "kind", "title"],
                    [(pk, self.campaign.pk, dept, PlanKind.SUB, f"子方案{n + 1}")
                     for n, (pk, dept) in enumerate(zip(ids, units["departments"], strict=True))])
        subs = list(zip(ids, units["departments"], strict=True))
        # Ten action lines with two key works each in the master plan, three lines in each sub-plan.
        lines = [(master.pk, number, title) for number, title in enumerate(LINES, start=1)]
        lines += [(plan_id, number, LINES[number - 1]) for plan_id, _ in subs for number in (1, 2, 3)]
        line_ids = allocate_ids(ActionLine, len(lines))
        insert_rows(ActionLine, ["id", "plan_id", "number", "title", "description"],
                    [(pk, plan, number, f"开展{title}专项行动", "") for pk, (plan, number, title) in
                     zip(line_ids, lines, strict=True)])
        master_lines = line_ids[:len(LINES)]
        key_rows = [(line, n, f"重点工作{i * 2 + n}") for i, line in enumerate(master_lines) for n in (1, 2)]
        key_ids = allocate_ids(KeyTask, len(key_rows))
        insert_rows(KeyTask, ["id", "action_line_id", "number", "title"],
                    [(pk, *row) for pk, row in zip(key_ids, key_rows, strict=True)])
        sub_lines = {plan_id: line_ids[len(LINES) + 3 * n:len(LINES) + 3 * n + 3] for n, (plan_id, _) in
                     enumerate(subs)}
        self.count("plans", len(subs) + 1)
        return {"master": master.pk, "master_lines": master_lines, "keys": key_ids, "subs": subs,
                "sub_lines": sub_lines}

    # ---- tasks, milestones, assignments, targets ----------------------------------------------------------

    def tasks(self, plans, units) -> tuple[list[tuple], dict[int, list[tuple]]]:
        """Returns the assignments as (id, task id, unit id, due, completed, closed) and the targets per task."""
        p, rng = self.preset, self.rng
        departments, townships = units["departments"], units["townships"]
        # Every master milestone goes to its lead department, half of them to a second department, and to a
        # block of townships sized so that the preset's assignment count comes out about right.
        sub_assignments = len(departments) * p.sub_tasks * 1.5
        milestones_master = p.tasks * 2
        per_milestone = max(1.0, (p.assignments - sub_assignments) / milestones_master - 1.5)
        block = max(1, min(len(townships), round(per_milestone)))

        task_rows, lead, coop, milestone_rows, target_rows, value_rows = [], [], [], [], [], []
        targets: dict[int, list[tuple]] = {}
        specs = []  # (plan, line, key, code, position, text, lead units, coop units, dues)
        for n in range(1, p.tasks + 1):
            line_index = (n - 1) % len(LINES)
            lead_units = [departments[rng.randrange(len(departments))]]
            coop_units = []
            if rng.random() < 0.5:
                other = departments[rng.randrange(len(departments))]
                if other not in lead_units:
                    coop_units.append(other)
            start = rng.randrange(len(townships))
            lead_units += [townships[(start + j) % len(townships)] for j in range(block)]
            dues = sorted(rng.sample(DUE_DATES, rng.choice((1, 2, 2, 3))))
            specs.append((plans["master"], plans["master_lines"][line_index],
                          plans["keys"][line_index * 2 + rng.randrange(2)], str(n), n, lead_units, coop_units, dues))
        for plan_id, dept in plans["subs"]:
            for n in range(1, p.sub_tasks + 1):
                dues = sorted(rng.sample(DUE_DATES, rng.choice((1, 2))))
                specs.append((plan_id, plans["sub_lines"][plan_id][(n - 1) % 3], None, str(n), n, [dept], [], dues))

        task_ids = allocate_ids(Task, len(specs))
        for task_id, (plan_id, line, key, code, position, lead_units, coop_units, dues) in zip(task_ids, specs,
                                                                                               strict=True):
            has_target = int(code) % 3 == 0
            target = TARGETS[int(code) % len(TARGETS)] if has_target else None
            phrase = f"{target[0]}达到{target[3][-1]}{target[1]}，" if target else "突出重点行业领域，"
            text = f"第{code}项任务：组织开展专项整治，{phrase}建立问题隐患台账并闭环管理。"
            task_rows.append((task_id, plan_id, line, key, code, position, text, None))
            lead += [(task_id, u) for u in lead_units]
            coop += [(task_id, u) for u in coop_units]
            roles = [(u, AssignmentRole.LEAD) for u in lead_units] + [(u, AssignmentRole.COOPERATE) for u in coop_units]
            for seq, due in enumerate(dues, start=1):
                milestone_rows.append([None, task_id, seq, due, f"{due.year}年{due.month}月底前完成第{seq}阶段任务",
                                       roles])
            if target:
                target_rows.append((None, task_id, target))
        for row, pk in zip(milestone_rows, allocate_ids(Milestone, len(milestone_rows)), strict=True):
            row[0] = pk
        assignment_rows = []
        for m_id, task_id, _, due, _, roles in milestone_rows:
            for unit_id, role in roles:
                completed, closed = self.completion(due)
                assignment_rows.append([None, task_id, m_id, unit_id, role, due, completed, closed])
        for row, pk in zip(assignment_rows, allocate_ids(Assignment, len(assignment_rows)), strict=True):
            row[0] = pk
        final_targets = []
        for (_, task_id, (metric, measure, comparator, values)), pk in zip(
                target_rows, allocate_ids(QuantifiedTarget, len(target_rows)), strict=True):
            final_targets.append((pk, task_id, metric, measure, comparator, Decimal(0), ""))
            for year, value in zip((2024, 2025, 2026), values, strict=True):
                value_rows.append((task_id, pk, year, Decimal(value)))
            targets.setdefault(task_id, []).append((pk, comparator, dict(zip((2024, 2025, 2026), values,
                                                                               strict=True))))
        year_ids = allocate_ids(TargetYearValue, len(value_rows))

        insert_rows(Task, ["id", "plan_id", "action_line_id", "key_task_id", "code", "position", "text",
                           "master_task_id"], task_rows)
        insert_rows(Task.lead_units.through, ["task_id", "unit_id"], lead)
        insert_rows(Task.cooperating_units.through, ["task_id", "unit_id"], coop)
        insert_rows(Milestone, ["id", "task_id", "seq", "due_date", "text"], [tuple(r[:5]) for r in milestone_rows])
        for start in range(0, len(assignment_rows), 50_000):
            insert_rows(Assignment, ["id", "task_id", "milestone_id", "unit_id", "role", "due_date", "completed_on",
                                     "closed_on"], [tuple(r) for r in assignment_rows[start:start + 50_000]])
        insert_rows(QuantifiedTarget, ["id", "task_id", "metric", "measure_unit", "comparator", "baseline",
                                       "source_text"], final_targets)
        insert_rows(TargetYearValue, ["id", "target_id", "year", "value"],
                    [(pk, target, year, value) for pk, (_, target, year, value) in zip(year_ids, value_rows,
                                                                                          strict=True)])
        self.count("tasks", len(task_rows))
        self.count("milestones", len(milestone_rows))
        self.count("assignments", len(assignment_rows))
        self.count("targets", len(final_targets))
        return [(r[0], r[1], r[3], r[5], r[6], r[7]) for r in assignment_rows], targets

    def completion(self, due: datetime.date) -> tuple[datetime.date | None, datetime.date | None]:
        """Most finish on time, some late, some not at all; half of the finished ones are closed out."""
        roll = self.rng.random()
        if roll < 0.12:
            return None, None  # still open (overdue once its date has passed)
        if roll < 0.27:
            done = due + datetime.timedelta(days=5 + int(self.rng.random() * 120))
        else:
            done = due - datetime.timedelta(days=int(self.rng.random() * 60))
        if done > self.as_of:
            return None, None
        closed = done + datetime.timedelta(days=3 + int(self.rng.random() * 20)) if self.rng.random() < 0.5 else None
        if closed and closed > self.as_of:
            closed = None
        return done, closed

    # ---- monthly reports and target actuals -------------------------------------------------------------

    def reports(self, assignments: list[tuple], targets: dict[int, list[tuple]]) -> None:
        months = months_between(START, self.as_of)
        last = months[-1]
        total_reports = total_values = 0
        for start in range(0, len(assignments), CHUNK):
            reports, values = [], []
            for a_id, task_id, _, due, completed, _ in assignments[start:start + CHUNK]:
                task_targets = targets.get(task_id, ())
                for month in months:
                    if completed is not None and month > completed:
                        break
                    row = self.report(a_id, month, last, completed, due)
                    if row is None:
                        continue
                    reports.append(row)
                    if task_targets and row[6] == ReportState.ACCEPTED and (month.month % 3 == 0 or
                                                                            row[2] == ReportedStatus.COMPLETED):
                        for target_id, comparator, yearly in task_targets:
                            values.append((len(reports) - 1, target_id, self.actual(comparator, yearly[month.year],
                                                                                    month)))
            ids = allocate_ids(ProgressReport, len(reports))
            rows = [(pk, *row) for pk, row in zip(ids, reports, strict=True)]
            insert_rows(ProgressReport, ["id", "assignment_id", "month", "reported_status", "progress", "problems",
                                         "next_steps", "state", "first_submitted_at", "submitted_at",
                                         "submitted_by_id", "reviewed_at", "reviewed_by_id", "return_reason",
                                         "updated_at"], rows)
            value_ids = allocate_ids(ProgressValue, len(values))
            insert_rows(ProgressValue, ["id", "report_id", "target_id", "value"],
                        [(pk, ids[index], target, value) for pk, (index, target, value) in
                         zip(value_ids, values, strict=True)])
            total_reports += len(rows)
            total_values += len(values)
            self.log(f"reports: {total_reports:,} for {min(start + CHUNK, len(assignments)):,} assignments")
        self.count("reports", total_reports)
        self.count("values", total_values)

    def report(self, a_id, month, last, completed, due) -> tuple | None:
        rng = self.rng
        roll = rng.random()
        deadline = month.replace(day=DEADLINE_DAY)
        finishing = completed is not None and completed.replace(day=1) == month
        if roll < 0.03 and not finishing:
            return None  # not sent in this month
        if finishing:
            sent_on = completed
        elif roll < 0.13:  # late: after the 25th, up to the 5th of the next month
            sent_on = deadline + datetime.timedelta(days=1 + int(rng.random() * 10))
        else:
            sent_on = month.replace(day=10 + int(rng.random() * 16))
        sent = _at(min(sent_on, self.as_of), 9 + int(rng.random() * 9), int(rng.random() * 60))
        state, reviewed, reason = ReportState.ACCEPTED, sent + datetime.timedelta(days=2), ""
        if month == last and not finishing and roll > 0.5:
            state, reviewed = ReportState.SUBMITTED, None
        elif 0.985 < roll and not finishing:
            state, reason = ReportState.RETURNED, "进展情况过于笼统，请补充具体数据和佐证材料。"
        status = ReportedStatus.COMPLETED if finishing else ReportedStatus.IN_PROGRESS
        text = PROGRESS[int(roll * 1000) % len(PROGRESS)].format(n=3 + int(roll * 40), m=10 + int(roll * 90))
        problem = PROBLEMS[int(roll * 7919) % len(PROBLEMS)] if due < month or roll > 0.9 else ""
        return (a_id, month, status, text, problem, NEXT[int(roll * 31) % len(NEXT)], state, sent, sent, None,
                reviewed, None, reason, reviewed or sent)

    def actual(self, comparator: str, yearly: int, month: datetime.date) -> Decimal:
        """An actual that climbs toward the year's value (a few units lag behind)."""
        share = Decimal(month.month) / 12
        lag = Decimal(str(round(0.75 + self.rng.random() * 0.35, 2)))
        if comparator == Comparator.LTE:
            return Decimal(max(0, yearly + (1 if lag < Decimal("0.8") else 0)))
        return (Decimal(yearly) * min(Decimal(1), share * lag + Decimal("0.2"))).quantize(Decimal("0.01"))

    def extras(self, assignments: list[tuple]) -> None:
        """Extensions on some late items and follow-ups on some overdue ones, dated when they happened."""
        extensions, follow_ups = [], []
        for a_id, _, _, due, completed, _ in assignments:
            if due >= self.as_of or (completed is not None and completed <= due):
                continue
            roll = self.rng.random()
            if roll < 0.04:
                asked = _at(due - datetime.timedelta(days=10), 10)
                extensions.append((a_id, due, due + datetime.timedelta(days=60), "受客观因素影响，申请延期完成。",
                                   ExtensionState.APPROVED, None, asked, None, asked + datetime.timedelta(days=3),
                                   "同意延期。"))
            elif roll < 0.10:
                issued = _at(min(due + datetime.timedelta(days=15), self.as_of), 15)
                kind = FollowUpKind.REMINDER if roll < 0.08 else FollowUpKind.NOTICE
                follow_ups.append((a_id, kind, "", "请抓紧推进，按期完成。", None, None, issued))
        insert_rows(ExtensionRequest, ["assignment_id", "previous_due", "requested_due", "reason", "state",
                                       "requested_by_id", "requested_at", "decided_by_id", "decided_at",
                                       "decision_note"], extensions)
        insert_rows(FollowUp, ["assignment_id", "kind", "number", "content", "respond_by", "issued_by_id",
                               "issued_at"], follow_ups)
        self.count("extensions", len(extensions))
        self.count("follow_ups", len(follow_ups))

    # ---- the hazard register --------------------------------------------------------------------------

    def hazards(self, units) -> None:
        p, rng = self.preset, self.rng
        townships, departments = units["townships"], units["departments"]
        industries = list(Industry.values)
        channels = list(Channel.values)
        enterprises = max(1, p.hazards * 7 // 10)
        enterprise_rows = []
        for n, pk in enumerate(allocate_ids(Enterprise, enterprises)):
            township = townships[n % len(townships)]
            code = make_credit_code(f"{self.credit_prefix}{n + 1:08d}")
            enterprise_rows.append((pk, f"规模测试{p.label}第{n + 1}号企业", code, township, "", ""))
        insert_rows(Enterprise, ["id", "name", "credit_code", "township_id", "principal", "controller"],
                    enterprise_rows)
        span_stock = (BASELINE - datetime.date(2022, 7, 1)).days
        span_new = (self.as_of - START).days
        rows = []
        for n in range(p.hazards):
            # Every enterprise has a hazard; the rest go to enterprises drawn at random (some have several).
            pk, _, _, township, _, _ = enterprise_rows[n if n < enterprises else rng.randrange(enterprises)]
            industry = industries[rng.randrange(len(industries))]
            if rng.random() < 0.3:
                found = datetime.date(2022, 7, 1) + datetime.timedelta(days=rng.randrange(span_stock))
            else:
                found = START + datetime.timedelta(days=rng.randrange(span_new))
            deadline = found + datetime.timedelta(days=30 + rng.randrange(150))
            roll = rng.random()
            closed = None
            if roll < 0.85:  # most are closed, most of those by their deadline
                closed = deadline - datetime.timedelta(days=rng.randrange(25)) if roll < 0.72 else \
                    deadline + datetime.timedelta(days=5 + rng.randrange(90))
                closed = max(closed, found)
                if closed > self.as_of:
                    closed = None
            if closed:
                state = HazardState.CLOSED
            else:
                state = (HazardState.REGISTERED, HazardState.RECTIFYING, HazardState.RECTIFYING,
                         HazardState.PENDING_CLOSE)[rng.randrange(4)]
            listed = ""
            if rng.random() < 0.05:
                listed = (ListedLevel.COUNTY, ListedLevel.CITY, ListedLevel.PROVINCE)[rng.randrange(3)]
            text = HAZARD_TEXTS[rng.randrange(len(HAZARD_TEXTS))]
            rectified = closed - datetime.timedelta(days=2) if closed else None
            rows.append((self.campaign.pk, pk, township, departments[rng.randrange(len(departments))], industry,
                         f"{text}（第{n + 1}项）", "《重大事故隐患判定标准》第四条",
                         channels[rng.randrange(len(channels))],
                         found, state, "制定整改方案，落实资金和责任人。", Decimal(rng.randrange(1, 500)),
                         "张三", deadline, listed, found + datetime.timedelta(days=3) if listed else None,
                         "省安委办" if listed else "", "", None, None, max(rectified, found) if rectified else None,
                         closed, "", "", None))
        columns = ["campaign_id", "enterprise_id", "township_id", "supervisor_id", "industry", "description",
                   "standard_clause", "channel", "found_on", "state", "measures", "funds", "responsible_person",
                   "deadline", "listed_level", "listed_on", "listing_unit", "notice_number", "principal_notified_on",
                   "controller_notified_on", "rectified_on", "closed_on", "close_approval", "return_reason",
                   "created_by_id"]
        for start in range(0, len(rows), 50_000):
            insert_rows(MajorHazard, columns, rows[start:start + 50_000])
        self.count("enterprises", len(enterprise_rows))
        self.count("hazards", len(rows))

    def count(self, name: str, value: int) -> None:
        self.counts[name] = value
        self.log(f"{name}: {value:,}")


def analyze(models: Iterable | None = None) -> None:
    """Fresh planner statistics (and the visibility map for index-only scans) after a bulk load."""
    if connection.vendor != "postgresql":
        return
    models = models or (Unit, Plan, ActionLine, Task, Milestone, Assignment, QuantifiedTarget, TargetYearValue,
                        ProgressReport, ProgressValue, ExtensionRequest, FollowUp, Enterprise, MajorHazard,
                        Task.lead_units.through, Task.cooperating_units.through)
    # VACUUM cannot run inside a transaction (a test's); ANALYZE alone still gives the planner its numbers.
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f'{command} "{model._meta.db_table}"')


def seed(preset: str, *, as_of: datetime.date = END, log: Callable[[str], None] | None = None) -> Campaign:
    """Build (or rebuild) the preset's campaign, then refresh the planner's statistics."""
    campaign = Seeder(preset, as_of=as_of, log=log).run()
    analyze()
    return campaign
