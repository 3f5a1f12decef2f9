import django_filters
from django import forms
from django.db.models import Q

from campaign.models import Unit
from core.widgets import lean_choices, speed_up

from .choices import Channel, HazardState, Industry


class HazardFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(label="状态", choices=HazardState.choices)
    township = django_filters.ModelChoiceFilter(label="乡镇（街道）", queryset=Unit.objects.none())
    industry = django_filters.ChoiceFilter(label="行业领域", choices=Industry.choices)
    supervisor = django_filters.ModelChoiceFilter(label="监管部门", queryset=Unit.objects.none())
    channel = django_filters.ChoiceFilter(label="发现方式", choices=Channel.choices)
    listed = django_filters.ChoiceFilter(label="挂牌督办", choices=[("yes", "是"), ("no", "否")], method="by_listed")
    stock = django_filters.ChoiceFilter(label="存量/增量", choices=[("stock", "存量"), ("increment", "增量")],
                                        method="by_stock")
    overdue = django_filters.ChoiceFilter(label="逾期", choices=[("yes", "逾期未销号")], method="by_overdue")
    open = django_filters.ChoiceFilter(label="未销号", choices=[("yes", "未销号")], method="by_open")
    found_after = django_filters.DateFilter(label="发现日期起", field_name="found_on", lookup_expr="gte",
                                            widget=forms.DateInput(attrs={"type": "date"}))
    found_before = django_filters.DateFilter(label="发现日期止", field_name="found_on", lookup_expr="lte",
                                             widget=forms.DateInput(attrs={"type": "date"}))
    deadline_after = django_filters.DateFilter(label="整改期限起", field_name="deadline", lookup_expr="gte",
                                               widget=forms.DateInput(attrs={"type": "date"}))
    deadline_before = django_filters.DateFilter(label="整改期限止", field_name="deadline", lookup_expr="lte",
                                                widget=forms.DateInput(attrs={"type": "date"}))
    q = django_filters.CharFilter(label="搜索", method="by_text")

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        # Only what the options show: a province lists 2,000 units here.
        units = Unit.objects.filter(parent=campaign.office).order_by("sort_order", "code").only("id", "name")
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
        return queryset.exclude(state="closed")

    def by_text(self, queryset, name, value):
        return queryset.filter(Q(enterprise__name__icontains=value) | Q(enterprise__credit_code=value.upper())
                               | Q(description__icontains=value))
