from django import forms

from core.forms import BootstrapMixin, VersionedFormMixin

from . import access
from .choices import PlanKind, UnitKind
from .models import ActionLine, Campaign, KeyTask, Plan, Unit, unit_chain_ids, unit_tree


class UnitForm(VersionedFormMixin, BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["code", "name", "short_name", "aliases", "kind", "parent", "sort_order", "is_active"]
        widgets = {"aliases": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:  # a unit goes under a unit of the office's own jurisdiction
            parents = access.units_in_jurisdiction(user).order_by("kind", "sort_order", "code")
            self.fields["parent"].queryset = parents.exclude(pk=self.instance.pk) if self.instance.pk else parents
            # A new unit must hang in the tree, or the office could no longer see it.
            self.fields["parent"].required = self.instance.pk is None and not user.is_superuser


class CampaignForm(VersionedFormMixin, BootstrapMixin, forms.ModelForm):
    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and access.unit_of(user) is not None:
            # An office runs (and maintains) only its own unit's campaigns; a parent campaign is one of a unit above.
            unit = access.unit_of(user)
            self.fields["office"].queryset = Unit.objects.filter(pk=unit.pk)
            self.fields["parent"].queryset = Campaign.objects.filter(office_id__in=unit_chain_ids(unit.pk)[1:])

    class Meta:
        model = Campaign
        fields = [
            "slug", "name", "office", "parent", "start_date", "end_date", "baseline_date", "report_deadline_day",
            "weight_on_time", "weight_reporting", "weight_targets", "weight_hazards",
            "penalty_per_hazard", "penalty_cap", "sub_plans_name_cooperating_units", "is_active",
        ]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "baseline_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class PlanForm(VersionedFormMixin, BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["unit", "kind", "title"]

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.campaign = campaign
        self.fields["unit"].queryset = unit_tree(campaign.office, own=True).filter(is_active=True)

    def clean(self):
        data = super().clean()
        campaign = self.instance.campaign
        if data.get("kind") == PlanKind.MASTER:
            others = campaign.plans.filter(kind=PlanKind.MASTER).exclude(pk=self.instance.pk)
            if others.exists():
                self.add_error("kind", "本三年行动已有总方案，其他方案请选择“子方案”。")
            unit = data.get("unit")
            if unit and unit.kind != UnitKind.OFFICE:
                self.add_error("unit", "总方案应由安委会办公室编制。")
        unit = data.get("unit")
        if unit and campaign.plans.filter(unit=unit).exclude(pk=self.instance.pk).exists():
            self.add_error("unit", "该单位在本三年行动中已有方案。")
        return data


class ActionLineForm(VersionedFormMixin, BootstrapMixin, forms.ModelForm):
    class Meta:
        model = ActionLine
        fields = ["number", "title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan


class KeyTaskForm(VersionedFormMixin, BootstrapMixin, forms.ModelForm):
    class Meta:
        model = KeyTask
        fields = ["action_line", "number", "title"]

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action_line"].queryset = plan.action_lines.all()
