"""Building, publishing and editing monthly reports. The UI, the command line and the jobs call these."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from campaign import policy
from campaign.choices import RANKING_GROUPS
from campaign.models import Campaign
from core import params
from tasks.selectors import month_start

from . import summary as summaries
from .bulletins import draft_bulletins
from .models import Bulletin, MonthlyReport, ReportState, UnitScore
from .scoring import (
    Period,
    Weights,
    competition_ranks,
    components_by_unit,
    period_of,
    quartile,
    ranked_units,
    target_rows,
)


class ReportError(Exception):
    """A request the rules refuse; the message is shown to the user as it is."""


def parse_month(text: str) -> datetime.date:
    """``YYYY-MM`` → the month's first day (core/params.py), refused as a ReportError the pages and commands show."""
    try:
        return params.parse_month(text)
    except params.BadMonth as error:
        raise ReportError(str(error)) from None


def check_month(campaign: Campaign, month: datetime.date, *, preview: bool = False) -> None:
    """Only a month that has ended is built officially (DESIGN §5); the month in progress only as a preview."""
    month = month_start(month)
    if month < month_start(campaign.start_date) or month > month_start(campaign.end_date):
        raise ReportError(f"{month.year}年{month.month}月不在“{campaign.name}”的起止时间内"
                          f"（{campaign.start_date:%Y年%m月}至{campaign.end_date:%Y年%m月}）。")
    current = month_start(timezone.localdate())
    if month > current:
        raise ReportError(f"{month.year}年{month.month}月还没有到，不能生成月报。")
    if month == current and not preview:
        raise ReportError(f"{month.year}年{month.month}月尚未结束，不能正式生成月报；可以生成截至今日的预览"
                          "（预览不能发布），月份结束后再正式生成。")
    if month < current and preview:
        raise ReportError(f"{month.year}年{month.month}月已经结束，请正式生成月报，不必预览。")


def _previous_ranks(campaign: Campaign, month: datetime.date) -> dict[int, int]:
    """Last month's ranks: from its latest published version, else its current one."""
    previous = month_start(month - datetime.timedelta(days=1))
    report = (MonthlyReport.objects.filter(campaign=campaign, month=previous, state=ReportState.PUBLISHED)
              .order_by("-version").first()
              or MonthlyReport.objects.filter(campaign=campaign, month=previous, is_current=True).first())
    if report is None:
        return {}
    return dict(report.scores.filter(rank__isnull=False).values_list("unit_id", "rank"))


def compute(period: Period, on_progress: Callable[[int], None] | None = None) -> tuple[list[UnitScore], dict]:
    """Unsaved score rows and the summary for a month; a fixed number of queries."""
    step = on_progress or (lambda pct: None)
    campaign = period.campaign
    weights = Weights.of(campaign)
    units = list(ranked_units(period))
    targets = target_rows(period)
    step(20)
    components = components_by_unit(period, units, targets)
    step(50)
    tasks_overdue, hazards_overdue, overdue_counts = summaries.overdue_details(period)
    previous = _previous_ranks(campaign, period.month)
    rows = []
    for unit in units:
        c = components[unit.pk]
        rows.append(UnitScore(
            unit=unit, unit_code=unit.code, unit_name=unit.name, group=RANKING_GROUPS[unit.kind],
            sort_order=unit.sort_order,
            due_count=c.due_count, on_time_count=c.on_time_count, on_time=c.on_time,
            reports_required=c.reports_required, reports_on_time=c.reports_on_time, reporting=c.reporting,
            target_count=len(c.attainments), targets=c.targets,
            hazards_due=c.hazards_due, hazards_closed_on_time=c.hazards_closed_on_time, hazards=c.hazards,
            overdue_hazards=c.overdue_hazards, penalty=c.penalty(weights), score=c.score(weights),
            previous_rank=previous.get(unit.pk), overdue_tasks=overdue_counts.get(unit.pk, 0),
            details={"tasks": tasks_overdue.get(unit.pk, []), "hazards": hazards_overdue.get(unit.pk, [])},
        ))
    for group in {r.group for r in rows}:
        # 本月无考核事项 (no component rated): listed, never ranked (DESIGN §5).
        members = [r for r in rows if r.group == group and r.score is not None]
        for row, rank in zip(members, competition_ranks([r.score for r in members]), strict=True):
            row.rank = rank
            row.quartile = quartile(rank, len(members))
    step(70)
    reported = {r.unit_id: r for r in rows}
    summary = {
        "headline": summaries.headline(period),
        "action_lines": summaries.action_lines(period),
        "problems": summaries.problems(period),
        "follow_ups": summaries.follow_ups(period),
        "extensions": summaries.extensions(period),
        "consistency": summaries.consistency(period, {u.pk: u for u in units}),
        "reporting": {
            "required": sum(r.reports_required for r in reported.values()),
            "on_time": sum(r.reports_on_time for r in reported.values()),
        },
        "deadline": period.deadline.isoformat(),
        "period_end": period.end.isoformat(),
    }
    step(90)
    return rows, summary


def build_report(campaign: Campaign, month: datetime.date, *, user=None, preview: bool = False,
                 on_progress: Callable[[int], None] | None = None,
                 on_saved: Callable[[MonthlyReport], None] | None = None) -> MonthlyReport:
    """Compute and store the month's report.

    An unpublished current version is rebuilt in place, so building twice leaves one report;
    a published one is kept as it is and a new version becomes current. ``on_saved`` runs in
    the same transaction as the write (a job marks itself done there, so it is never half done).
    """
    month = month_start(month)
    check_month(campaign, month, preview=preview)
    period = period_of(campaign, month, as_of=timezone.localdate() if preview else None)
    rows, summary = compute(period, on_progress)
    now = timezone.now()
    with transaction.atomic():
        # One builder per campaign at a time: two concurrent builds of a month would race on "current".
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        report = MonthlyReport.objects.filter(campaign=campaign, month=month, is_current=True).first()
        # What this build changes against the last published version (none: the first build of the month).
        compared = (report if report is not None and report.is_published else
                    MonthlyReport.objects.filter(campaign=campaign, month=month, state=ReportState.PUBLISHED)
                    .order_by("-version").first())
        summary["changes"] = changes_since(compared, rows, summary) if compared is not None else None
        if report is not None and not report.is_published:
            report.scores.all().delete()
            report.bulletins.all().delete()
        else:
            if report is not None:
                MonthlyReport.objects.filter(pk=report.pk).update(is_current=False)
            latest = MonthlyReport.objects.filter(campaign=campaign, month=month).aggregate(v=Max("version"))["v"]
            report = MonthlyReport(campaign=campaign, month=month, version=(latest or 0) + 1)
        report.is_current = True
        report.is_preview = preview
        report.state = ReportState.DRAFT
        report.built_at = now
        report.built_by = user if user is not None and user.is_authenticated else None
        report.weights = Weights.of(campaign).as_json()
        report.summary = summary
        report._history_user = report.built_by  # a job or command has no request to name the builder
        report.save()
        for row in rows:
            row.report = report
        # One INSERT on PostgreSQL whatever the number of units (the query count must not grow with them).
        UnitScore.objects.bulk_create(rows)
        for bulletin in draft_bulletins(report, rows):
            bulletin.save()
        if on_saved:
            on_saved(report)
    if on_progress:
        on_progress(100)
    return report


# The numbers of a unit's line that a reader compares between versions.
COMPARED_FIELDS = {
    "due_count": "到期任务", "on_time_count": "按期完成", "reports_required": "应报", "reports_on_time": "按时报送",
    "target_count": "量化目标", "hazards_due": "到期隐患", "hazards_closed_on_time": "按期销号",
    "overdue_hazards": "逾期隐患", "overdue_tasks": "逾期任务", "score": "得分", "rank": "名次",
}
HEADLINE_FIELDS = {("tasks", "total"): "责任事项", ("tasks", "due"): "到期", ("tasks", "on_time"): "按期完成",
                   ("tasks", "overdue"): "逾期未完成", ("hazards", "found"): "隐患累计发现",
                   ("hazards", "closed"): "隐患已销号", ("hazards", "overdue"): "隐患逾期"}


def _shown(value) -> str:
    return "—" if value is None else str(value)


def changes_since(previous: MonthlyReport, rows: list[UnitScore], summary: dict) -> dict:
    """What a new build of a month changes against ``previous`` (the version readers have seen): each unit's
    changed numbers and the campaign's, as text a page lists. Empty lists: the new version equals the old."""
    old = {s.unit_id: s for s in previous.scores.all()}
    units = []
    for row in rows:
        before = old.pop(row.unit_id, None)
        if before is None:
            units.append({"unit": row.unit_name, "changes": ["新增"]})
            continue
        diffs = [f"{label} {_shown(getattr(before, name))}→{_shown(getattr(row, name))}"
                 for name, label in COMPARED_FIELDS.items() if getattr(before, name) != getattr(row, name)]
        if diffs:
            units.append({"unit": row.unit_name, "changes": diffs})
    units += [{"unit": s.unit_name, "changes": ["不再列入"]} for s in old.values()]
    old_head, new_head = (previous.summary or {}).get("headline", {}), summary.get("headline", {})
    headline = [f"{label} {old_head.get(a, {}).get(b)}→{new_head.get(a, {}).get(b)}"
                for (a, b), label in HEADLINE_FIELDS.items()
                if old_head.get(a, {}).get(b) != new_head.get(a, {}).get(b)]
    return {"version": previous.version, "units": units, "headline": headline}


def publish_report(report: MonthlyReport, user=None, *,
                   reviewed_build: datetime.datetime | None = None) -> MonthlyReport:
    """Freeze the report for everyone. ``user=None`` is the system (demo loader, command line).

    ``reviewed_build``: the build time of the figures the office looked at; a report rebuilt since (its figures
    changed) is not published. Publishing takes the campaign's lock that builds take, and reads the report again
    under it: a rebuild and a publish of one month run one after the other, never interleaved, and of two
    publishes of one report only the first succeeds.
    """
    if user is not None and not policy.allows(user, "office.work"):
        raise ReportError("只有安委办工作人员可以发布月报。")
    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=report.campaign_id).first()
        report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
        if report.is_published:
            raise ReportError("该月报已经发布。")
        if not report.is_current:
            raise ReportError("这是旧版本，不能发布；请发布当前版本。")
        if report.is_preview:
            raise ReportError("截至今日的预览不能发布；请在月份结束后正式生成，再查看并发布。")
        if reviewed_build is not None and report.built_at != reviewed_build:
            rebuilt = timezone.localtime(report.built_at)
            raise ReportError(f"您查看之后，该月报已于 {rebuilt:%m-%d %H:%M} 重新生成，数据可能已变化；"
                              "请查看新的数据后再发布。")
        report.state = ReportState.PUBLISHED
        report.published_at = timezone.now()
        report.published_by = user if user is not None and user.is_authenticated else None
        report._history_user = report.published_by
        report.save(update_fields=["state", "published_at", "published_by"])
    return report


def save_bulletin(bulletin: Bulletin, user, **fields) -> Bulletin:
    if not policy.allows(user, "office.work"):
        raise ReportError("只有安委办工作人员可以修改通报。")
    if bulletin.report.is_published:
        raise ReportError("月报已发布，通报不能再修改；如需更正，请重新生成月报（将生成新版本）。")
    for name, value in fields.items():
        setattr(bulletin, name, value)
    bulletin.updated_by = user
    bulletin.save()
    return bulletin
