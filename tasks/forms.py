import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone

from campaign import policy
from campaign.models import KeyTask, Plan, unit_tree
from core.attachments import check_attachment
from core.forms import BootstrapMixin, MultipleFileField

from .access import tasks_in_plan
from .choices import ReportedStatus
from .models import FollowUp, Milestone, QuantifiedTarget, TargetYearValue, Task, campaign_period_error
from .selectors import task_version


class TaskForm(BootstrapMixin, forms.ModelForm):
    # The task as it stood when the form was opened (tasks.selectors.task_version) and when: a save over a
    # colleague's later change is refused (TaskEditMixin), never made silently.
    version = forms.CharField(widget=forms.HiddenInput, required=False)
    opened_at = forms.DateTimeField(widget=forms.HiddenInput, required=False)

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

    def __init__(self, *args, plan: Plan, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        if self.instance.pk and not self.is_bound:
            self.initial.update(version=task_version(self.instance), opened_at=timezone.now())
        # A liaison's sub-plan binds only its own unit: it leads its own tasks, names other units as cooperating
        # only where the office allows it, and links to the master tasks it can see (access.py: the office decides
        # everyone else's work and score).
        self.own_unit_only = not policy.allows(user, "office.work")
        self.fields["action_line"].queryset = plan.action_lines.all()
        self.fields["key_task"].queryset = KeyTask.objects.filter(action_line__plan=plan).select_related("action_line")
        # The campaign office's own units: not another county's, nor a whole country's in one list.
        units = unit_tree(plan.campaign.office, own=True).filter(is_active=True).order_by("kind", "sort_order", "code")
        self.fields["lead_units"].queryset = units
        self.fields["cooperating_units"].queryset = units
        if self.own_unit_only:
            # Units the office already gave the task stay choosable: the liaison may keep them, not add others.
            given = self.instance.pk and [*self.instance.lead_units.values_list("pk", flat=True),
                                          *self.instance.cooperating_units.values_list("pk", flat=True)]
            own = units.filter(Q(pk=plan.unit_id) | Q(pk__in=given or []))
            self.fields["lead_units"].queryset = own
            self.fields["lead_units"].help_text = "子方案的牵头单位为本单位"
            if not plan.campaign.sub_plans_name_cooperating_units:
                self.fields["cooperating_units"].queryset = own
                self.fields["cooperating_units"].help_text = "安办未开放在子方案中指定其他配合单位"
        if plan.is_master:
            del self.fields["master_task"]
        else:
            master = plan.campaign.plans.filter(kind="master").first()
            tasks = Task.objects.none() if master is None else (
                tasks_in_plan(user, master) if self.own_unit_only else master.tasks.all())
            self.fields["master_task"].queryset = tasks

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
    def __init__(self, *args, campaign, earliest: datetime.date | None = None, **kwargs):
        """``earliest``: no new or moved deadline before this day (a liaison may not date its own work in the past,
        which would count as overdue against whoever it names)."""
        self.campaign, self.earliest = campaign, earliest
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
            elif self.earliest and due < self.earliest and (not form.instance.pk or "due_date" in form.changed_data):
                form.add_error("due_date", f"完成时限不能早于今天（{self.earliest:%Y-%m-%d}）。")
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


# ---- monthly progress ---------------------------------------------------------------------------


class ReportRowForm(forms.Form):
    """One assignment's row on the monthly entry page; target value fields are added per target."""

    reported_status = forms.ChoiceField(
        label="完成情况", choices=ReportedStatus.choices, initial=ReportedStatus.IN_PROGRESS, required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    progress = forms.CharField(
        label="进展情况", required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
    )
    problems = forms.CharField(
        label="存在问题", required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 1, "class": "form-control form-control-sm"}),
    )
    next_steps = forms.CharField(
        label="下步计划", required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 1, "class": "form-control form-control-sm"}),
    )
    files = MultipleFileField(label="附件")

    def __init__(self, *args, assignment, targets=(), report=None, **kwargs):
        initial = {}
        if report is not None:
            initial = {
                "reported_status": report.reported_status, "progress": report.progress,
                "problems": report.problems, "next_steps": report.next_steps,
            }
            for value in report.values.all():
                initial[f"t{value.target_id}"] = value.value
        super().__init__(*args, initial=initial, **kwargs)
        self.assignment, self.report, self.targets = assignment, report, list(targets)
        for target in self.targets:
            self.fields[f"t{target.pk}"] = forms.DecimalField(
                label=f"{target.metric}（{target.measure_unit}）", required=False, min_value=Decimal(0),
                max_digits=14, decimal_places=2,
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "any"}),
            )

    def clean_reported_status(self):
        return self.cleaned_data.get("reported_status") or ReportedStatus.IN_PROGRESS

    def target_fields(self):
        return [self[f"t{t.pk}"] for t in self.targets]

    def values(self) -> dict[int, Decimal]:
        return {
            t.pk: self.cleaned_data[f"t{t.pk}"] for t in self.targets if self.cleaned_data.get(f"t{t.pk}") is not None
        }

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        for upload in files:
            check_attachment(upload)
        return files


class ReturnForm(forms.Form):
    # The reason shares a form with the accept button; a browser-required field would block accepting.
    use_required_attribute = False

    reason = forms.CharField(
        label="退回原因", max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control", "placeholder": "请写明需要补充或修改的内容"}),
        error_messages={"required": "退回时请填写退回原因，便于填报单位修改。"},
    )


class ExtensionForm(forms.Form):
    requested_due = forms.DateField(
        label="申请延至", widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
        error_messages={
            "required": "请选择申请延至的日期。", "invalid": "日期格式不正确，请按 2025-06-30 的格式填写。"
        },
    )
    reason = forms.CharField(
        label="延期理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        error_messages={"required": "请填写延期理由。"},
    )


class DecisionForm(forms.Form):
    note = forms.CharField(
        label="审批意见", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 1, "class": "form-control form-control-sm"}),
    )


class FollowUpForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["kind", "number", "content", "respond_by"]
        widgets = {
            "content": forms.Textarea(attrs={"rows": 3}),
            "respond_by": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {"number": "督办单的文号，如“微安办督〔2025〕3号”"}
