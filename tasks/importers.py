"""The task list (任务清单 / 子方案) as a kind of sheet for the import engine, and its export.

What a real sheet may hold (DESIGN §7): title rows, a two-row header, cells merged down the
action-line and key-work columns, header synonyms, full-width digits, a task number inside
the text, deadlines as text or date cells, units by full name, short name or code (several
per cell), and targets written in the text.
"""

from __future__ import annotations

import datetime
import functools
import itertools
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db.models import Prefetch
from django.utils import timezone

from campaign import policy
from campaign.choices import PlanKind
from campaign.models import ActionLine, KeyTask, Plan, Unit
from core.db import CopyWriter, allocate_ids, insert_with_history
from core.formats import fmt_number
from core.xlsx import Sheet
from imports.engine import Preview, RowChange
from imports.kinds import SheetKind
from imports.limits import length_problem
from imports.parsing import DatePhraseError, find_date_phrases, to_halfwidth
from imports.sheet import Column, Problem, Row
from imports.units import UnitIndex

from .choices import AssignmentRole, Comparator, MeasureUnit
from .models import Assignment, Milestone, QuantifiedTarget, TargetYearValue, Task
from .services import carries_records, milestone_remove, task_sync_assignments
from .textrules import Sentence, analyse, extract_targets, has_target_words, milestones_from

DEFAULT_MILESTONE_TEXT = "全面完成本项任务"
NO_TARGETS = {"无", "—", "-", "/", "无量化目标"}

COLUMNS = [
    Column("code", "序号", ("编号", "任务编号", "序列号", "任务序号", "项目编号", "序")),
    Column("action_line", "行动", ("行动名称", "专项行动", "所属行动", "内容", "行动内容", "八大行动", "十大行动",
                                   "攻坚行动"), fill_down=True),
    Column("key_task", "重点工作", ("重点任务", "工作重点", "重点工作内容"), fill_down=True,
           fill_within="action_line"),
    Column("text", "具体任务", ("任务内容", "具体工作", "工作任务", "工作内容", "年度量化目标任务", "量化目标任务",
                                "主要任务", "任务", "具体措施", "工作措施", "具体工作任务", "任务名称"), required=True),
    Column("lead", "牵头单位", ("责任单位", "牵头部门", "责任部门", "主责单位", "牵头责任单位", "责任主体")),
    Column("coop", "配合单位", ("配合部门", "协同单位", "参与单位", "协办单位", "配合责任单位")),
    Column("due", "完成时限", ("时间节点", "完成时间", "时限", "截止时间", "进度安排", "时间要求", "完成期限")),
    Column("targets", "量化目标", ("量化指标", "目标值", "量化目标值")),
]
LABELS = {c.name: c.label for c in COLUMNS}


_ENUM = re.compile(
    r"^\s*(?:第?([一二三四五六七八九十]+)[、.．)）]|[（(]([一二三四五六七八九十\d]+)[）)]|(\d+)[、.．)）])\s*"
)
_CODE_IN_TEXT = re.compile(r"^\s*(\d+(?:[-.]\d+)?)\s*(?:[.、．)）]\s*|(?=[^\d\s.、．)）%]))")
_CN_NUM = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}
_TARGET_LINE = re.compile(r"^(?P<metric>.+?)\s*(?P<cmp>≥|>=|≤|<=|=)\s*(?P<values>.+)$")
_TARGET_VALUE = re.compile(r"(?P<v>\d+(?:\.\d+)?)\s*(?P<u>%|家|人|次|个|项|处)?\s*[(（]\s*(?P<y>20\d{2})\s*年?\s*[)）]")



def chinese_number(raw: str) -> int | None:
    """"三" → 3, "十二" → 12, "二十" → 20, "7" → 7."""
    if raw.isdigit():
        return int(raw)
    if "十" in raw:
        tens, _, ones = raw.partition("十")
        return _CN_NUM.get(tens, 1 if not tens else 0) * 10 + _CN_NUM.get(ones, 0)
    return _CN_NUM.get(raw)


@functools.lru_cache(maxsize=4096)
def _enum_number(text: str) -> tuple[int | None, str]:
    """Strip a leading enumerator ("一、", "（三）", "2.") and return its number."""
    match = _ENUM.match(text)
    if not match:
        return None, text.strip()
    raw = next(g for g in match.groups() if g)
    return chinese_number(raw), text[match.end():].strip()


@functools.lru_cache(maxsize=4096)
def read_due_cell(value: str) -> tuple[tuple[tuple[datetime.date, str], ...], tuple[str, ...]]:
    """A 完成时限 cell: one deadline per line or per "；", each optionally followed by "：what is due".

    Cells repeat down a sheet ("2025年底前"), so answers are kept.
    """
    parts, errors = [], []
    for part in re.split(r"[\n；;]+", value):
        part = part.strip()
        if not part:
            continue
        try:
            phrases = find_date_phrases(part)
        except DatePhraseError as error:
            errors.append(f"无法识别的日期“{part}”：{error}。")
            continue
        if not phrases:
            year = re.fullmatch(r"(20\d{2})\s*年?", to_halfwidth(part))
            if year:
                parts.append((datetime.date(int(year[1]), 12, 31), ""))
            else:
                errors.append(f"无法识别的日期“{part}”，请写成“2025年6月底前”或“2025-06-30”。")
            continue
        first = phrases[0]
        parts.append((first.date, part[first.end:].lstrip(" ：:，,、")))
    return tuple(parts), tuple(errors)


@dataclass
class TargetSpec:
    metric: str
    measure_unit: str
    comparator: str
    values: dict[int, Decimal]
    source_text: str = ""

    def key(self):
        return (self.metric, self.measure_unit, self.comparator,
                tuple(sorted((y, fmt_number(v)) for y, v in self.values.items())))


@dataclass
class TaskSpec:
    row: int
    code: str
    position: int
    action_number: int | None
    action_title: str
    key_title: str
    text: str
    lead: list[Unit]
    coop: list[Unit]
    milestones: list[tuple[datetime.date, str]]
    targets: list[TargetSpec] = field(default_factory=list)

    @property
    def summary(self) -> str:
        first = self.text.split("。")[0]
        return first if len(first) <= 40 else first[:40] + "…"


def targets_in_text(sentences: list[Sentence], default_year: int) -> list[TargetSpec]:
    """Targets written in the text; each counts for the year its sentence names, else ``default_year``."""
    found: dict[str, TargetSpec] = {}
    for sentence in sentences:
        if not has_target_words(sentence.text):
            continue
        day = sentence.date
        for t in extract_targets(sentence.text):
            spec = found.setdefault(t.metric, TargetSpec(t.metric, t.measure_unit, t.comparator, {}, t.source_text))
            spec.values[day.year if day else default_year] = t.value
    return list(found.values())


COMPARATOR_SIGNS = dict(Comparator.choices)


# Target values are stored as numeric(14, 2): at most 12 digits before the point and 2 after.
TARGET_VALUE_LIMIT = Decimal(10) ** 12


def target_value_problem(target: TargetSpec) -> str:
    """Why a target's values cannot be stored, or "" (checked in the preview, not refused at the commit)."""
    for value in target.values.values():
        if not value.is_finite() or abs(value) >= TARGET_VALUE_LIMIT:
            return f"量化目标“{target.metric}”的数值 {value} 过大，最多 12 位整数。"
        if value.as_tuple().exponent < -2 and value != value.quantize(Decimal("0.01")):
            return f"量化目标“{target.metric}”的数值 {value} 最多保留两位小数。"
    return ""


def describe_targets(targets) -> str:
    """The 量化目标 cell: one line per target, "metric ≥ 40%(2024) / 50%(2025)"."""
    lines = []
    for t in targets:
        cmp = COMPARATOR_SIGNS[t.comparator]
        values = " / ".join(f"{fmt_number(v)}{t.measure_unit}({y})" for y, v in sorted(t.values.items()))
        lines.append(f"{t.metric} {cmp} {values}")
    return "\n".join(lines)


def describe_milestones(milestones) -> str:
    return "\n".join(f"{due:%Y-%m-%d}：{text}" if text else f"{due:%Y-%m-%d}" for due, text in milestones)


class TaskSheetImport:
    """Imports a task list into one plan (the office's master plan or a unit's sub-plan)."""

    columns = COLUMNS

    def __init__(self, plan: Plan, *, own_unit_only: bool = False):
        """``own_unit_only``: the file is a liaison's for its own sub-plan, bound as the task form binds it (lead
        is the plan's unit, other cooperating units only where the office allows, no new deadline in the past)."""
        self.plan = plan
        self.campaign = plan.campaign
        self.own_unit_only = own_unit_only

    def required_columns(self) -> list[Column]:
        required = [c for c in COLUMNS if c.required]
        if self.plan.kind == PlanKind.MASTER:
            required.append(next(c for c in COLUMNS if c.name == "lead"))
        return required

    # ---- parse and validate --------------------------------------------------------------------

    def parse(self, rows: list[Row]) -> tuple[list[TaskSpec], list[Problem]]:
        units = UnitIndex(self.plan.campaign)
        problems: list[Problem] = []
        specs: list[TaskSpec] = []
        seen: dict[str, int] = {}
        for position, row in enumerate(rows, start=1):
            spec = self._parse_row(row, position, units, problems)
            if spec is None:
                continue
            if spec.code in seen:
                message = f"任务编号“{spec.code}”与第 {seen[spec.code]} 行重复，同一方案内任务编号不能重复。"
                problems.append(Problem(row.number, row.columns.get("code") or row.columns.get("text"), message))
                continue
            seen[spec.code] = row.number
            specs.append(spec)
        if not specs and not problems:
            problems.append(Problem(None, None, "表格中没有任何任务行（“具体任务”列都是空的）。"))
        return specs, problems

    def _parse_row(self, row: Row, position: int, units: UnitIndex, problems: list[Problem]) -> TaskSpec | None:
        cells, cols = row.cells, row.columns
        text = cells.get("text")
        if text is None:
            # A heading row: only the action line or key work is filled in.
            return None
        text = str(text).strip()
        before = len(problems)

        code = cells.get("code")
        code = to_halfwidth(str(code)).strip().rstrip(".、") if code is not None else ""
        match = _CODE_IN_TEXT.match(to_halfwidth(text))
        if match and len(text) > match.end():
            if not code:
                code = match.group(1)
            if code == match.group(1):
                text = text[match.end():].strip()
        if not code:
            problems.append(Problem(row.number, cols.get("code") or cols["text"],
                                    "没有任务编号：请在“序号”列填写，或写在任务内容开头（如“3.对发现的…”）。"))
        elif len(code) > 20:
            problems.append(Problem(row.number, cols.get("code"), f"任务编号“{code}”太长（最多 20 个字符）。"))

        action_number, action_title = _enum_number(str(cells.get("action_line") or ""))
        _, key_title = _enum_number(str(cells.get("key_task") or ""))
        for name, value, model in (("action_line", action_title, ActionLine), ("key_task", key_title, KeyTask)):
            message = length_problem(value, model, "title", LABELS[name])
            if message:
                problems.append(Problem(row.number, cols.get(name), message))

        lead, unknown = units.resolve(cells.get("lead"))
        for name in unknown:
            problems.append(self._unknown_unit(row, "lead", name, units))
        coop, unknown = units.resolve(cells.get("coop"))
        for name in unknown:
            problems.append(self._unknown_unit(row, "coop", name, units))
        if not lead and cells.get("lead") is None:
            if self.plan.kind == PlanKind.SUB:
                lead = [self.plan.unit]
            else:
                problems.append(Problem(row.number, cols.get("lead"), "没有填写牵头单位。"))
        coop = [u for u in coop if u not in lead]
        if self.own_unit_only:
            own = self.plan.unit
            others = [u.display_name for u in lead if u.pk != own.pk]
            if others:
                problems.append(Problem(row.number, cols.get("lead"), f"子方案的牵头单位只能是本单位（{own.name}），"
                                                                      f"不能是{'、'.join(others)}。"))
            if not self.campaign.sub_plans_name_cooperating_units and any(u.pk != own.pk for u in coop):
                problems.append(Problem(row.number, cols.get("coop"), "安办未开放在子方案中指定其他配合单位。"))

        try:
            sentences = analyse(text)
        except DatePhraseError as error:
            problems.append(Problem(row.number, cols["text"], f"任务内容中的日期有误：{error}。"))
            return None
        milestones = self._milestones(row, sentences, problems)
        targets = self._targets(row, sentences, milestones, problems)
        if len(problems) > before:
            return None
        return TaskSpec(row.number, code, position, action_number, action_title, key_title, text, lead, coop,
                        milestones, targets)

    def _unknown_unit(self, row: Row, field_name: str, name: str, units: UnitIndex) -> Problem:
        hint = units.suggest(name)
        tail = f"您是否要写：{'、'.join(hint)}？" if hint else "请使用单位全称、常用简称或单位代码。"
        return Problem(row.number, row.columns.get(field_name), f"找不到单位“{name}”。{tail}")

    def _milestones(self, row: Row, sentences, problems: list[Problem]) -> list[tuple[datetime.date, str]]:
        campaign, col = self.campaign, row.columns.get("due")
        value = row.cells.get("due")
        from_text = milestones_from(sentences, campaign.end_date, DEFAULT_MILESTONE_TEXT)
        if value is None:
            milestones = [(m.due_date, m.text) for m in from_text]
        elif isinstance(value, (datetime.date, datetime.datetime)):
            day = value.date() if isinstance(value, datetime.datetime) else value
            milestones = [(day, self._text_for(day, from_text))]
        else:
            parts, errors = read_due_cell(str(value))
            problems.extend(Problem(row.number, col, message) for message in errors)
            milestones = [(day, rest or self._text_for(day, from_text)) for day, rest in parts]
        for day, _ in milestones:
            if not campaign.contains(day):
                period = f"{campaign.start_date:%Y-%m-%d} 至 {campaign.end_date:%Y-%m-%d}"
                message = f"完成时限 {day:%Y-%m-%d} 不在三年行动期内（{period}）。"
                problems.append(Problem(row.number, col or row.columns["text"], message))
        return sorted(milestones, key=lambda m: m[0])

    @staticmethod
    def _text_for(day, from_text) -> str:
        for m in from_text:
            if m.due_date == day and m.text != DEFAULT_MILESTONE_TEXT:
                return m.text
        return ""

    def _targets(self, row: Row, sentences, milestones, problems: list[Problem]) -> list[TargetSpec]:
        value = row.cells.get("targets")
        default_year = milestones[0][0].year if milestones else self.campaign.end_date.year
        if value is not None and str(value).strip() in NO_TARGETS:
            return []
        if value is not None:
            targets = self._targets_from_cell(row, str(value), default_year, problems)
            column = row.columns.get("targets")
        else:
            targets = targets_in_text(sentences, default_year)
            column = row.columns.get("text")
        kept = []
        for target in targets:
            message = target_value_problem(target)
            if message:
                problems.append(Problem(row.number, column, message))
            else:
                kept.append(target)
        return kept

    def _targets_from_cell(self, row: Row, value: str, default_year: int, problems) -> list[TargetSpec]:
        targets = []
        for line in [part.strip() for part in re.split(r"[\n；;]+", to_halfwidth(value)) if part.strip()]:
            match = _TARGET_LINE.match(line)
            values = list(_TARGET_VALUE.finditer(match["values"])) if match else []
            if match and values:
                cmp = {"≥": "gte", ">=": "gte", "≤": "lte", "<=": "lte", "=": "eq"}[match["cmp"]]
                unit = values[0]["u"] or MeasureUnit.PERCENT
                try:
                    by_year = {int(v["y"]): Decimal(v["v"]) for v in values}
                except InvalidOperation:
                    by_year = {}
                targets.append(TargetSpec(match["metric"].strip()[:200], unit, cmp, by_year, line[:300]))
                continue
            extracted = extract_targets(line)
            if not extracted:
                message = f"无法识别的量化目标“{line}”，请写成“覆盖率 ≥ 100%(2024)”或“覆盖率达到100%”。"
                problems.append(Problem(row.number, row.columns.get("targets"), message))
            for t in extracted:
                targets.append(
                    TargetSpec(t.metric, t.measure_unit, t.comparator, {default_year: t.value}, t.source_text)
                )
        return targets

    # ---- compare with the plan -------------------------------------------------------------------

    def existing(self) -> dict[str, Task]:
        tasks = Task.objects.filter(plan=self.plan).select_related("action_line", "key_task").prefetch_related(
            "lead_units", "cooperating_units",
            Prefetch("milestones", queryset=Milestone.objects.order_by("due_date", "seq")),
            Prefetch("targets", queryset=QuantifiedTarget.objects.prefetch_related("year_values")),
        )
        return {t.code: t for t in tasks}

    @staticmethod
    def snapshot_task(task: Task) -> dict:
        return {
            "position": task.position,
            "action_line": task.action_line.title if task.action_line else "",
            "key_task": task.key_task.title if task.key_task else "",
            "text": task.text,
            "lead": sorted(u.name for u in task.lead_units.all()),
            "coop": sorted(u.name for u in task.cooperating_units.all()),
            "milestones": [(m.due_date, m.text) for m in task.milestones.all()],
            "targets": sorted(_target_spec(t).key() for t in task.targets.all()),
        }

    @staticmethod
    def snapshot_spec(spec: TaskSpec) -> dict:
        return {
            "position": spec.position,
            "action_line": spec.action_title,
            "key_task": spec.key_title,
            "text": spec.text,
            "lead": sorted(u.name for u in spec.lead),
            "coop": sorted(u.name for u in spec.coop),
            "milestones": list(spec.milestones),
            "targets": sorted(t.key() for t in spec.targets),
        }

    FIELD_LABELS = {"action_line": "行动", "key_task": "重点工作", "text": "具体任务", "lead": "牵头单位",
                    "coop": "配合单位", "milestones": "时间节点", "targets": "量化目标"}

    @staticmethod
    def _show(name, value) -> str:
        if name in ("lead", "coop"):
            return "、".join(value) or "（空）"
        if name == "milestones":
            return describe_milestones(value) or "（空）"
        if name == "targets":
            return "；".join(f"{m} {dict(Comparator.choices)[c]} " + " / ".join(f"{v}{u}({y})" for y, v in vals)
                            for m, u, c, vals in value) or "（无）"
        return str(value) or "（空）"

    def compare(self, specs: list[TaskSpec]) -> Preview:
        existing = self.existing()
        preview = Preview(specs=specs)
        for spec in specs:
            task = existing.get(spec.code)
            if task is None:
                preview.rows.append(RowChange(spec.row, spec.code, spec.summary, "new"))
                continue
            old, new = self.snapshot_task(task), self.snapshot_spec(spec)
            changes = [
                (label, self._show(name, old[name]), self._show(name, new[name]))
                for name, label in self.FIELD_LABELS.items() if old[name] != new[name]
            ]
            status = "changed" if changes or old["position"] != new["position"] else "unchanged"
            if status == "changed" and not changes:
                changes = [("排序", str(old["position"]), str(new["position"]))]
            preview.rows.append(RowChange(spec.row, spec.code, spec.summary, status, changes))
        if self.own_unit_only:
            preview.problems += self._past_deadlines(specs, existing)
        in_file = {s.code for s in specs}
        missing = {code: task for code, task in existing.items() if code not in in_file}
        kept = self._tasks_with_records(missing.values())
        preview.missing = [(code, task.summary + ("（已有填报或督办记录，不会删除）" if task.pk in kept else ""))
                           for code, task in missing.items()]
        preview.withdrawals = self._withdrawals(specs, existing, {r.code: r.status for r in preview.rows})
        lines = {a.title for a in self.plan.action_lines.all()}
        keys = set(KeyTask.objects.filter(action_line__plan=self.plan).values_list("title", flat=True))
        file_lines = list(dict.fromkeys(s.action_title for s in specs if s.action_title))
        file_keys = list(dict.fromkeys(s.key_title for s in specs if s.key_title))
        preview.recognised = {
            "action_lines": [f"{t}{'' if t in lines else '（新建）'}" for t in file_lines],
            "key_tasks": [f"{t}{'' if t in keys else '（新建）'}" for t in file_keys],
            "units": sorted({u.name for s in specs for u in (*s.lead, *s.coop)}),
            # Shown on the preview page; the first few hundred say what was recognised.
            "targets": [f"{s.code}: {describe_targets(s.targets)}"
                        for s in itertools.islice((s for s in specs if s.targets), 300)],
        }
        return preview

    @staticmethod
    def _past_deadlines(specs, existing: dict[str, Task]) -> list[Problem]:
        """A liaison's file may keep the deadlines its tasks have, but not add one that has already passed."""
        today = timezone.localdate()
        problems = []
        for spec in specs:
            task = existing.get(spec.code)
            kept = {m.due_date for m in task.milestones.all()} if task else set()
            for due, _ in spec.milestones:
                if due < today and due not in kept:
                    problems.append(Problem(spec.row, None, f"任务 {spec.code} 的完成时限 {due:%Y-%m-%d} 早于今天，"
                                                            "不能新增已过期的时间节点。"))
        return problems

    @staticmethod
    def _tasks_with_records(tasks) -> set[int]:
        """Ids of ``tasks`` with an assignment that carries a report, follow-up or extension request."""
        ids = [t.pk for t in tasks]
        if not ids:
            return set()
        assignments = dict(Assignment.all_objects.filter(task_id__in=ids).values_list("pk", "task_id"))
        return {assignments[pk] for pk in carries_records(assignments)}

    @staticmethod
    def _withdrawals(specs, existing: dict[str, Task], status: dict[str, str]) -> list[Problem]:
        """The responsibilities the file takes off tasks that carry reports, follow-ups or extension requests: the
        save withdraws them (kept, out of counts); one with nothing recorded is simply removed."""
        changed = {s.code: s for s in specs if status.get(s.code) == "changed"}
        if not changed:
            return []
        # As the save matches them: the task's milestones in order, the file's by position.
        tasks = {existing[code].pk: code for code in changed}
        kept_milestones = {existing[code].pk: {m.pk for m, _ in match_milestones(
            list(existing[code].milestones.all()), spec.milestones)[0]} for code, spec in changed.items()}
        units = {existing[code].pk: {u.pk for u in (*spec.lead, *spec.coop)} for code, spec in changed.items()}
        leaving = {
            pk: (task_id, name, due)
            for pk, task_id, milestone_id, unit_id, name, due in Assignment.objects.filter(
                task_id__in=tasks).values_list("pk", "task_id", "milestone_id", "unit_id", "unit__name", "due_date")
            if milestone_id not in kept_milestones[task_id] or unit_id not in units[task_id]
        }
        records = carries_records(leaving)
        withdrawals = []
        for pk, (task_id, name, due) in leaving.items():
            if pk in records:
                spec = changed[tasks[task_id]]
                message = (f"任务 {spec.code}：{name}（{due:%Y-%m-%d}）的责任分解将撤销，"
                           f"其 {records[pk]} 份进展填报及督办、延期记录保留")
                withdrawals.append(Problem(spec.row, None, message))
        withdrawals.sort(key=lambda p: (p.row, p.message))
        return withdrawals

    # ---- save --------------------------------------------------------------------------------------

    def save(self, preview: Preview, *, user, remove_missing: bool = False) -> None:
        specs: list[TaskSpec] = preview.specs
        status = {r.code: r.status for r in preview.rows}
        lines, keys = self._structure(specs)
        existing = self.existing()

        new_specs = [s for s in specs if status[s.code] == "new"]
        self._create(new_specs, lines, keys, user)

        for spec in specs:
            if status[spec.code] == "changed":
                self._update(existing[spec.code], spec, lines, keys, user)
        if remove_missing and preview.missing:
            missing = list(Task.objects.filter(plan=self.plan, code__in=[code for code, _ in preview.missing]))
            kept = self._tasks_with_records(missing)
            for task in missing:
                if task.pk not in kept:  # the others keep their reports: task_delete would refuse them
                    task.delete()
                    preview.removed += 1

    def _structure(self, specs):
        lines = {a.title: a for a in self.plan.action_lines.all()}
        next_number = max([a.number for a in lines.values()] or [0]) + 1
        used = {a.number for a in lines.values()}
        for spec in specs:
            title = spec.action_title
            if title and title not in lines:
                number = spec.action_number if spec.action_number and spec.action_number not in used else None
                if number is None:
                    while next_number in used:
                        next_number += 1
                    number = next_number
                used.add(number)
                lines[title] = ActionLine.objects.create(plan=self.plan, number=number, title=title[:200])
        keys = {(k.action_line.title, k.title): k for k in KeyTask.objects.filter(
            action_line__plan=self.plan).select_related("action_line")}
        for spec in specs:
            if spec.key_title and spec.action_title and (spec.action_title, spec.key_title) not in keys:
                keys[(spec.action_title, spec.key_title)] = KeyTask.objects.create(
                    action_line=lines[spec.action_title], title=spec.key_title[:300]
                )
        return lines, keys

    def _create(self, specs: list[TaskSpec], lines, keys, user) -> None:
        """New tasks with their units, milestones, assignments and targets, in one bulk insert per table.

        Rows are tuples in the order of ``COLUMNS`` below (checked against the models by a test).
        """
        if not specs:
            return
        plan_id = self.plan.pk
        lead_role, coop_role = AssignmentRole.LEAD.value, AssignmentRole.COOPERATE.value  # plain str, looked up once
        # Every id is reserved first: inside the writer's block the database is busy storing the previous table
        # while the next one is built (campaign/importing/bulk.py).
        milestone_count = sum(len(spec.milestones) for spec in specs)
        ids = {
            Task: allocate_ids(Task, len(specs)),
            Milestone: allocate_ids(Milestone, milestone_count),
            Assignment: allocate_ids(Assignment, sum(len(spec.milestones) * (len(spec.lead) + len(spec.coop))
                                                     for spec in specs)),
            QuantifiedTarget: allocate_ids(QuantifiedTarget, sum(len(spec.targets) for spec in specs)),
            TargetYearValue: allocate_ids(TargetYearValue, sum(len(t.values) for spec in specs
                                                               for t in spec.targets)),
        }
        task_ids = ids[Task]
        with CopyWriter() as writer:
            tasks = []
            for task_id, spec in zip(task_ids, specs, strict=True):
                line = lines.get(spec.action_title)
                key = keys.get((spec.action_title, spec.key_title))
                tasks.append((task_id, plan_id, line.pk if line else None, key.pk if key else None, spec.code,
                              spec.position, spec.text, None))
            # Each new row gets its "created by" history record naming the importer: the audit log shows it, and a
            # past month is counted without what was created after it (DESIGN §5, core/history.py).
            insert_with_history(Task, COLUMNS_OF[Task], tasks, user=user, insert=writer.insert)
            milestone_ids, milestone_rows, assignments = iter(ids[Milestone]), [], []
            for task_id, spec in zip(task_ids, specs, strict=True):
                units = [(u.id, lead_role) for u in spec.lead] + [(u.id, coop_role) for u in spec.coop]
                for seq, (due, text) in enumerate(spec.milestones, 1):
                    m_id = next(milestone_ids)
                    milestone_rows.append((m_id, task_id, seq, due, text, None))
                    assignments += [(task_id, m_id, unit_id, role, due, None, None, None) for unit_id, role in units]
            insert_with_history(Milestone, COLUMNS_OF[Milestone], milestone_rows, user=user, insert=writer.insert)
            insert_with_history(Assignment, COLUMNS_OF[Assignment],
                                [(a_id, *row) for a_id, row in zip(ids[Assignment], assignments, strict=True)],
                                user=user, insert=writer.insert)
            target_ids, target_rows, values = iter(ids[QuantifiedTarget]), [], []
            for task_id, spec in zip(task_ids, specs, strict=True):
                for t in spec.targets:
                    t_id = next(target_ids)
                    target_rows.append((t_id, task_id, t.metric, t.measure_unit, t.comparator, None, t.source_text))
                    values += [(t_id, year, value) for year, value in t.values.items()]
            insert_with_history(QuantifiedTarget, COLUMNS_OF[QuantifiedTarget], target_rows, user=user,
                                insert=writer.insert)
            insert_with_history(TargetYearValue, COLUMNS_OF[TargetYearValue],
                                [(v_id, *row) for v_id, row in zip(ids[TargetYearValue], values, strict=True)],
                                user=user, insert=writer.insert)
            writer.insert(Task.lead_units.through, ["task_id", "unit_id"],
                          [(task_id, u.id) for task_id, spec in zip(task_ids, specs, strict=True) for u in spec.lead])
            writer.insert(Task.cooperating_units.through, ["task_id", "unit_id"],
                          [(task_id, u.id) for task_id, spec in zip(task_ids, specs, strict=True) for u in spec.coop])

    def _update(self, task: Task, spec: TaskSpec, lines, keys, user) -> None:
        task.position, task.text = spec.position, spec.text
        task.action_line = lines.get(spec.action_title)
        task.key_task = keys.get((spec.action_title, spec.key_title))
        task._history_user = user
        task.save()
        if {u.pk for u in task.lead_units.all()} != {u.pk for u in spec.lead}:
            task.lead_units.set(spec.lead)
        if {u.pk for u in task.cooperating_units.all()} != {u.pk for u in spec.coop}:
            task.cooperating_units.set(spec.coop)
        kept, dropped, added = match_milestones(list(task.milestones.all()), spec.milestones)
        for m in dropped:
            milestone_remove(milestone=m)  # withdrawn with its assignments if units reported on it
        # Numbers move in two steps where they would collide with another kept milestone's (unique per task).
        moving = [(m, index) for m, index in kept if m.seq != index + 1]
        for offset, (m, _) in enumerate(moving):
            Milestone.objects.filter(pk=m.pk).update(seq=30000 + offset)
        for m, index in kept:
            due, text = spec.milestones[index]
            if (m.due_date, m.text, m.seq) != (due, text, index + 1) or (m, index) in moving:
                m.due_date, m.text, m.seq = due, text, index + 1
                m._history_user = user
                m.save()
        for index in added:
            due, text = spec.milestones[index]
            Milestone.objects.create(task=task, seq=index + 1, due_date=due, text=text)
        wanted = {t.metric: t for t in spec.targets}
        for target in task.targets.all():
            if target.metric not in wanted:
                target.delete()
        for metric, t in wanted.items():
            obj, _ = QuantifiedTarget.objects.update_or_create(
                task=task, metric=metric,
                defaults={"measure_unit": t.measure_unit, "comparator": t.comparator, "source_text": t.source_text},
            )
            obj.year_values.exclude(year__in=t.values).delete()
            for year, value in t.values.items():
                TargetYearValue.objects.update_or_create(target=obj, year=year, defaults={"value": value})
        # The comparison prefetched the task's parts; the sync must see them as they are now.
        task._prefetched_objects_cache = {}
        task_sync_assignments(task=task)


# The column order of the tuples _create builds; a test checks it against the models.
COLUMNS_OF = {
    Task: ["id", "plan_id", "action_line_id", "key_task_id", "code", "position", "text", "master_task_id"],
    Milestone: ["id", "task_id", "seq", "due_date", "text", "withdrawn_on"],
    Assignment: ["id", "task_id", "milestone_id", "unit_id", "role", "due_date", "completed_on", "closed_on",
                 "withdrawn_on"],
    QuantifiedTarget: ["id", "task_id", "metric", "measure_unit", "comparator", "baseline", "source_text"],
    TargetYearValue: ["id", "target_id", "year", "value"],
}


def match_milestones(current: list[Milestone], wanted: list[tuple[datetime.date, str]]):
    """Pair a task's milestones with a file's (due date, text) lines: the same date and text first, then the same
    date, then the rest in order. So a deadline dropped from the middle is the one taken off, and the reports made
    on the others stay with their own deadline. Returns (kept [(milestone, line index)], dropped, added indexes)."""
    free, pairs = list(current), {}
    for same in (lambda m, line: (m.due_date, m.text) == line, lambda m, line: m.due_date == line[0],
                 lambda m, line: True):
        for index, line in enumerate(wanted):
            if index in pairs:
                continue
            found = next((m for m in free if same(m, line)), None)
            if found is not None:
                pairs[index] = found
                free.remove(found)
    kept = sorted(((m, index) for index, m in pairs.items()), key=lambda pair: pair[1])
    return kept, free, [index for index in range(len(wanted)) if index not in pairs]


def may_confirm(user, batch) -> bool:
    """A task list is saved by whoever may edit its plan."""
    return batch.plan is not None and policy.allows(user, "plan.import", batch.plan)


def importer_for_batch(batch) -> TaskSheetImport:
    """A liaison's upload is bound to its own unit; the office's is not."""
    uploader = batch.uploaded_by
    bound = uploader is not None and not policy.allows(uploader, "office.work")
    return TaskSheetImport(batch.plan, own_unit_only=bound)


SHEET_KIND = SheetKind("tasks", "任务清单", importer_for_batch, may_confirm)


def _target_spec(target: QuantifiedTarget) -> TargetSpec:
    values = {v.year: v.value for v in target.year_values.all()}
    return TargetSpec(target.metric, target.measure_unit, target.comparator, values)


# ---- export ----------------------------------------------------------------------------------------


def export_sheet(plan: Plan) -> Sheet:
    """The task list in the import template's columns: importing the export changes nothing."""
    importer = TaskSheetImport(plan)
    rows = []
    for task in sorted(importer.existing().values(), key=lambda t: (t.position, t.code)):
        targets = [_target_spec(t) for t in task.targets.all()]
        rows.append([
            task.code,
            f"{task.action_line.number}.{task.action_line.title}" if task.action_line else "",
            task.key_task.title if task.key_task else "",
            task.text,
            "、".join(u.name for u in task.lead_units.all()),
            "、".join(u.name for u in task.cooperating_units.all()),
            describe_milestones([(m.due_date, m.text) for m in task.milestones.all()]),
            describe_targets(targets) or "无",
        ])
    headers = [c.label for c in COLUMNS]
    return Sheet("任务清单", headers, rows, [8, 24, 20, 60, 24, 30, 40, 30], caption=f"{plan.title} · 任务清单")
