from django.contrib import messages
from django.db.models import Count, ProtectedError, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils.functional import cached_property
from django.views.generic import CreateView, DeleteView, ListView, TemplateView, UpdateView

from . import access
from .forms import ActionLineForm, CampaignForm, KeyTaskForm, PlanForm, UnitForm
from .mixins import CampaignMixin, MemberRequiredMixin, OfficeRequiredMixin
from .models import ActionLine, Campaign, KeyTask, Plan, Unit


class HomeView(MemberRequiredMixin, TemplateView):
    template_name = "campaign/home.html"

    def get(self, request, *args, **kwargs):
        campaigns = list(access.visible_campaigns(request.user).filter(is_active=True))
        if len(campaigns) == 1:
            return redirect("campaign-detail", slug=campaigns[0].slug)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs["campaigns"] = access.visible_campaigns(self.request.user)
        return super().get_context_data(**kwargs)


# ---- maintenance pages for the office -------------------------------------------------------


class ManageFormMixin(OfficeRequiredMixin):
    template_name = "campaign/manage_form.html"
    page_title = ""
    saved_message = "已保存。"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("page_title", self.page_title)
        kwargs.setdefault("cancel_url", str(self.success_url) if self.success_url else self.get_success_url())
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, self.saved_message)
        return response


class ManageDeleteMixin(OfficeRequiredMixin):
    """Delete with a confirmation page; an object still in use is kept with a clear message."""

    template_name = "campaign/manage_confirm_delete.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("cancel_url", self.get_success_url())
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            self.object.delete()
        except ProtectedError:
            messages.error(self.request, f"“{self.object}”仍被其他数据引用，无法删除。可改为停用或先调整引用它的数据。")
            return HttpResponseRedirect(self.get_success_url())
        messages.success(self.request, f"已删除“{self.object}”。")
        return HttpResponseRedirect(self.get_success_url())


class UnitListView(OfficeRequiredMixin, ListView):
    template_name = "campaign/unit_list.html"
    context_object_name = "units"

    def get_queryset(self):
        units = access.units_in_jurisdiction(self.request.user).select_related("parent").order_by(
            "parent_id", "kind", "sort_order", "code")
        query = self.request.GET.get("q", "").strip()
        if query:
            units = units.filter(Q(name__icontains=query) | Q(short_name__icontains=query) | Q(code__icontains=query))
        return units

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tree"] = _unit_tree(list(context["units"]))
        context["q"] = self.request.GET.get("q", "")
        return context


def _unit_tree(units: list[Unit]) -> list[tuple[int, Unit]]:
    """Depth-first order with depth, for an indented list; orphans of a filtered list stay at top level."""
    ids = {u.pk for u in units}
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        parent = unit.parent_id if unit.parent_id in ids else None
        children.setdefault(parent, []).append(unit)
    ordered: list[tuple[int, Unit]] = []
    stack = [(0, u) for u in reversed(children.get(None, []))]
    while stack:
        depth, unit = stack.pop()
        ordered.append((depth, unit))
        stack.extend((depth + 1, child) for child in reversed(children.get(unit.pk, [])))
    return ordered


class JurisdictionFormMixin:
    """An office maintains the units of its own jurisdiction (its unit and those below); a unit outside answers
    404, and the forms offer only units inside."""

    def get_queryset(self):
        return access.units_in_jurisdiction(self.request.user)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs


class UnitCreateView(JurisdictionFormMixin, ManageFormMixin, CreateView):
    model = Unit
    form_class = UnitForm
    page_title = "新增单位"
    success_url = reverse_lazy("unit-list")


class UnitUpdateView(JurisdictionFormMixin, ManageFormMixin, UpdateView):
    model = Unit
    form_class = UnitForm
    page_title = "编辑单位"
    success_url = reverse_lazy("unit-list")


class UnitDeleteView(ManageDeleteMixin, DeleteView):
    model = Unit
    success_url = reverse_lazy("unit-list")

    def get_queryset(self):
        return access.units_in_jurisdiction(self.request.user)


class CampaignCreateView(JurisdictionFormMixin, ManageFormMixin, CreateView):
    model = Campaign
    form_class = CampaignForm
    page_title = "新建三年行动"

    def get_success_url(self):
        return reverse("campaign-detail", args=[self.object.slug]) if self.object else reverse("home")


class CampaignUpdateView(CampaignMixin, JurisdictionFormMixin, ManageFormMixin, UpdateView):
    """Only the office of the unit running the campaign changes its settings (an office above reads it: 403;
    outside the jurisdiction: 404, from CampaignMixin)."""

    model = Campaign
    form_class = CampaignForm
    page_title = "三年行动设置"

    def get_object(self, queryset=None):
        return Campaign.objects.get(pk=self.campaign.pk)  # a fresh row to edit, not the kept one

    def get_success_url(self):
        return reverse("campaign-detail", args=[self.object.slug])


class CampaignScopedManageMixin(CampaignMixin):
    """Maintenance pages inside one campaign."""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(self.form_scope())
        return kwargs

    def form_scope(self) -> dict:
        return {}


class PlanCreateView(CampaignScopedManageMixin, ManageFormMixin, CreateView):
    model = Plan
    form_class = PlanForm
    page_title = "新增方案"

    def form_scope(self):
        return {"campaign": self.campaign}

    def get_success_url(self):
        if self.object:
            return reverse("plan-tree", args=[self.campaign.slug, self.object.unit.code])
        return reverse("campaign-detail", args=[self.campaign.slug])


class PlanScopedMixin(CampaignScopedManageMixin):
    @cached_property
    def plan(self) -> Plan:
        return get_object_or_404(Plan, campaign=self.campaign, unit__code=self.kwargs["unit_code"])

    def get_success_url(self):
        return reverse("plan-tree", args=[self.campaign.slug, self.plan.unit.code])

    def get_context_data(self, **kwargs):
        kwargs.setdefault("plan", self.plan)
        return super().get_context_data(**kwargs)


class PlanUpdateView(PlanScopedMixin, ManageFormMixin, UpdateView):
    form_class = PlanForm
    page_title = "编辑方案"

    def get_object(self, queryset=None):
        return self.plan

    def form_scope(self):
        return {"campaign": self.campaign}

    def get_success_url(self):
        return reverse("plan-tree", args=[self.campaign.slug, self.object.unit.code])


class PlanDeleteView(PlanScopedMixin, ManageDeleteMixin, DeleteView):
    def get_object(self, queryset=None):
        return self.plan

    def get_success_url(self):
        return reverse("campaign-detail", args=[self.campaign.slug])


class ActionLineCreateView(PlanScopedMixin, ManageFormMixin, CreateView):
    model = ActionLine
    form_class = ActionLineForm
    page_title = "新增行动"

    def form_scope(self):
        return {"plan": self.plan}


class ActionLineUpdateView(PlanScopedMixin, ManageFormMixin, UpdateView):
    form_class = ActionLineForm
    page_title = "编辑行动"

    def get_queryset(self):
        return ActionLine.objects.filter(plan=self.plan)

    def form_scope(self):
        return {"plan": self.plan}


class ActionLineDeleteView(PlanScopedMixin, ManageDeleteMixin, DeleteView):
    def get_queryset(self):
        return ActionLine.objects.filter(plan=self.plan)


class KeyTaskCreateView(PlanScopedMixin, ManageFormMixin, CreateView):
    model = KeyTask
    form_class = KeyTaskForm
    page_title = "新增重点工作"

    def form_scope(self):
        return {"plan": self.plan}


class KeyTaskUpdateView(PlanScopedMixin, ManageFormMixin, UpdateView):
    form_class = KeyTaskForm
    page_title = "编辑重点工作"

    def get_queryset(self):
        return KeyTask.objects.filter(action_line__plan=self.plan)

    def form_scope(self):
        return {"plan": self.plan}


class KeyTaskDeleteView(PlanScopedMixin, ManageDeleteMixin, DeleteView):
    def get_queryset(self):
        return KeyTask.objects.filter(action_line__plan=self.plan)


class PlanStructureView(PlanScopedMixin, OfficeRequiredMixin, TemplateView):
    """The plan's action lines and key tasks, for the office to maintain."""

    template_name = "campaign/plan_structure.html"

    def get_context_data(self, **kwargs):
        kwargs["action_lines"] = self.plan.action_lines.prefetch_related("key_tasks").annotate(
            task_count=Count("tasks")
        )
        return super().get_context_data(**kwargs)
