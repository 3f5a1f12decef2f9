"""Exports of a stored monthly report: JSON for scripts, Excel for the office, Word for the bulletins.

Everything here reads the frozen snapshot (``MonthlyReport``, its ``UnitScore`` rows, ``summary`` and
``Bulletin``), never the live tasks or hazards, so an export of a published month never changes.
"""

from __future__ import annotations

import datetime
import io
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from campaign.choices import PlanKind
from core.xlsx import Sheet, write_xlsx
from hazards.choices import HazardFollowUpKind
from tasks.choices import FollowUpKind

from .docx_notice import render_bulletin
from .models import NOTHING_RATED, Bulletin, Group, MonthlyReport, UnitScore

GROUP_ORDER = {value: index for index, value in enumerate(Group.values)}
COMPONENTS = ("on_time", "reporting", "targets", "hazards")
COUNTS = ("due_count", "on_time_count", "reports_required", "reports_on_time", "target_count", "hazards_due",
          "hazards_closed_on_time", "overdue_hazards")
WEIGHT_LABELS = {"on_time": "按期完成", "reporting": "按时填报", "targets": "量化目标", "hazards": "隐患整改"}


# ---------------------------------------------------------------------------------------------------------------
# Shared helpers


def _number(value) -> int | float | None:
    """A Decimal (or its string form in JSON) as a JSON number: an int when whole, else a float."""
    if value is None or value == "":
        return None
    value = Decimal(str(value))
    return int(value) if value == value.to_integral_value() else float(value)


def _plain(value) -> str:
    """'40.00' → '40', '0.50' → '0.5' (no exponent, unlike ``normalize()`` alone)."""
    return format(Decimal(str(value)).normalize(), "f")


NOT_RATED = "—"


def _pct(ratio: Decimal | None) -> float | str:
    """A component as a percentage; "—" when it is 不参评."""
    if ratio is None:
        return NOT_RATED
    return float((Decimal(ratio) * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _local(value: datetime.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _date(text: str | None) -> datetime.date | None:
    """ISO dates kept as text in the summary, back as dates so Excel shows them as dates."""
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def ordered_scores(report: MonthlyReport) -> list[UnitScore]:
    """The ranking: townships and zones first, then departments, each by rank (ties by the unit's order)."""
    return sorted(report.scores.all(), key=lambda s: (GROUP_ORDER.get(s.group, len(GROUP_ORDER)), s.rank is None,
                                                      s.rank or 0, s.sort_order, s.unit_code))


def weights_caption(report: MonthlyReport) -> str:
    weights = report.weights or {}
    parts = [f"{label}{_plain(weights[key])}" for key, label in WEIGHT_LABELS.items() if key in weights]
    text = "权重：" + "、".join(parts)
    if "penalty_per_hazard" in weights:
        text += f"；逾期未销号隐患每项扣{_plain(weights['penalty_per_hazard'])}分"
        if "penalty_cap" in weights:
            text += f"，最多扣{_plain(weights['penalty_cap'])}分"
    return text


def as_of_phrase(report: MonthlyReport) -> str:
    """"截至月底", or for a preview of the month in progress the day it was counted to."""
    if report.is_preview:
        return f"截至{timezone.localtime(report.built_at):%-m月%-d日}"
    return "截至月底"


def report_caption(report: MonthlyReport, what: str) -> str:
    return (f"{report.campaign.name} {report.month_label}{what}（第{report.version}版，"
            f"{report.get_state_display()}）")


def export_filename(report: MonthlyReport, what: str, extension: str) -> str:
    """``weishan-2024-2025-06-月调度.xlsx``: the same name from the page and the command line."""
    return f"{report.campaign.slug}-{report.month_param}-{what}.{extension}"


# ---------------------------------------------------------------------------------------------------------------
# JSON


def score_json(score: UnitScore) -> dict:
    """One unit's line: the score, its four components (ratios 0–1, as stored) and the counts behind them."""
    return {
        "code": score.unit_code,
        "name": score.unit_name,
        "group": score.group,
        "group_label": score.get_group_display(),
        "score": _number(score.score),  # null: 本月无考核事项 (no component rated), and then no rank
        "rated": score.rated,
        "rank": score.rank,
        "previous_rank": score.previous_rank,
        "rank_change": score.rank_change,
        "quartile": score.quartile,
        "penalty": _number(score.penalty),
        "components": {name: _number(getattr(score, name)) for name in COMPONENTS},
        **{name: getattr(score, name) for name in COUNTS},
        "overdue_tasks": score.overdue_tasks,
    }


def report_json(report: MonthlyReport) -> dict:
    """The report as plain data; for each unit ``score = 100·Σ wᵢ·Aᵢ / Σ wᵢ − penalty`` over its rated components (to
    the cent), a component not rated (不参评) being ``null`` (DESIGN §5)."""
    return {
        "campaign": report.campaign.slug,
        "campaign_name": report.campaign.name,
        "month": report.month_param,
        "version": report.version,
        "state": report.state,
        "is_current": report.is_current,
        "built_at": _local(report.built_at),
        "published_at": _local(report.published_at),
        "weights": {name: _number(value) for name, value in (report.weights or {}).items()},
        "units": [score_json(score) for score in ordered_scores(report)],
    }


# ---------------------------------------------------------------------------------------------------------------
# Excel

RANKING_HEADERS = [
    "名次", "单位", "得分", "按期完成率（%）", "按时填报率（%）", "量化目标达成度（%）", "隐患按期整改率（%）", "扣分",
    "上月名次", "名次变化（正数为上升）", "到期任务数", "按期完成数", "应报数", "按时报送数", "量化目标数",
    "到期隐患数", "按期销号数", "逾期未销号隐患数", "逾期任务数", "单位代码",
]
RANKING_WIDTHS = [6, 28, 9, 10, 10, 10, 10, 7, 8, 10, 9, 9, 8, 9, 9, 9, 9, 10, 9, 12]


def _ranking_row(score: UnitScore) -> list:
    return [
        score.rank if score.rated else NOT_RATED, score.unit_name, score.score if score.rated else NOTHING_RATED,
        _pct(score.on_time), _pct(score.reporting), _pct(score.targets),
        _pct(score.hazards), score.penalty, score.previous_rank, score.rank_change,
        score.due_count, score.on_time_count, score.reports_required, score.reports_on_time, score.target_count,
        score.hazards_due, score.hazards_closed_on_time, score.overdue_hazards, score.overdue_tasks, score.unit_code,
    ]


def ranking_sheets(report: MonthlyReport, scores: list[UnitScore] | None = None) -> list[Sheet]:
    """One sheet per ranking group, each captioned with the campaign, the month and the weights."""
    scores = ordered_scores(report) if scores is None else scores
    caption = f"{report_caption(report, '量化排名')}　{weights_caption(report)}"
    return [
        Sheet(title=group.label, headers=RANKING_HEADERS, widths=RANKING_WIDTHS, caption=caption,
              rows=[_ranking_row(s) for s in scores if s.group == group.value])
        for group in Group
    ]


def _to_bytes(sheets: list[Sheet]) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, sheets)
    return buffer.getvalue()


def ranking_xlsx(report: MonthlyReport) -> bytes:
    """量化排名 workbook: 乡镇（街道）、开发区 and 县直部门."""
    return _to_bytes(ranking_sheets(report))


def _headline_sheet(report: MonthlyReport) -> Sheet:
    summary = report.summary or {}
    head = summary.get("headline", {})
    tasks, hazards = head.get("tasks", {}), head.get("hazards", {})
    reporting = summary.get("reporting", {})
    problems = summary.get("problems", {})
    as_of = as_of_phrase(report)
    rows = [
        ["任务", "任务分解总数（项）", tasks.get("total")],
        ["任务", f"{as_of}已完成", tasks.get("completed")],
        ["任务", "总体完成率（%）", _number(head.get("task_completion_pct"))],
        ["任务", f"{as_of}到期", tasks.get("due")],
        ["任务", "其中按期完成", tasks.get("on_time")],
        ["任务", "按期完成率（%）", _number(head.get("task_on_time_pct"))],
        ["任务", "逾期未完成", tasks.get("overdue")],
        ["进展填报", "填报截止日", _date(summary.get("deadline"))],
        ["进展填报", "应报数", reporting.get("required")],
        ["进展填报", "按时报送数", reporting.get("on_time")],
        ["重大事故隐患", "累计排查发现", hazards.get("found")],
        ["重大事故隐患", "本月新发现", hazards.get("found_in_month")],
        ["重大事故隐患", "其中本月新增（基准日后）", hazards.get("increment_in_month")],
        ["重大事故隐患", "累计整改销号", hazards.get("closed")],
        ["重大事故隐患", "本月整改销号", hazards.get("closed_in_month")],
        ["重大事故隐患", "整改销号率（%）", _number(head.get("hazard_closed_pct"))],
        ["重大事故隐患", "尚未销号", hazards.get("open")],
        ["重大事故隐患", "逾期未销号", hazards.get("overdue")],
        ["重大事故隐患", "存量未销号", hazards.get("stock_left")],
        ["重大事故隐患", "增量未销号", hazards.get("increment_left")],
        ["问题", "本月填报问题（条）", problems.get("total")],
    ]
    built = timezone.localtime(report.built_at).strftime("%Y-%m-%d %H:%M") if report.built_at else ""
    return Sheet(title="汇总", headers=["类别", "项目", "数值"], rows=rows, widths=[14, 28, 14],
                 caption=f"{report_caption(report, '月调度')}　生成于 {built}")


def _action_lines_sheet(report: MonthlyReport) -> Sheet:
    plan_kinds = dict(PlanKind.choices)
    rows = [
        [plan_kinds.get(r.get("plan_kind"), r.get("plan_kind")), r.get("plan_unit"), r.get("number"), r.get("title"),
         r.get("total"), r.get("due"), r.get("completed"), r.get("on_time"), r.get("overdue"),
         _number(r.get("completion_pct"))]
        for r in report.summary.get("action_lines", [])
    ]
    return Sheet(title="分行动进展", rows=rows, widths=[8, 12, 6, 48, 9, 9, 9, 9, 9, 10],
                 headers=["方案", "方案单位", "序号", "行动", "任务分解数", "到期", "已完成", "按期完成", "逾期",
                          "完成率（%）"],
                 caption=f"{report_caption(report, '分行动进展')}（{as_of_phrase(report)}）")


def _ranking_sheet(report: MonthlyReport, scores: list[UnitScore]) -> Sheet:
    return Sheet(title="排名", headers=["组别", *RANKING_HEADERS], widths=[18, *RANKING_WIDTHS],
                 caption=f"{report_caption(report, '量化排名')}　{weights_caption(report)}",
                 rows=[[s.get_group_display(), *_ranking_row(s)] for s in scores])


def _capped(caption: str, shown: int, total: int | None) -> str:
    if total is not None and total > shown:
        return f"{caption}（共{total}条，此处列出前{shown}条）"
    return f"{caption}（共{shown}条）"


def _problems_sheet(report: MonthlyReport) -> Sheet:
    problems = report.summary.get("problems", {})
    rows = [[r.get("unit"), r.get("code"), r.get("problems"), r.get("next_steps")] for r in problems.get("rows", [])]
    return Sheet(title="问题清单", headers=["单位", "任务编号", "存在问题", "下步措施"], rows=rows,
                 widths=[24, 10, 60, 50],
                 caption=_capped(f"{report.month_label}进展报告中填报的问题", len(rows), problems.get("total")))


def _overdue_task_sheet(report: MonthlyReport, scores: list[UnitScore]) -> Sheet:
    rows = []
    for s in scores:
        for item in (s.details or {}).get("tasks", []):
            rows.append([s.get_group_display(), s.unit_name, item.get("code"), item.get("text"),
                         _date(item.get("due_date")), item.get("days")])
    return Sheet(title="逾期任务", headers=["组别", "单位", "任务编号", "任务内容", "到期日", "逾期天数"], rows=rows,
                 widths=[18, 24, 10, 60, 12, 9],
                 caption=f"{report.month_label}底各单位逾期未完成任务（每单位最多列出50项）")


def _overdue_hazard_sheet(report: MonthlyReport, scores: list[UnitScore]) -> Sheet:
    rows = []
    for s in scores:
        for item in (s.details or {}).get("hazards", []):
            rows.append([s.get_group_display(), s.unit_name, item.get("enterprise"), item.get("text"),
                         _date(item.get("deadline")), item.get("days")])
    return Sheet(title="逾期隐患", headers=["组别", "单位", "企业", "隐患", "整改期限", "逾期天数"], rows=rows,
                 widths=[18, 24, 30, 60, 12, 9],
                 caption=f"{report.month_label}底各单位逾期未销号重大事故隐患（乡镇按属地、部门按监管；"
                         f"每单位最多列出50项）")


def _follow_ups_sheet(report: MonthlyReport) -> Sheet:
    follow_ups = report.summary.get("follow_ups", {})
    task_kinds, hazard_kinds = dict(FollowUpKind.choices), dict(HazardFollowUpKind.choices)
    rows = [["任务", task_kinds.get(r.get("kind"), r.get("kind")), r.get("number"), _date(r.get("issued_at")),
             r.get("unit"), r.get("code")] for r in follow_ups.get("tasks", [])]
    rows += [["重大事故隐患", hazard_kinds.get(r.get("kind"), r.get("kind")), "", _date(r.get("issued_at")),
              r.get("township"), r.get("enterprise")] for r in follow_ups.get("hazards", [])]
    counts = [f"{task_kinds.get(k, k)}{n}次" for k, n in (follow_ups.get("task_counts") or {}).items()]
    counts += [f"隐患{hazard_kinds.get(k, k)}{n}次" for k, n in (follow_ups.get("hazard_counts") or {}).items()]
    return Sheet(title="督办", headers=["对象", "措施", "文号", "日期", "单位", "任务编号 / 企业"], rows=rows,
                 widths=[14, 10, 22, 12, 24, 30],
                 caption=f"{report.month_label}督办情况：" + ("、".join(counts) if counts else "无"))


def _extensions_sheet(report: MonthlyReport) -> Sheet:
    extensions = report.summary.get("extensions", {})
    rows = [[r.get("unit"), r.get("code"), _date(r.get("previous_due")), _date(r.get("requested_due")),
             r.get("reason")] for r in extensions.get("rows", [])]
    return Sheet(title="延期", headers=["单位", "任务编号", "原完成时限", "批准后完成时限", "延期理由"], rows=rows,
                 widths=[24, 10, 14, 14, 60],
                 caption=_capped(f"{report.month_label}批准的延期", len(rows), extensions.get("total")))


def _consistency_sheet(report: MonthlyReport) -> Sheet:
    rows = [[r.get("unit"), r.get("metric"), _number(r.get("reported")), _number(r.get("computed")),
             r.get("closed"), r.get("found"), "不一致" if r.get("differs") else "一致"]
            for r in report.summary.get("consistency", [])]
    return Sheet(title="一致性评估", rows=rows, widths=[24, 40, 14, 16, 10, 10, 10],
                 headers=["单位", "指标", "填报值（%）", "台账计算值（%）", "台账已销号", "台账已发现", "评估"],
                 caption="填报的隐患整改率与隐患台账计算值对比（相差超过0.5个百分点为不一致）")


def dispatch_sheets(report: MonthlyReport) -> list[Sheet]:
    """The 月调度 report, one sheet per part, in the order the office reads it."""
    scores = ordered_scores(report)
    return [
        _headline_sheet(report),
        _action_lines_sheet(report),
        _ranking_sheet(report, scores),
        _problems_sheet(report),
        _overdue_task_sheet(report, scores),
        _overdue_hazard_sheet(report, scores),
        _follow_ups_sheet(report),
        _extensions_sheet(report),
        _consistency_sheet(report),
    ]


def dispatch_xlsx(report: MonthlyReport) -> bytes:
    """月调度 workbook: 汇总, 分行动进展, 排名, 问题清单, 逾期任务, 逾期隐患, 督办, 延期, 一致性评估."""
    return _to_bytes(dispatch_sheets(report))


# ---------------------------------------------------------------------------------------------------------------
# Word


def bulletin_docx(bulletin: Bulletin) -> bytes:
    """The bulletin as a Word file laid out like a government notice (see ``docx_notice``)."""
    return render_bulletin(bulletin)
