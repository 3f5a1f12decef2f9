"""The demo's published monthly dispatch reports (月调度), one for every month that has ended."""

from __future__ import annotations

import datetime

from django.utils import timezone

from campaign.models import Campaign
from reporting.models import MonthlyReport
from reporting.services import build_report, publish_report
from tasks.selectors import month_start

from .rolls import at


def past_months(campaign: Campaign, today: datetime.date) -> list[datetime.date]:
    """First days of the campaign's months that ended before ``today``'s month began."""
    last = min(month_start(today), month_start(timezone.localdate()))
    month, months = month_start(campaign.start_date), []
    while month < last and month <= campaign.end_date:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def publish_past_reports(campaign: Campaign, today: datetime.date, office_user) -> int:
    """Build and publish, oldest first, each past month's report; a month that has any report is left as it is.

    So running the loader again adds no version, and a month the office has built by hand is theirs.
    Each report is dated as the office would have issued it: built on the 3rd of the next month and
    published on the 5th (never after ``today``). Returns how many were built.
    """
    have = set(MonthlyReport.objects.filter(campaign=campaign).values_list("month", flat=True))
    now = timezone.now()
    built = 0
    for month in past_months(campaign, today):
        if month in have:
            continue
        report = publish_report(build_report(campaign, month, user=office_user), user=office_user)
        following = (month + datetime.timedelta(days=32)).replace(day=1)
        built_at = min(at(min(following.replace(day=3), today), 9), now)
        published_at = min(at(min(following.replace(day=5), today), 16), now)
        MonthlyReport.objects.filter(pk=report.pk).update(built_at=built_at, published_at=published_at)
        report.bulletins.update(issued_on=timezone.localdate(published_at))
        built += 1
    return built
