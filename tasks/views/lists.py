"""二清单一台账 pages; each also downloads as .xlsx with ?export=xlsx."""

from __future__ import annotations

from django import forms
from django.http import Http404
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property
from django.views.generic import TemplateView

from campaign import access, policy
from campaign.choices import RANKING_GROUPS
from campaign.mixins import CampaignContentMixin, CampaignMixin
from campaign.models import ActionLine, Unit
from campaign.selectors import campaign_units
from core.widgets import lean_choices, speed_up
from core.xlsx import xlsx_response
from tasks import access as task_access

from .. import rules as task_rules
from ..choices import STATUS_FILTER_CHOICES
from ..lists import Ledger, ProblemList, TaskList, task_list_models
from ..rules import RULES
from ..selectors import filter_by_status, with_status


def action_line_label(number, title) -> str:
    return f"{number}. {title}"


class ListFilterForm(forms.Form):
    unit = forms.ModelChoiceField(label="责任单位", queryset=Unit.objects.none(), required=False,
                                  to_field_name="code", empty_label="全部")
    action_line = forms.ModelChoiceField(label="行动", queryset=ActionLine.objects.none(), required=False,
                                         empty_label="全部")
    status = forms.ChoiceField(label="状态", choices=[("", "全部")] + STATUS_FILTER_CHOICES, required=False)
    year = forms.TypedChoiceField(label="年度", choices=(), required=False, coerce=int, empty_value=None)
    q = forms.CharField(label="搜索", required=False, max_length=100)
    # The rules the pages count by (tasks/rules.py), at a day: the lists behind the numbers of the home page, the
    # scoreboard and the dispatch report. With ``as_of`` the list is the plan as it stood at the end of that day.
    rule = forms.ChoiceField(label="口径", choices=[("", "全部")] + [(k, label) for k, (label, _) in RULES.items()],
                             required=False)
    as_of = forms.DateField(label="截至日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, campaign, user, fields=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The campaign's departments, townships and zones (the units under its office), with only the fields the
        # options show: finding the units that carry assignments reads all of a province's 100,000 of them.
        units = campaign_units(campaign, RANKING_GROUPS).order_by("kind", "sort_order", "code").only(
            "id", "code", "name")
        if not policy.allows(user, "everything.read"):
            units = units.filter(pk=access.unit_of(user).pk)
        self.fields["unit"].queryset = units
        self.fields["action_line"].queryset = ActionLine.objects.filter(plan__campaign=campaign).select_related("plan")
        self.fields["year"].choices = [("", "全部")] + [(y, f"{y}年") for y in campaign.years]
        for name in list(self.fields):
            if fields is not None and name not in fields:
                del self.fields[name]
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select form-select-sm" if select else "form-control form-control-sm"
        if "unit" in self.fields:
            lean_choices(self.fields["unit"], "name")
        if "action_line" in self.fields:
            lean_choices(self.fields["action_line"], "number", "title", label=action_line_label)
        speed_up(self)

    def clean_as_of(self):
        day = self.cleaned_data.get("as_of")
        if day is not None and day > timezone.localdate():
            raise forms.ValidationError("截至日期不能晚于今天。")
        return day

    @property
    def on(self):
        """The day the list counts at: ``as_of`` when given, else today."""
        return (self.cleaned_data.get("as_of") if self.is_bound and self.is_valid() else None) or timezone.localdate()

    def apply(self, assignments):
        """``assignments`` (withdrawn ones included) narrowed to those in force at the list's day, then filtered."""
        if not self.is_valid():
            return task_rules.standing(assignments, timezone.localdate())
        data = self.cleaned_data
        on = self.on
        assignments = task_rules.standing(assignments, on)
        if data.get("rule"):
            assignments = assignments.filter(RULES[data["rule"]][1](on))
        if data.get("unit"):
            assignments = assignments.filter(unit=data["unit"])
        if data.get("action_line"):
            assignments = assignments.filter(task__action_line=data["action_line"])
        if data.get("year"):
            assignments = assignments.filter(due_date__year=data["year"])
        if data.get("q"):
            assignments = assignments.filter(task__text__icontains=data["q"])
        if data.get("status"):
            assignments = filter_by_status(with_status(assignments), data["status"])
        return assignments


class BaseListView(CampaignMixin, TemplateView):
    filter_fields: list[str] | None = None

    def filtered_assignments(self):
        user = self.request.user
        self.filter_form = ListFilterForm(self.request.GET or None, campaign=self.campaign, user=user,
                                          fields=self.filter_fields)
        if self.filter_form.is_bound and not self.filter_form.is_valid() and "unit" in self.filter_form.errors:
            raise Http404("没有找到该单位，或您无权查看。")
        return self.filter_form.apply(task_access.visible_assignments(user, self.campaign, withdrawn=True))

    def export_name(self, title: str) -> str:
        return f"{self.campaign.name}-{title}-{timezone.localdate():%Y%m%d}.xlsx"

    @cached_property
    def assignments(self):
        """The filtered assignments, built once, on first use."""
        return self.filtered_assignments()

    def get_context_data(self, **kwargs):
        # Built on first use: a page served from the cache does not need the form at all.
        kwargs["filter_form"] = SimpleLazyObject(lambda: (self.assignments, self.filter_form)[1])
        kwargs["export_query"] = self.request.GET.copy()
        kwargs["export_query"]["export"] = "xlsx"
        return super().get_context_data(**kwargs)


class TaskListView(CampaignContentMixin, BaseListView):
    """The task list; its rendered rows are kept until an assignment, task, milestone, report, unit or action line
    changes, or the day does (statuses change at midnight); the total is kept for every page of a filter."""

    template_name = "tasks/list_tasks.html"
    content_template_name = "tasks/_list_tasks_content.html"
    report = TaskList()
    shows = task_list_models()

    def varies_on(self) -> tuple:
        return (timezone.localdate(),)

    def get(self, request, *args, **kwargs):
        if request.GET:
            _ = self.assignments  # a filter is checked at once: another unit's code answers 404 even when kept
        if request.GET.get("export") == "xlsx":
            rows = self.report.queryset(self.assignments)
            return xlsx_response(self.export_name(self.report.title), [self.report.sheet(rows)])
        return super().get(request, *args, **kwargs)

    def get_content_data(self) -> dict:
        count = lambda compute: self.kept("count", compute)  # noqa: E731
        form = (self.assignments, self.filter_form)[1]
        data = form.cleaned_data if form.is_bound and form.is_valid() else {}
        page = self.report.page(self.assignments, self.request.GET.get("page"), count=count, on=data.get("as_of"))
        return {"page": page, "report": self.report, "as_of": data.get("as_of"),
                "rule_label": RULES[data["rule"]][0] if data.get("rule") else ""}


class ProblemListView(BaseListView):
    template_name = "tasks/list_problems.html"
    report = ProblemList()
    filter_fields = ["unit", "action_line", "q"]

    def get(self, request, *args, **kwargs):
        everything = self.report.problems(self.filtered_assignments())
        kind = request.GET.get("kind") if request.GET.get("kind") in self.report.KINDS else ""
        problems = [p for p in everything if not kind or p.kind == kind]
        if request.GET.get("export") == "xlsx":
            return xlsx_response(self.export_name(self.report.title), [self.report.sheet(problems)])
        counts = {k: 0 for k in self.report.KINDS}
        for p in everything:
            counts[p.kind] += 1
        return self.render_to_response(
            self.get_context_data(problems=problems, counts=counts, kind=kind, report=self.report)
        )


class LedgerView(BaseListView):
    template_name = "tasks/list_ledger.html"
    report = Ledger()
    filter_fields = ["unit", "action_line", "q"]

    def get(self, request, *args, **kwargs):
        years = self.campaign.years
        try:
            year = int(request.GET.get("ledger_year", ""))
        except ValueError:
            year = min(max(timezone.localdate().year, years[0]), years[-1])
        if year not in years:
            year = years[-1]
        rows = self.report.rows(self.filtered_assignments(), year)
        if request.GET.get("export") == "xlsx":
            return xlsx_response(self.export_name(f"{self.report.title}{year}"), [self.report.sheet(rows, year)])
        return self.render_to_response(
            self.get_context_data(rows=rows, year=year, years=years, report=self.report,
                                  month_labels=[f"{m}月" for m in range(1, 13)])
        )
