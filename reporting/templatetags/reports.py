"""Filters of the report pages (ranking, dispatch report)."""

from django import template

from hazards.choices import HazardFollowUpKind
from tasks.choices import FollowUpKind

register = template.Library()
_FOLLOW_UP_LABELS = {**dict(FollowUpKind.choices), **dict(HazardFollowUpKind.choices)}


@register.filter
def rank_change(change) -> str:
    """Places gained since last month as an arrow: ↑2, ↓1, — (same) or 新 (not ranked last month)."""
    if change is None:
        return "新"
    if change > 0:
        return f"↑{change}"
    if change < 0:
        return f"↓{-change}"
    return "—"


@register.filter
def follow_up_kind(kind: str) -> str:
    """The label of a task or hazard follow-up kind stored in a report snapshot."""
    return _FOLLOW_UP_LABELS.get(kind, kind)
