"""The hazard ledger (重大事故隐患台账) as a kind of sheet for the import engine, and its export.

A row is one hazard, matched to the register by enterprise credit code + description + found date
(the same rule that refuses duplicates), so re-uploading a ledger updates rather than repeats it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from simple_history.utils import bulk_update_with_history

from campaign import policy
from campaign.models import Campaign
from core.db import CopyWriter, allocate_ids, ids_by, insert_with_history
from core.xlsx import Sheet
from imports.engine import Preview, RowChange
from imports.kinds import SheetKind
from imports.limits import length_problem
from imports.parsing import DatePhraseError, parse_due, to_halfwidth
from imports.sheet import Column, Problem, Row
from imports.units import UnitIndex, normalise_name

from .choices import Channel, HazardState, Industry, ListedLevel
from .models import Enterprise, MajorHazard
from .validators import is_valid_credit_code, validate_credit_code

COLUMNS = [
    Column("number", "序号", ("编号",)),
    Column("enterprise", "企业名称", ("单位名称", "生产经营单位", "企业"), required=True),
    Column("credit_code", "统一社会信用代码", ("信用代码", "社会信用代码"), required=True),
    Column("township", "所在乡镇（街道）", ("所在乡镇", "乡镇（街道）", "乡镇街道", "属地", "所在地"), required=True),
    Column("industry", "行业领域", ("行业", "所属行业"), required=True),
    Column("supervisor", "监管部门", ("行业监管部门", "主管部门"), required=True),
    Column("description", "隐患描述", ("隐患内容", "重大事故隐患", "隐患情况"), required=True),
    Column("clause", "判定依据", ("判定标准", "依据")),
    Column("channel", "发现方式", ("来源", "发现渠道", "隐患来源")),
    Column("found_on", "发现日期", ("发现时间", "排查日期"), required=True),
    Column("deadline", "整改期限", ("整改时限", "完成时限")),
    Column("responsible", "整改责任人", ("责任人",)),
    Column("listed", "是否挂牌督办", ("挂牌督办", "督办级别")),
    Column("state", "整改状态", ("状态",)),
    Column("closed_on", "销号日期", ("销号时间",)),
]
LABELS = {c.name: c.label for c in COLUMNS}
# What a re-import may never change: the lifecycle is the services' (hazards/services.py), step by step on the page.
LIFECYCLE_FIELDS = ("state", "closed_on", "listed_level")
FIELD_COLUMN = {"state": "state", "closed_on": "closed_on", "listed_level": "listed"}
INDUSTRY_BY_LABEL = {label: value for value, label in Industry.choices}
CHANNEL_BY_LABEL = {label: value for value, label in Channel.choices}
STATE_BY_LABEL = {label: value for value, label in HazardState.choices} | {"已整改": HazardState.PENDING_CLOSE,
                                                                          "未整改": HazardState.REGISTERED}
LISTED_BY_LABEL = {"否": "", "无": "", "": "", "是": ListedLevel.COUNTY, "县级": ListedLevel.COUNTY,
                   "市级": ListedLevel.CITY, "省级": ListedLevel.PROVINCE}


@dataclass(slots=True)
class HazardSpec:
    row: int
    enterprise: str
    credit_code: str
    township_id: int
    supervisor_id: int
    industry: str
    description: str
    clause: str
    channel: str
    found_on: datetime.date
    deadline: datetime.date | None
    responsible: str
    listed_level: str
    state: str
    closed_on: datetime.date | None

    def key(self):
        return (self.credit_code, self.description, self.found_on)

    def values(self) -> dict:
        return {"township_id": self.township_id, "supervisor_id": self.supervisor_id, "industry": self.industry,
                "standard_clause": self.clause, "channel": self.channel, "deadline": self.deadline,
                "responsible_person": self.responsible, "listed_level": self.listed_level, "state": self.state,
                "closed_on": self.closed_on}


def credit_code_error(code: str) -> str | None:
    """Why a credit code is invalid, or None (the quick check first: nearly every code of a ledger is valid)."""
    if is_valid_credit_code(code):
        return None
    try:
        validate_credit_code(code)
    except ValidationError as error:
        return error.messages[0]
    return None


class HazardSheetImport:
    columns = COLUMNS

    def __init__(self, campaign: Campaign):
        self.campaign = campaign

    def required_columns(self):
        return [c for c in COLUMNS if c.required]

    def parse(self, rows: list[Row]):
        units = UnitIndex(self.campaign)
        problems, specs, seen = [], [], {}
        for row in rows:
            spec = self._parse_row(row, units, problems)
            if spec is None:
                continue
            if spec.key() in seen:
                problems.append(Problem(row.number, row.columns.get("description"),
                                        f"与第 {seen[spec.key()]} 行是同一企业同一天发现的相同隐患，重复了。"))
                continue
            seen[spec.key()] = row.number
            specs.append(spec)
        return specs, problems

    def _parse_row(self, row: Row, units: UnitIndex, problems: list) -> HazardSpec | None:
        cells, cols, before = row.cells, row.columns, len(problems)

        def need(name):
            value = cells.get(name)
            if value is None or str(value).strip() == "":
                problems.append(Problem(row.number, cols.get(name), f"“{LABELS[name]}”不能为空。"))
                return ""
            return str(value).strip()

        def date(name, required=False):
            value = cells.get(name)
            if value is None:
                if required:
                    problems.append(Problem(row.number, cols.get(name), f"“{LABELS[name]}”不能为空。"))
                return None
            try:
                return parse_due(value)
            except DatePhraseError as error:
                problems.append(Problem(row.number, cols.get(name), f"无法识别的日期“{value}”：{error}。"))
                return None

        def choice(name, mapping, default=None):
            raw = normalise_name(str(cells.get(name) or ""))
            if not raw and default is not None:
                return default
            if raw in mapping:
                return mapping[raw]
            options = "、".join(k for k in mapping if k)
            message = f"“{raw}”不是可选的{LABELS[name]}（可选：{options}）。"
            problems.append(Problem(row.number, cols.get(name), message))
            return default or ""

        enterprise = need("enterprise")
        code = to_halfwidth(need("credit_code")).replace(" ", "").upper()
        if code:
            error = credit_code_error(code)
            if error:
                problems.append(Problem(row.number, cols.get("credit_code"), f"“{code}”：{error}"))
        township = self._unit(row, "township", units, problems)
        supervisor = self._unit(row, "supervisor", units, problems)
        description = need("description")
        found_on = date("found_on", required=True)
        deadline = date("deadline")
        closed_on = date("closed_on")
        industry = choice("industry", INDUSTRY_BY_LABEL)
        channel = choice("channel", CHANNEL_BY_LABEL, default=Channel.OTHER)
        listed = choice("listed", LISTED_BY_LABEL, default="")
        state = choice("state", STATE_BY_LABEL, default=HazardState.REGISTERED)
        if closed_on and state != HazardState.CLOSED:
            state = HazardState.CLOSED
        if state == HazardState.CLOSED and closed_on is None:
            problems.append(Problem(row.number, cols.get("closed_on"), "已销号的隐患须填写销号日期。"))
        clause = str(cells.get("clause") or "").strip()
        responsible = str(cells.get("responsible") or "").strip()
        for name, value, model, field in (("enterprise", enterprise, Enterprise, "name"),
                                          ("clause", clause, MajorHazard, "standard_clause"),
                                          ("responsible", responsible, MajorHazard, "responsible_person")):
            message = length_problem(value, model, field, LABELS[name])
            if message:
                problems.append(Problem(row.number, cols.get(name), message))
        if len(problems) > before:
            return None
        return HazardSpec(row.number, enterprise, code, township.pk, supervisor.pk, industry, description, clause,
                          channel, found_on, deadline, responsible, listed, state, closed_on)

    def _unit(self, row, name, units: UnitIndex, problems):
        found, unknown = units.resolve(row.cells.get(name))
        if len(found) == 1 and not unknown:
            return found[0]
        hint = units.suggest(str(row.cells.get(name) or ""))
        tail = f"您是否要写：{'、'.join(hint)}？" if hint else "请使用单位全称或常用简称。"
        message = f"找不到{LABELS[name]}“{row.cells.get(name)}”。{tail}"
        problems.append(Problem(row.number, row.columns.get(name), message))
        return None

    VALUE_FIELDS = ("township_id", "supervisor_id", "industry", "standard_clause", "channel", "deadline",
                    "responsible_person", "listed_level", "state", "closed_on")

    def existing(self) -> dict[tuple, dict]:
        """The campaign's register as plain rows keyed like the sheet's rows (no model instances: a province
        re-importing its ledger compares 100,000 of them)."""
        rows = MajorHazard.objects.filter(campaign=self.campaign).order_by().values(
            "pk", "description", "found_on", *self.VALUE_FIELDS, credit_code=F("enterprise__credit_code"))
        return {(row["credit_code"], row["description"], row["found_on"]): row for row in rows.iterator(5000)}

    def compare(self, specs) -> Preview:
        existing = self.existing()
        preview = Preview(specs=specs)
        labels = {name: MajorHazard._meta.get_field(name.removesuffix("_id")).verbose_name
                  for name in self.VALUE_FIELDS}
        for spec in specs:
            hazard = existing.get(spec.key())
            summary = f"{spec.enterprise} · {spec.description[:30]}"
            if hazard is None:
                preview.rows.append(RowChange(spec.row, spec.credit_code, summary, "new"))
                continue
            values = spec.values()
            lifecycle = [name for name in LIFECYCLE_FIELDS if hazard[name] != values[name]]
            if lifecycle:
                preview.problems.append(self._lifecycle_problem(spec, hazard, lifecycle))
                continue
            changes = [(labels[name], str(hazard[name] or ""), str(value or ""))
                       for name, value in values.items() if hazard[name] != value]
            preview.rows.append(RowChange(spec.row, spec.credit_code, summary, "changed" if changes else "unchanged",
                                          changes))
        preview.recognised = {"action_lines": [], "key_tasks": [], "targets": [],
                              "units": sorted({s.enterprise for s in specs})[:300]}
        return preview

    @staticmethod
    def _lifecycle_problem(spec, hazard: dict, names: list[str]) -> Problem:
        """A row that would move a registered hazard along its lifecycle: only the hazard's page does that (a
        close-out needs the rectification, its evidence and the approval of the supervising or listing level)."""
        def show(name, value) -> str:
            if name == "state":
                return dict(HazardState.choices).get(value, value)
            if name == "listed_level":
                return dict(ListedLevel.choices).get(value, "否") if value else "否"
            return f"{value:%Y-%m-%d}" if value else "（空）"

        differences = "；".join(f"{LABELS[FIELD_COLUMN[name]]}：台账为“{show(name, hazard[name])}”，文件为“"
                               f"{show(name, spec.values()[name])}”" for name in names)
        return Problem(spec.row, None, f"{differences}。隐患的整改状态、销号和挂牌督办只能在隐患页面办理，"
                                       "导入不能改变；请把该行改回台账中的内容，或先在页面办理后再导入。")

    @transaction.atomic
    def save(self, preview: Preview, *, user, remove_missing: bool = False) -> None:
        """New hazards (and enterprises) in one bulk insert per table with their "created" history naming the
        importer; changed ones by a bulk update with their history; unchanged rows are not touched."""
        status = {r.row: r.status for r in preview.rows}
        new = [s for s in preview.specs if status[s.row] == "new"]
        changed = [s for s in preview.specs if status[s.row] == "changed"]
        if not new and not changed:
            return
        created_by = user.pk if user is not None and user.is_authenticated else None
        enterprises, new_enterprises = self._enterprises(new + changed)
        hazard_ids = allocate_ids(MajorHazard, len(new))  # every id first: the writer's block uses no queries
        with CopyWriter() as writer:
            for start in range(0, len(new_enterprises), BATCH):
                insert_with_history(Enterprise, ENTERPRISE_COLUMNS, new_enterprises[start:start + BATCH], user=user,
                                    insert=writer.insert)
            for start in range(0, len(new), BATCH):
                rows = [
                    (pk, self.campaign.pk, enterprises[spec.credit_code], spec.township_id, spec.supervisor_id,
                     spec.industry, spec.description, spec.clause, spec.channel, spec.found_on, spec.state, "", None,
                     spec.responsible, spec.deadline, spec.listed_level, None, "", "", None, None, None,
                     spec.closed_on, "", "", created_by)
                    for pk, spec in zip(hazard_ids[start:start + BATCH], new[start:start + BATCH], strict=True)
                ]
                insert_with_history(MajorHazard, HAZARD_COLUMNS, rows, user=user, insert=writer.insert)
        if changed:
            existing = self.existing()
            by_pk = {}
            for spec in changed:
                by_pk[existing[spec.key()]["pk"]] = spec
            fields = [name.removesuffix("_id") for name in self.VALUE_FIELDS]
            for start in range(0, len(by_pk), BATCH):
                ids = list(by_pk)[start:start + BATCH]
                hazards = list(MajorHazard.objects.filter(pk__in=ids))
                for hazard in hazards:
                    for name, value in by_pk[hazard.pk].values().items():
                        setattr(hazard, name, value)
                bulk_update_with_history(hazards, MajorHazard, fields, batch_size=500, default_user=user)

    def _enterprises(self, specs) -> tuple[dict[str, int], list[tuple]]:
        """Credit code → enterprise id for the specs, with ids reserved for the enterprises not yet on file, and
        the rows (``ENTERPRISE_COLUMNS``) to insert for those."""
        codes = list(dict.fromkeys(s.credit_code for s in specs))
        found: dict[str, int] = ids_by(Enterprise, Enterprise._meta.get_field("credit_code").column, codes)
        first = {}
        for spec in specs:
            if spec.credit_code not in found:
                first.setdefault(spec.credit_code, spec)
        rows = [(pk, spec.enterprise[:200], code, spec.township_id, "", "")
                for pk, (code, spec) in zip(allocate_ids(Enterprise, len(first)), first.items(), strict=True)]
        found.update({row[2]: row[0] for row in rows})
        return found, rows


# Rows are written in batches (a province's ledger has 100,000 or more) and looked up in batches (SQLite's limit
# on query parameters) when they are changed.
BATCH = 10_000
# The column order of the tuples ``save`` builds (a test checks it against the model).
ENTERPRISE_COLUMNS = ["id", "name", "credit_code", "township_id", "principal", "controller"]
HAZARD_COLUMNS = ["id", "campaign_id", "enterprise_id", "township_id", "supervisor_id", "industry", "description",
                  "standard_clause", "channel", "found_on", "state", "measures", "funds", "responsible_person",
                  "deadline", "listed_level", "listed_on", "listing_unit", "notice_number", "principal_notified_on",
                  "controller_notified_on", "rectified_on", "closed_on", "close_approval", "return_reason",
                  "created_by_id"]


def may_confirm(user, batch) -> bool:
    """The hazard ledger is saved by the office."""
    return policy.allows(user, "hazard.import")


SHEET_KIND = SheetKind("hazards", "隐患台账", lambda batch: HazardSheetImport(batch.campaign), may_confirm)


def export_sheet(campaign: Campaign) -> Sheet:
    """The register in the ledger's columns: importing the export changes nothing.

    Rows are produced lazily from plain value rows read in chunks, so a province's register (200,000 hazards)
    streams into the workbook without holding the register, or any model instance, in memory.
    """
    widths = [6, 28, 22, 14, 10, 18, 40, 24, 12, 12, 12, 10, 10, 8, 12]
    return Sheet("隐患台账", [c.label for c in COLUMNS], _register_rows(campaign), widths,
                 caption=f"{campaign.name} · 重大事故隐患台账")


def _register_rows(campaign: Campaign):
    listed = {v: k for k, v in LISTED_BY_LABEL.items() if k not in ("是", "无", "")}
    industries, channels, states = dict(Industry.choices), dict(Channel.choices), dict(HazardState.choices)
    rows = (
        MajorHazard.objects.filter(campaign=campaign).order_by("found_on", "pk")
        .values_list("enterprise__name", "enterprise__credit_code", "township__name", "industry", "supervisor__name",
                     "description", "standard_clause", "channel", "found_on", "deadline", "responsible_person",
                     "listed_level", "state", "closed_on")
    )
    for n, (name, code, township, industry, supervisor, description, clause, channel, found_on, deadline,
            responsible, level, state, closed_on) in enumerate(rows.iterator(chunk_size=5000), start=1):
        yield [n, name, code, township, industries.get(industry, industry), supervisor, description, clause,
               channels.get(channel, channel), found_on, deadline, responsible, listed.get(level, "否"),
               states.get(state, state), closed_on]
