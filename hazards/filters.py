import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from campaign.models import Unit
from campaign.selectors import campaign_units
from core.widgets import lean_choices, speed_up

from . import rules
from .choices import Channel, HazardState, Industry


class HazardFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(label="状态", choices=HazardState.choices)
    township = django_filters.ModelChoiceFilter(label="乡镇（街道）", queryset=Unit.objects.none(), empty_label="全部")
    industry = django_filters.ChoiceFilter(label="行业领域", choices=Industry.choices)
    supervisor = django_filters.ModelChoiceFilter(label="监管部门", queryset=Unit.objects.none(), empty_label="全部")
    channel = django_filters.ChoiceFilter(label="发现方式", choices=Channel.choices)
    listed = django_filters.ChoiceFilter(label="挂牌督办", choices=[("yes", "是"), ("no", "否")], method="by_listed")
    stock = django_filters.ChoiceFilter(label="存量/增量", choices=[("stock", "存量"), ("increment", "增量")],
                                        method="by_stock")
    overdue = django_filters.ChoiceFilter(label="逾期", choices=[("yes", "逾期未销号")], method="by_overdue")
    open = django_filters.ChoiceFilter(label="未销号", choices=[("yes", "未销号")], method="by_open")
    # The rules the statistics and the monthly score count by (hazards/rules.py), at ``as_of`` (default today): the
    # links behind those numbers. The list itself is the register as it stood then (HazardListView).
    closed = django_filters.ChoiceFilter(label="已销号", choices=[("yes", "已销号")], method="by_closed")
    due = django_filters.ChoiceFilter(label="到期", choices=[("yes", "整改期限已到")], method="by_due")
    on_time = django_filters.ChoiceFilter(label="按期销号", choices=[("yes", "按期销号")], method="by_on_time")
    as_of = django_filters.DateFilter(label="截至日期", method="by_as_of",
                                      widget=forms.DateInput(attrs={"type": "date"}))
    found_after = django_filters.DateFilter(label="发现日期起", field_name="found_on", lookup_expr="gte",
                                            widget=forms.DateInput(attrs={"type": "date"}))
    found_before = django_filters.DateFilter(label="发现日期止", field_name="found_on", lookup_expr="lte",
                                             widget=forms.DateInput(attrs={"type": "date"}))
    deadline_after = django_filters.DateFilter(label="整改期限起", field_name="deadline", lookup_expr="gte",
                                               widget=forms.DateInput(attrs={"type": "date"}))
    deadline_before = django_filters.DateFilter(label="整改期限止", field_name="deadline", lookup_expr="lte",
                                                widget=forms.DateInput(attrs={"type": "date"}))
    q = django_filters.CharFilter(label="搜索", method="by_text")

    def __init__(self, *args, campaign, on: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.on = on
        # Only what the options show: a province lists 2,000 units here.
        units = campaign_units(campaign).only("id", "name")
        self.filters["township"].queryset = units.filter(kind__in=["township", "zone"])
        self.filters["supervisor"].queryset = units.filter(kind="department")
        for field in self.form.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select form-select-sm" if select else "form-control form-control-sm"
        for name in ("township", "supervisor"):
            lean_choices(self.form.fields[name], "name")
        speed_up(self.form)

    def by_listed(self, queryset, name, value):
        return queryset.exclude(listed_level="") if value == "yes" else queryset.filter(listed_level="")

    def by_stock(self, queryset, name, value):
        return queryset.filter(stock=(value == "stock"))

    def by_overdue(self, queryset, name, value):
        return queryset.filter(overdue=True)

    def by_open(self, queryset, name, value):
        return queryset.filter(is_open=True)

    def by_closed(self, queryset, name, value):
        return queryset.filter(rules.closed_by(self.on))

    def by_due(self, queryset, name, value):
        return queryset.filter(rules.due_by(self.on))

    def by_on_time(self, queryset, name, value):
        return queryset.filter(rules.closed_on_time(self.on))

    def by_as_of(self, queryset, name, value):
        return queryset  # the view counts the whole list at this date (see as_of_date)

    def by_text(self, queryset, name, value):
        return queryset.filter(Q(enterprise__name__icontains=value) | Q(enterprise__credit_code=value.upper())
                               | Q(description__icontains=value))


def as_of_date(params) -> datetime.date:
    """The day a list counts at: ``?as_of=YYYY-MM-DD`` when it is a past day, else today."""
    today = timezone.localdate()
    try:
        day = datetime.date.fromisoformat((params.get("as_of") or "").strip())
    except ValueError:
        return today
    return min(day, today)
