"""The level above (上下贯通): a parent campaign's office sees each child campaign — a county under its city — with
its completion, overdue items, reporting, hazard stock, increment and closure, and a monthly ranking of the child
jurisdictions scored by the same engine as units (DESIGN §5, each county counted as one unit of the city)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from campaign import access
from campaign.models import Campaign
from tasks.selectors import month_start, previous_month

from . import summary as summaries
from .scoring import (
    Components,
    Weights,
    competition_ranks,
    hazard_counts,
    on_time_counts,
    period_of,
    reporting_counts,
    target_attainments,
    target_rows,
)


@dataclass
class ChildRow:
    campaign: Campaign
    headline: dict  # the child's numbers today, as its dispatch report counts them (reporting/summary.py)
    components: Components  # the child's month, counted over all its units
    score: Decimal | None = None
    rank: int | None = None


def jurisdiction_components(campaign: Campaign, month: datetime.date) -> Components:
    """One campaign's month as a single unit: every assignment, report, target and hazard of it."""
    period = period_of(campaign, month)
    on_time, reporting = on_time_counts(period).values(), reporting_counts(period).values()
    due, done = sum(d for d, _ in on_time), sum(n for _, n in on_time)
    required, sent = sum(r for r, _ in reporting), sum(s for _, s in reporting)
    attainments = [a for values in target_attainments(target_rows(period)).values() for a in values]
    hazards = hazard_counts(period, "township").values()
    return Components(due, done, required, sent, attainments, sum(h[0] for h in hazards),
                      sum(h[1] for h in hazards), sum(h[2] for h in hazards))


def child_campaigns(user, campaign: Campaign):
    """The campaigns below ``campaign`` that the user may open (a city's office: all its counties')."""
    return access.visible_campaigns(user).filter(parent=campaign, is_active=True).order_by("office__sort_order",
                                                                                          "slug")


def rollup(user, campaign: Campaign, today: datetime.date) -> tuple[datetime.date, list[ChildRow]]:
    """Each child campaign's numbers today and its score for the last ended month, ranked (ties share a rank)."""
    month = previous_month(month_start(today))
    weights = Weights.of(campaign)
    rows = []
    for child in child_campaigns(user, campaign):
        headline = summaries.headline(period_of(child, month_start(today), as_of=today))
        rows.append(ChildRow(child, headline, jurisdiction_components(child, month)))
    for row in rows:
        row.score = row.components.score(weights)
    rated = [r for r in rows if r.score is not None]
    for row, rank in zip(rated, competition_ranks([r.score for r in rated]), strict=True):
        row.rank = rank
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.campaign.slug))
    return month, rows
