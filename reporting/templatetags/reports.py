"""Filters of the report pages (ranking, dispatch report)."""

from urllib.parse import urlencode

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


@register.filter
def not_rated(score, component: str) -> str:
    """Why a unit's component is 不参评 this month (shown on its "—")."""
    return score.not_rated_reason(component)


@register.filter
def task_query(score, day: str) -> str:
    """The task list of this unit's assignments as they stood on ``day`` (the rule is added after it)."""
    return "?" + urlencode({"unit": score.unit_code, "as_of": day})


@register.filter
def hazard_query(score, day: str) -> str:
    """The register of this unit's remit (located in a township, supervised by a department) as it stood on ``day``."""
    return "?" + urlencode({score.remit: score.unit_id, "as_of": day})


@register.filter
def opens_lists_of(score, viewer) -> bool:
    """Whether the viewer may open this unit's lists: everyone who reads everything, and a unit its own."""
    reads_all, own_unit_id = viewer
    return bool(reads_all) or score.unit_id == own_unit_id
