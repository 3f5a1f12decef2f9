"""Tasks of a plan, their dated milestones, the assignments to responsible units and quantified targets."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from campaign.models import ActionLine, KeyTask, Plan, Unit
from core.formats import fmt_number

from ..choices import AssignmentRole, Comparator, MeasureUnit


class Task(models.Model):
    """A numbered item of work (具体任务) in a plan; its code is unique within the plan."""

    # Indexed by the (plan, code) unique constraint; a separate index would only slow bulk imports.
    plan = models.ForeignKey(Plan, verbose_name="方案", on_delete=models.CASCADE, related_name="tasks",
                             db_index=False)
    # Deleting an action line or key work leaves its tasks in the plan, ungrouped.
    action_line = models.ForeignKey(
        ActionLine, verbose_name="行动", null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    key_task = models.ForeignKey(
        KeyTask, verbose_name="重点工作", null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    code = models.CharField("任务编号", max_length=20)
    position = models.PositiveIntegerField("排序", default=0)
    text = models.TextField("任务内容")
    lead_units = models.ManyToManyField(Unit, verbose_name="牵头单位", related_name="led_tasks", blank=True)
    cooperating_units = models.ManyToManyField(
        Unit, verbose_name="配合单位", related_name="cooperated_tasks", blank=True
    )
    master_task = models.ForeignKey(
        "self", verbose_name="对应总方案任务", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="sub_tasks",
    )

    # History is looked up by task id; indexes on the copied foreign keys would only slow bulk imports.
    history = HistoricalRecords(
        m2m_fields=[lead_units, cooperating_units], no_db_index=["plan", "action_line", "key_task", "master_task"]
    )

    class Meta:
        verbose_name = "具体任务"
        verbose_name_plural = "具体任务"
        ordering = ["plan", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="task_code_unique_in_plan"),
            models.CheckConstraint(condition=~Q(code=""), name="task_code_not_blank"),
        ]
        indexes = [
            # The plan tree and the task list filtered by action line, in the list's order.
            models.Index(fields=["plan", "action_line", "position", "code"], name="task_plan_line_order_idx"),
            # The task list's order (plan, position, code, …): a page stops after its rows.
            models.Index(fields=["plan", "position", "code"], name="task_plan_order_idx"),
        ]

    def __str__(self):
        return f"{self.code}. {self.summary}"

    @property
    def summary(self) -> str:
        first = self.text.split("。")[0]
        return first if len(first) <= 40 else first[:40] + "…"

    def clean(self):
        if self.action_line_id and self.plan_id and self.action_line.plan_id != self.plan_id:
            raise ValidationError({"action_line": "所选行动不属于本方案。"})
        if self.key_task_id:
            if self.action_line_id and self.key_task.action_line_id != self.action_line_id:
                raise ValidationError({"key_task": "所选重点工作不属于所选行动。"})
        if self.master_task_id and self.plan_id:
            if self.master_task.plan.campaign_id != self.plan.campaign_id or not self.master_task.plan.is_master:
                raise ValidationError({"master_task": "只能关联同一三年行动总方案中的任务。"})


class InForceManager(models.Manager):
    """Only rows in force: a withdrawn (撤销) milestone or assignment is kept with its reports and history, but
    drops out of plans, lists, counts and scores. ``all_objects`` reaches the withdrawn ones too."""

    def get_queryset(self):
        return super().get_queryset().filter(withdrawn_on__isnull=True)


class Milestone(models.Model):
    """A dated part of a task ("2024年底前 …"); every task has at least one.

    A milestone taken off its task while units have reported on it is withdrawn, not deleted (see
    ``tasks.services.milestone_remove``).
    """

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="milestones",
                             db_index=False)  # covered by the (task, seq) unique constraint
    seq = models.PositiveSmallIntegerField("顺序", default=1)
    due_date = models.DateField("完成时限")
    text = models.TextField("节点要求", blank=True)
    withdrawn_on = models.DateField("撤销日期", null=True, blank=True)

    history = HistoricalRecords()
    all_objects = models.Manager()  # the withdrawn too
    objects = InForceManager()  # the default (Meta.default_manager_name)

    class Meta:
        verbose_name = "时间节点"
        verbose_name_plural = "时间节点"
        ordering = ["task", "due_date", "seq"]
        default_manager_name = "objects"
        base_manager_name = "all_objects"
        constraints = [models.UniqueConstraint(fields=["task", "seq"], condition=Q(withdrawn_on__isnull=True),
                                               name="milestone_seq_unique")]

    def __str__(self):
        return f"{self.due_date:%Y-%m-%d} {self.text[:30]}"

    def clean(self):
        if self.task_id and self.due_date:
            campaign = self.task.plan.campaign
            if not campaign.contains(self.due_date):
                raise ValidationError({"due_date": campaign_period_error(campaign)})


class Assignment(models.Model):
    """A milestone given to one responsible unit: the thing that is tracked, reported and scored.

    ``due_date`` starts as the milestone's date; an approved extension moves it, and the
    milestone keeps the original. A responsibility taken off the task while it carries reports, follow-ups or
    extension requests is withdrawn (``withdrawn_on``), never deleted: those records cannot be deleted at all
    (their foreign keys protect it).
    """

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="assignments",
                             db_index=False)  # covered by the (task, unit) index
    milestone = models.ForeignKey(
        Milestone, verbose_name="时间节点", on_delete=models.CASCADE, related_name="assignments",
        db_index=False,  # covered by the (milestone, unit) unique constraint
    )
    unit = models.ForeignKey(Unit, verbose_name="责任单位", on_delete=models.PROTECT, related_name="assignments",
                             db_index=False)  # covered by the (unit, due_date) index
    role = models.CharField("责任类别", max_length=10, choices=AssignmentRole.choices, default=AssignmentRole.LEAD)
    due_date = models.DateField("完成时限")
    completed_on = models.DateField("完成日期", null=True, blank=True)
    closed_on = models.DateField("销号日期", null=True, blank=True)
    withdrawn_on = models.DateField("撤销日期", null=True, blank=True)

    history = HistoricalRecords()
    all_objects = models.Manager()  # the withdrawn too
    objects = InForceManager()  # the default (Meta.default_manager_name)

    class Meta:
        verbose_name = "责任分解"
        verbose_name_plural = "责任分解"
        ordering = ["due_date", "task__position", "unit__sort_order"]
        default_manager_name = "objects"
        base_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(fields=["milestone", "unit"], name="assignment_unique_per_milestone_unit"),
            models.CheckConstraint(condition=Q(role__in=AssignmentRole.values), name="assignment_role_valid"),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(completed_on__isnull=False),
                name="assignment_closed_after_completed",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "due_date"]),
            models.Index(fields=["task", "unit"]),
        ]

    def __str__(self):
        return f"{self.unit} · {self.task.code} · {self.due_date:%Y-%m-%d}"


class QuantifiedTarget(models.Model):
    """A measurable target of a task, e.g. "'四不'演练占比 ≥ 40%(2024) / 50%(2025)"."""

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="targets",
                             db_index=False)  # covered by the (task, metric) unique constraint
    metric = models.CharField("指标", max_length=200)
    measure_unit = models.CharField("计量单位", max_length=4, choices=MeasureUnit.choices, default=MeasureUnit.PERCENT)
    comparator = models.CharField("比较方式", max_length=3, choices=Comparator.choices, default=Comparator.GTE)
    baseline = models.DecimalField("基数", max_digits=14, decimal_places=2, null=True, blank=True)
    source_text = models.CharField("原文", max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "量化目标"
        verbose_name_plural = "量化目标"
        ordering = ["task", "id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "metric"], name="target_metric_unique_in_task"),
            models.CheckConstraint(condition=Q(comparator__in=Comparator.values), name="target_comparator_valid"),
            models.CheckConstraint(condition=Q(measure_unit__in=MeasureUnit.values), name="target_unit_valid"),
        ]

    def __str__(self):
        return self.metric

    def describe(self, values=None) -> str:
        """"覆盖率 ≥ 40%(2024) / 50%(2025)" — the way the office writes a target."""
        values = values if values is not None else list(self.year_values.all())
        parts = [f"{fmt_number(v.value)}{self.measure_unit}({v.year})" for v in values]
        return f"{self.metric} {self.get_comparator_display()} " + " / ".join(parts)


class TargetYearValue(models.Model):
    """The value a quantified target must reach in one campaign year."""

    target = models.ForeignKey(
        QuantifiedTarget, verbose_name="量化目标", on_delete=models.CASCADE, related_name="year_values",
        db_index=False,  # covered by the (target, year) unique constraint
    )
    year = models.PositiveSmallIntegerField("年度")
    value = models.DecimalField("目标值", max_digits=14, decimal_places=2)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "年度目标值"
        verbose_name_plural = "年度目标值"
        ordering = ["target", "year"]
        constraints = [
            models.UniqueConstraint(fields=["target", "year"], name="target_year_unique"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="target_year_sane"),
            models.CheckConstraint(condition=Q(value__gte=0), name="target_value_not_negative"),
        ]

    def __str__(self):
        return f"{self.year}: {fmt_number(self.value)}"


def campaign_period_error(campaign) -> str:
    return f"完成时限须在三年行动期内（{campaign.start_date:%Y-%m-%d} 至 {campaign.end_date:%Y-%m-%d}）。"
