import django_filters
from django import forms

from campaign import access, policy
from campaign.models import Plan, Unit

from .choices import STATUS_FILTER_CHOICES
from .selectors import tasks_matching


class TaskFilter(django_filters.FilterSet):
    """The plan page's filters: action line, unit, year, status and a text search."""

    action_line = django_filters.ModelChoiceFilter(label="行动", queryset=None, method="by_action_line")
    unit = django_filters.ModelChoiceFilter(label="责任单位", queryset=None, method="by_unit")
    year = django_filters.ChoiceFilter(label="年度", choices=(), method="by_year")
    status = django_filters.ChoiceFilter(label="状态", choices=STATUS_FILTER_CHOICES, method="by_status")
    q = django_filters.CharFilter(label="搜索", method="by_text")

    def __init__(self, data=None, queryset=None, *, plan: Plan, units, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["action_line"].queryset = plan.action_lines.all()
        self.filters["unit"].queryset = units
        self.filters["year"].extra["choices"] = [(y, f"{y}年") for y in plan.campaign.years]
        for field in self.form.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select form-select-sm" if select else "form-control form-control-sm"
        self.form.fields["q"].widget.attrs["placeholder"] = "任务内容或编号"

    def by_action_line(self, queryset, name, value):
        return tasks_matching(queryset, action_line=value)

    def by_unit(self, queryset, name, value):
        return tasks_matching(queryset, unit=value)

    def by_year(self, queryset, name, value):
        return tasks_matching(queryset, year=int(value))

    def by_status(self, queryset, name, value):
        return tasks_matching(queryset, status=value)

    def by_text(self, queryset, name, value):
        return tasks_matching(queryset, text=value.strip())


def units_for_filter(user, plan: Plan):
    """Only units that carry assignments in this plan, and for a liaison only its own."""
    units = Unit.objects.filter(assignments__task__plan=plan).distinct().order_by("kind", "sort_order", "code")
    if policy.allows(user, "everything.read"):
        return units
    return units.filter(pk=access.unit_of(user).pk)
