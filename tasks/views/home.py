"""The campaign's front page and a plan's tree: what the campaign's tasks look like to this user."""

from django.db.models import Count
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from campaign import access, policy
from campaign.mixins import CampaignMixin
from campaign.models import Plan

from .. import access as task_access
from .. import dashboard
from ..filters import TaskFilter, units_for_filter
from ..selectors import plan_tree, prefetch_task_details


class CampaignDetailView(CampaignMixin, TemplateView):
    """The campaign's front page: its plans and the headline numbers the user may see."""

    template_name = "tasks/campaign_home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        plans = access.visible_plans(user, self.campaign).annotate(task_count=Count("tasks"))
        assignments = task_access.visible_assignments(user, self.campaign)
        on = timezone.localdate()
        if policy.allows(user, "unit.work"):
            home = dashboard.liaison_home(assignments, on)
        elif policy.allows(user, "office.work"):
            home = dashboard.office_home(assignments, on)
        else:
            home = dashboard.leader_home(assignments, on)
        kwargs.update(
            plans=plans,
            home=home,
            counts=home["counts"],
            task_total=task_access.visible_tasks(user, self.campaign).count(),
            can_manage=policy.allows(user, "campaign.manage"),
            deadline=on.replace(day=self.campaign.report_deadline_day),
            # Levels: the campaigns below this one the user may open (a city's counties), and the one above.
            children=list(access.visible_campaigns(user).filter(parent=self.campaign).select_related("office")
                          .order_by("office__sort_order", "slug")),
            parent_campaign=access.visible_campaigns(user).filter(pk=self.campaign.parent_id).first()
            if self.campaign.parent_id else None,
        )
        return super().get_context_data(**kwargs)


class PlanTreeView(CampaignMixin, TemplateView):
    """A plan as a tree: action lines → key tasks → tasks → milestones, with filters."""

    template_name = "tasks/plan_tree.html"

    @cached_property
    def plan(self) -> Plan:
        return access.get_plan_or_404(self.request.user, self.campaign, self.kwargs["unit_code"])

    def get_context_data(self, **kwargs):
        user = self.request.user
        plan = self.plan
        tasks = task_access.tasks_in_plan(user, plan)
        units = units_for_filter(user, plan)
        task_filter = TaskFilter(self.request.GET or None, queryset=tasks, plan=plan, units=units)
        filtered = task_filter.qs if task_filter.is_bound and task_filter.is_valid() else tasks
        year = task_filter.form.cleaned_data.get("year") if task_filter.is_bound and task_filter.is_valid() else None
        assignments = task_access.visible_assignments(user, self.campaign)
        rows = list(prefetch_task_details(filtered, assignments=assignments, year=int(year) if year else None))
        kwargs.update(
            plan=plan,
            tree=plan_tree(plan, rows),
            filter=task_filter,
            task_count=len(rows),
            can_edit=policy.allows(user, "plan.edit", plan),
            other_plans=access.visible_plans(user, self.campaign).exclude(pk=plan.pk),
        )
        return super().get_context_data(**kwargs)
