"""Data for the scoreboard's trend charts, embedded in the page (ECharts draws it from static/js)."""

from __future__ import annotations

from campaign.models import Campaign

from .models import Group, MonthlyReport, UnitScore
from .selectors import trend_reports

# A chart with more lines than this is unreadable: show the top and bottom of the group instead.
MAX_LINES = 20


def _chosen_units(report: MonthlyReport) -> dict[str, list[tuple[int, str]]]:
    chosen: dict[str, list[tuple[int, str]]] = {}
    half = MAX_LINES // 2
    for group in Group.values:
        scores = report.scores.filter(group=group)
        scores = scores.filter(rank__isnull=False)  # a unit with nothing rated has no score to draw
        order = ("rank", "sort_order", "unit_code")
        # The top and the bottom of the group, not all of a province's units (two queries whatever its size).
        top = list(scores.order_by(*order).values_list("unit_id", "unit_name")[:MAX_LINES + 1])
        bottom = list(scores.order_by(*(f"-{name}" for name in order)).values_list("unit_id", "unit_name")[:half])
        chosen[group] = top[:half] + bottom[::-1] if len(top) > MAX_LINES else top
    return chosen


def scoreboard_data(user, campaign: Campaign, report: MonthlyReport, months=None) -> dict:
    """Months up to the report's, with per-unit scores, completion, reporting and hazard stock."""
    reports = trend_reports(user, campaign, report.month, months)
    months = [f"{r.month:%Y-%m}" for r in reports]
    index = {r.pk: i for i, r in enumerate(reports)}
    headlines = dict(MonthlyReport.objects.filter(pk__in=index).values_list("pk", "summary__headline"))
    reporting = dict(MonthlyReport.objects.filter(pk__in=index).values_list("pk", "summary__reporting"))

    def series(getter):
        values = [None] * len(reports)
        for pk, i in index.items():
            values[i] = getter(headlines.get(pk) or {}, reporting.get(pk) or {})
        return values

    chosen = _chosen_units(report)
    unit_ids = [unit_id for members in chosen.values() for unit_id, _ in members]
    scores: dict[int, list] = {unit_id: [None] * len(reports) for unit_id in unit_ids}
    for report_id, unit_id, score in UnitScore.objects.filter(report__in=list(index), unit_id__in=unit_ids) \
            .values_list("report_id", "unit_id", "score"):
        scores[unit_id][index[report_id]] = None if score is None else float(score)  # a gap: 本月无考核事项

    def pct(part, whole):
        return round(100 * part / whole, 1) if whole else None  # nothing to count: a gap, not 100%

    def number(text):
        return None if text in (None, "") else float(text)

    return {
        "months": months,
        "groups": [
            {"label": Group(group).label, "units": [{"name": name, "scores": scores[unit_id]}
                                                   for unit_id, name in members]}
            for group, members in chosen.items()
        ],
        "on_time_pct": series(lambda h, r: number(h.get("task_on_time_pct"))),
        "completion_pct": series(lambda h, r: number(h.get("task_completion_pct"))),
        "reporting_pct": series(lambda h, r: pct(r.get("on_time", 0), r.get("required", 0)) if r else None),
        "stock_left": series(lambda h, r: h.get("hazards", {}).get("stock_left") if h else None),
        "increment_left": series(lambda h, r: h.get("hazards", {}).get("increment_left") if h else None),
        "found_in_month": series(lambda h, r: h.get("hazards", {}).get("found_in_month") if h else None),
    }
