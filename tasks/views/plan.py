from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import DeleteView, DetailView, TemplateView

from campaign import access, policy
from campaign.mixins import CampaignMixin
from campaign.models import Plan
from core.errors import ServiceError
from tasks import access as task_access

from ..forms import DecisionForm, ExtensionForm, FollowUpForm, MilestoneFormSet, TargetFormSet, TaskForm
from ..history import assignment_history, task_history
from ..models import Task
from ..selectors import prefetch_task_details, task_version, with_status
from ..services import milestone_remove, task_delete, task_sync_assignments
from ..targets import latest_accepted, target_progress


class TaskDetailView(CampaignMixin, DetailView):
    template_name = "tasks/task_detail.html"
    context_object_name = "task"

    def get_queryset(self):
        user = self.request.user
        return prefetch_task_details(
            task_access.visible_tasks(user, self.campaign).select_related("plan__unit", "master_task"),
            assignments=task_access.visible_assignments(user, self.campaign),
        )

    def get_context_data(self, **kwargs):
        task = self.object
        unit_ids = sorted({a.unit_id for m in task.shown_milestones for a in m.visible_assignments})
        units = {a.unit_id: a.unit for m in task.shown_milestones for a in m.visible_assignments}
        latest = latest_accepted(task.target_list, unit_ids=unit_ids)
        on = timezone.localdate()
        withdrawn = task_access.visible_assignments(self.request.user, self.campaign, withdrawn=True).filter(
            task=task, withdrawn_on__isnull=False).select_related("unit", "milestone").annotate(
            report_count=Count("reports")).order_by("due_date", "unit__sort_order")
        kwargs.update(
            can_edit=policy.allows(self.request.user, "plan.edit", task.plan),
            withdrawn=withdrawn,
            history=task_history(task),
            target_rows=[
                (units[u], target_progress(t, t.values, latest.get((t.pk, u)), on))
                for t in task.target_list for u in unit_ids
            ],
        )
        return super().get_context_data(**kwargs)


class AssignmentDetailView(CampaignMixin, DetailView):
    template_name = "tasks/assignment_detail.html"
    context_object_name = "assignment"

    def get_queryset(self):
        visible = task_access.visible_assignments(self.request.user, self.campaign, withdrawn=True)
        return with_status(visible).select_related(
            "task__plan__unit", "milestone", "unit", "task__action_line"
        )

    def get_context_data(self, **kwargs):
        a, user = self.object, self.request.user
        targets = list(a.task.targets.prefetch_related("year_values"))
        latest = latest_accepted(targets, unit_ids=[a.unit_id])
        on = timezone.localdate()
        kwargs.update(
            reports=a.reports.select_related("submitted_by", "reviewed_by").prefetch_related(
                "values__target", "attachments"
            ).order_by("-month"),
            extensions=a.extensions.select_related("requested_by", "decided_by"),
            follow_ups=a.follow_ups.select_related("issued_by"),
            targets=[target_progress(t, t.year_values.all(), latest.get((t.pk, a.unit_id)), on) for t in targets],
            can_request_extension=(policy.allows(user, "unit.report", a.unit) and a.completed_on is None
                                   and a.withdrawn_on is None),
            can_review=policy.allows(user, "progress.review") and a.withdrawn_on is None,
            extension_form=ExtensionForm(),
            follow_up_form=FollowUpForm(),
            decision_form=DecisionForm(),
            history=assignment_history(a),
        )
        return super().get_context_data(**kwargs)


class StaleEdit(Exception):
    def __init__(self, current: str, changes: list):
        super().__init__("stale task form")
        self.current, self.changes = current, changes


class TaskEditMixin(CampaignMixin):
    """Create or edit a task with its milestones and quantified targets on one page."""

    template_name = "tasks/task_form.html"

    @cached_property
    def plan(self) -> Plan:
        plan = access.get_plan_or_404(self.request.user, self.campaign, self.kwargs["unit_code"])
        policy.require(self.request.user, "plan.edit", plan)
        return plan

    def get_task(self) -> Task | None:
        return None

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(**self.build_forms(None)))

    def post(self, request, *args, **kwargs):
        forms = self.build_forms(request.POST)
        if all(f.is_valid() for f in forms.values()):
            try:
                task = self.save(**forms)
            except StaleEdit as stale:
                return self.stale(request, stale)
            except IntegrityError:
                # Another save took the code between the check and the insert (a double click, a colleague).
                forms["form"].add_error("code", "本方案中刚刚保存了同一编号的任务（可能是重复提交），请核对后再保存。")
                messages.error(request, "保存未成功，已填写的内容都保留在表单中。")
                return self.render_to_response(self.get_context_data(**forms))
            messages.success(request, f"任务 {task.code} 已保存。")
            return HttpResponseRedirect(reverse("task-detail", args=[self.campaign.slug, task.pk]))
        messages.error(request, "保存未成功，请按提示修改后再提交，已填写的内容都保留在表单中。")
        return self.render_to_response(self.get_context_data(**forms))

    def stale(self, request, stale: StaleEdit):
        """Someone saved the task after this form was opened: nothing is saved; the form comes back with what the
        user typed, the changes made meanwhile listed, and the current version, so saving again is a choice."""
        data = request.POST.copy()
        data["version"], data["opened_at"] = stale.current, timezone.now().isoformat()
        messages.error(request, "保存未成功：您打开此页后，该任务已被他人修改（见下方“期间的修改”）。"
                                "您填写的内容仍在表单中，请核对后再次保存；再次保存将以您的内容为准。")
        return self.render_to_response(self.get_context_data(**self.build_forms(data), changed_meanwhile=stale.changes))

    def build_forms(self, data):
        task = self.get_task()
        instance = task or Task(plan=self.plan)
        return {
            "form": TaskForm(data, instance=instance, plan=self.plan, user=self.request.user),
            "milestones": MilestoneFormSet(data, instance=instance, prefix="ms", campaign=self.campaign,
                                           earliest=None if policy.allows(self.request.user, "office.work")
                                           else timezone.localdate()),
            "targets": TargetFormSet(data, instance=instance, prefix="tg", years=self.campaign.years),
        }

    @transaction.atomic
    def save(self, *, form, milestones, targets) -> Task:
        if form.instance.pk:
            # Under the task's row lock: two saves of one task run one after the other, and the second sees the first.
            locked = Task.objects.select_for_update().get(pk=form.instance.pk)
            current = task_version(locked)
            if form.cleaned_data.get("version") != current:
                opened = form.cleaned_data.get("opened_at")
                changes = [e for e in task_history(locked, limit=50) if opened is None or e.when > opened]
                raise StaleEdit(current, changes[:10])
        task = form.save()
        milestones.instance = task
        saved = milestones.save(commit=False)
        for obj in milestones.deleted_objects:
            milestone_remove(milestone=obj)  # withdrawn, not deleted, if units reported on it
        next_seq = max([m.seq for m in task.milestones.all()] or [0]) + 1
        for milestone in saved:
            if milestone.pk is None:
                milestone.seq = next_seq
                next_seq += 1
            milestone.task = task
            milestone.save()
        targets.instance = task
        targets.save()
        targets.save_year_values()
        task_sync_assignments(task=task)
        return task

    def get_context_data(self, **kwargs):
        kwargs.update(plan=self.plan, task=self.get_task(), years=self.campaign.years)
        return super().get_context_data(**kwargs)


class TaskCreateView(TaskEditMixin, TemplateView):
    pass


class TaskUpdateView(TaskEditMixin, TemplateView):
    @cached_property
    def task(self) -> Task:
        return get_object_or_404(task_access.tasks_in_plan(self.request.user, self.plan), pk=self.kwargs["pk"])

    def get_task(self):
        return self.task


class TaskDeleteView(CampaignMixin, DeleteView):
    template_name = "campaign/manage_confirm_delete.html"
    context_object_name = "object"

    def get_queryset(self):
        return task_access.visible_tasks(self.request.user, self.campaign).select_related("plan__unit")

    def get_object(self, queryset=None):
        task = super().get_object(queryset)
        policy.require(self.request.user, "task.delete", task)
        return task

    def get_success_url(self):
        return reverse("plan-tree", args=[self.campaign.slug, self.object.plan.unit.code])

    def get_context_data(self, **kwargs):
        kwargs["cancel_url"] = reverse("task-detail", args=[self.campaign.slug, self.object.pk])
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            task_delete(task=self.object)
        except ServiceError as error:
            messages.error(self.request, "；".join(error.messages))
            return HttpResponseRedirect(reverse("task-detail", args=[self.campaign.slug, self.object.pk]))
        messages.success(self.request, f"已删除任务 {self.object.code}。")
        return HttpResponseRedirect(self.get_success_url())


