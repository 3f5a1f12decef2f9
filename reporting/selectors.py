"""Reads of stored reports: which version a user sees, the month list and the trend over months."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from campaign import access
from campaign.models import Campaign

from .models import MonthlyReport, ReportState, UnitScore


def reports_for(user, campaign: Campaign) -> QuerySet[MonthlyReport]:
    """Office staff see every version; everyone else only published ones."""
    reports = MonthlyReport.objects.filter(campaign=campaign)
    if not access.is_office(user):
        reports = reports.filter(state=ReportState.PUBLISHED)
    return reports


def shown_report(user, campaign: Campaign, month: datetime.date | None = None,
                 version: int | None = None) -> MonthlyReport | None:
    """The version of a month a user reads: the office its current one, others the latest published.

    With no month: the latest month the user can read.
    """
    reports = reports_for(user, campaign)
    if month is not None:
        reports = reports.filter(month=month)
    if version is not None:
        return reports.filter(version=version).first()
    if access.is_office(user):
        reports = reports.filter(is_current=True)
    return reports.order_by("-month", "-version").first()


def month_list(user, campaign: Campaign) -> list[MonthlyReport]:
    """One row per month (the version the user reads), newest first."""
    seen = set()
    rows = []
    for report in reports_for(user, campaign).defer("summary").select_related("built_by", "published_by").order_by(
        "-month", "-is_current", "-version"
    ):
        if report.month in seen:
            continue
        if access.is_office(user) and not report.is_current:
            continue
        seen.add(report.month)
        rows.append(report)
    return rows


def versions(report: MonthlyReport) -> QuerySet[MonthlyReport]:
    return MonthlyReport.objects.filter(campaign=report.campaign, month=report.month).defer("summary").select_related(
        "built_by", "published_by").order_by("-version")


def trend_reports(user, campaign: Campaign, until: datetime.date) -> list[MonthlyReport]:
    """The report a user reads for each month up to ``until``, oldest first."""
    by_month = {r.month: r for r in reversed(month_list(user, campaign)) if r.month <= until}
    return [by_month[m] for m in sorted(by_month)]


def trend_scores(reports: list[MonthlyReport]) -> QuerySet[UnitScore]:
    return UnitScore.objects.filter(report__in=[r.pk for r in reports]).values(
        "report_id", "unit_id", "unit_code", "unit_name", "group", "score", "on_time", "rank",
    ).order_by("report__month", "group", "rank")
