from django import template
from django.utils import timezone

from core.formats import fmt_number

register = template.Library()

LIGHT_CLASS = {"green": "success", "yellow": "warning", "red": "danger"}


@register.filter
def light_class(light: str) -> str:
    return LIGHT_CLASS.get(light, "secondary")


@register.filter
def days_phrase(assignment) -> str:
    """"剩余 5 天" / "今日到期" / "逾期 3 天" / "已完成" for an annotated assignment."""
    if assignment.completed_on:
        late = (assignment.completed_on - assignment.due_date).days
        return f"逾期 {late} 天完成" if late > 0 else "按期完成"
    days = (assignment.due_date - timezone.localdate()).days
    if days > 0:
        return f"剩余 {days} 天"
    if days == 0:
        return "今日到期"
    return f"逾期 {-days} 天"


@register.filter
def number(value) -> str:
    return "" if value is None else fmt_number(value)


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (for filter links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


@register.simple_tag(takes_context=True)
def query_param(context, name: str, value) -> str:
    """The current query string with one parameter, whose name is itself a variable, replaced."""
    params = context["request"].GET.copy()
    params[name] = value
    return params.urlencode()


@register.filter
def person(user) -> str:
    """A user's name as shown on pages; "系统" for records no person made (imports, the demo)."""
    if user is None:
        return "系统"
    return user.get_full_name() or user.username


@register.simple_tag
def stat_link(base: str, filters: dict, **extra) -> str:
    """The list URL behind a statistics cell: the column's filters plus the row's."""
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for key, value in {**filters, **extra}.items():
        if value not in (None, ""):
            query[key] = value
    return f"{base}?{query.urlencode()}"


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def pct_text(value) -> str:
    """A percentage already worked out (a report summary's "87.5") with its sign; ``None`` (nothing to count) → "—"."""
    return "—" if value is None or value == "" else f"{value}%"


@register.filter
def percent(ratio) -> str:
    """A stored ratio (0–1) as a percentage with one decimal: 0.875 → "87.5%"; nothing to count (``None``) → "—"."""
    if ratio is None or ratio == "":
        return "—"
    from decimal import ROUND_HALF_UP, Decimal

    return f"{(Decimal(ratio) * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


@register.simple_tag
def count_link(count, href, css="", allowed=True):
    """A number that promises a list: a link marked ``data-count`` (the link-count test follows every one and
    compares with the list's ``data-total``), or plain text for a viewer who may not open that list."""
    from django.utils.html import format_html

    if not allowed:
        return format_html('<span class="{}">{}</span>', css, count)
    return format_html('<a class="{}" href="{}" data-count="{}">{}</a>', css, href, count, count)
