from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory

from campaign.forms import BootstrapMixin
from campaign.models import KeyTask, Plan, Unit

from .models import Milestone, QuantifiedTarget, TargetYearValue, Task, campaign_period_error


class TaskForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Task
        fields = [
            "code", "position", "action_line", "key_task", "text", "lead_units", "cooperating_units", "master_task",
        ]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 5}),
            "lead_units": forms.SelectMultiple(attrs={"size": 8}),
            "cooperating_units": forms.SelectMultiple(attrs={"size": 8}),
        }
        help_texts = {"lead_units": "可多选（按住 Ctrl 或 ⌘）", "cooperating_units": "可多选（按住 Ctrl 或 ⌘）"}

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        self.fields["action_line"].queryset = plan.action_lines.all()
        self.fields["key_task"].queryset = KeyTask.objects.filter(action_line__plan=plan).select_related("action_line")
        units = Unit.objects.filter(is_active=True).order_by("kind", "sort_order", "code")
        self.fields["lead_units"].queryset = units
        self.fields["cooperating_units"].queryset = units
        if plan.is_master:
            del self.fields["master_task"]
        else:
            master = plan.campaign.plans.filter(kind="master").first()
            self.fields["master_task"].queryset = master.tasks.all() if master else Task.objects.none()

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        plan = self.instance.plan
        if Task.objects.filter(plan=plan, code=code).exclude(pk=self.instance.pk).exists():
            raise ValidationError(f"本方案中已有编号为“{code}”的任务，任务编号在同一方案内不能重复。")
        return code

    def clean(self):
        data = super().clean()
        lead, coop = set(data.get("lead_units") or []), set(data.get("cooperating_units") or [])
        if not lead:
            self.add_error("lead_units", "请至少选择一个牵头单位。")
        both = lead & coop
        if both:
            names = "、".join(sorted(u.name for u in both))
            self.add_error("cooperating_units", f"{names} 已是牵头单位，不必再列为配合单位。")
        key_task, line = data.get("key_task"), data.get("action_line")
        if key_task and line and key_task.action_line_id != line.pk:
            self.add_error("key_task", "所选重点工作不属于所选行动。")
        if key_task and not line:
            data["action_line"] = key_task.action_line
        return data


class MilestoneForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["due_date", "text"]
        widgets = {
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "text": forms.Textarea(attrs={"rows": 2}),
        }


class BaseMilestoneFormSet(BaseInlineFormSet):
    def __init__(self, *args, campaign, **kwargs):
        self.campaign = campaign
        super().__init__(*args, **kwargs)

    def clean(self):
        super().clean()
        kept = 0
        for form in self.forms:
            if not getattr(form, "cleaned_data", None) or form.cleaned_data.get("DELETE"):
                continue
            due = form.cleaned_data.get("due_date")
            if due is None:
                continue
            kept += 1
            if not self.campaign.contains(due):
                form.add_error(
                    "due_date",
                    campaign_period_error(self.campaign),
                )
        if kept == 0:
            raise ValidationError("每项任务至少需要一个时间节点。")


MilestoneFormSet = inlineformset_factory(
    Task, Milestone, form=MilestoneForm, formset=BaseMilestoneFormSet, extra=1, can_delete=True
)


class TargetForm(BootstrapMixin, forms.ModelForm):
    """A quantified target with one value field per campaign year."""

    class Meta:
        model = QuantifiedTarget
        fields = ["metric", "measure_unit", "comparator", "baseline"]

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.years = years
        existing = {v.year: v.value for v in self.instance.year_values.all()} if self.instance.pk else {}
        for year in years:
            self.fields[f"value_{year}"] = forms.DecimalField(
                label=f"{year}年目标值", required=False, min_value=Decimal(0), max_digits=14, decimal_places=2,
                initial=existing.get(year), widget=forms.NumberInput(attrs={"class": "form-control", "step": "any"}),
            )

    def year_values(self) -> dict[int, Decimal]:
        values = {y: self.cleaned_data.get(f"value_{y}") for y in self.years}
        return {year: value for year, value in values.items() if value is not None}

    def clean(self):
        data = super().clean()
        if data.get("metric") and not data.get("DELETE") and not self.year_values():
            raise ValidationError("请至少填写一个年度的目标值。")
        return data


class BaseTargetFormSet(BaseInlineFormSet):
    def __init__(self, *args, years, **kwargs):
        self.years = years
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        kwargs["years"] = self.years
        return kwargs

    def save_year_values(self):
        deleted = set(map(id, self.deleted_forms))
        for form in self.forms:
            if id(form) in deleted or not form.instance.pk or not form.cleaned_data.get("metric"):
                continue
            values = form.year_values()
            form.instance.year_values.exclude(year__in=values).delete()
            for year, value in values.items():
                TargetYearValue.objects.update_or_create(target=form.instance, year=year, defaults={"value": value})


TargetFormSet = inlineformset_factory(
    Task, QuantifiedTarget, form=TargetForm, formset=BaseTargetFormSet, extra=1, can_delete=True
)
