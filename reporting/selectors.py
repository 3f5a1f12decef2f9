"""Reads of stored reports: which version a user sees, the month list and the trend over months."""

from __future__ import annotations

import datetime

from django.db.models import F, QuerySet

from campaign import policy
from campaign.models import Campaign

from .models import MonthlyReport, ReportState, UnitScore


def reports_for(user, campaign: Campaign) -> QuerySet[MonthlyReport]:
    """Office staff see every version; everyone else only published ones."""
    reports = MonthlyReport.objects.filter(campaign=campaign)
    if not policy.allows(user, "office.work"):
        reports = reports.filter(state=ReportState.PUBLISHED)
    return reports


def shown_report(user, campaign: Campaign, month: datetime.date | None = None,
                 version: int | None = None, *, defer_summary: bool = False) -> MonthlyReport | None:
    """The version of a month a user reads: the office its current one, others the latest published.

    With no month: the latest month the user can read. ``defer_summary`` leaves the summary (a province's is
    over 100 kB of JSON) in the database; ``summary_parts`` reads the pieces a page needs.
    """
    reports = reports_for(user, campaign)
    if defer_summary:
        reports = reports.defer("summary")
    if month is not None:
        reports = reports.filter(month=month)
    if version is not None:
        return reports.filter(version=version).first()
    if policy.allows(user, "office.work"):
        reports = reports.filter(is_current=True)
    return reports.order_by("-month", "-version").first()


def summary_parts(report: MonthlyReport, *keys: str) -> dict:
    """Some top-level entries of a report's summary, without loading the rest."""
    names = {f"part{n}": key for n, key in enumerate(keys)}
    row = MonthlyReport.objects.filter(pk=report.pk).values(**{
        name: F(f"summary__{key}") for name, key in names.items()
    }).get()
    return {key: row[name] for name, key in names.items()}


def month_list(user, campaign: Campaign, *, lean: bool = False) -> list[MonthlyReport]:
    """One row per month (the version the user reads), newest first. ``lean``: only what the scoreboard shows
    of each version (not its summary), without who built it."""
    seen = set()
    rows = []
    reports = reports_for(user, campaign)
    if lean:
        reports = reports.select_related("published_by").only(
            "campaign_id", "month", "version", "is_current", "is_preview", "state", "built_at", "published_at",
            "weights", "published_by")
    else:
        reports = reports.defer("summary").select_related("built_by", "published_by")
    for report in reports.order_by("-month", "-is_current", "-version"):
        if report.month in seen:
            continue
        if policy.allows(user, "office.work") and not report.is_current:
            continue
        seen.add(report.month)
        rows.append(report)
    return rows


def versions(report: MonthlyReport) -> QuerySet[MonthlyReport]:
    return MonthlyReport.objects.filter(campaign=report.campaign, month=report.month).defer("summary").select_related(
        "built_by", "published_by").order_by("-version")


def trend_reports(user, campaign: Campaign, until: datetime.date,
                  months: list[MonthlyReport] | None = None) -> list[MonthlyReport]:
    """The report a user reads for each month up to ``until``, oldest first (``months``: ``month_list``'s
    answer, when the caller has it already)."""
    months = month_list(user, campaign) if months is None else months
    by_month = {r.month: r for r in reversed(months) if r.month <= until}
    return [by_month[m] for m in sorted(by_month)]


def trend_scores(reports: list[MonthlyReport]) -> QuerySet[UnitScore]:
    return UnitScore.objects.filter(report__in=[r.pk for r in reports]).values(
        "report_id", "unit_id", "unit_code", "unit_name", "group", "score", "on_time", "rank",
    ).order_by("report__month", "group", "rank")
