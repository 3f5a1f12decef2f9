"""Monthly progress reports, their values and attachments, extension requests and follow-ups."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.attachments import stored_name

from ..choices import ExtensionState, FollowUpKind, ReportedStatus, ReportState
from .plan import Assignment, QuantifiedTarget


class ProgressReport(models.Model):
    """A unit's report on one assignment for one month (``month`` is the month's first day).

    ``first_submitted_at`` stays at the first submission, so a report that was returned and
    resubmitted still counts as on time if it first came in by the deadline.
    """

    assignment = models.ForeignKey(
        Assignment, verbose_name="责任分解", on_delete=models.PROTECT, related_name="reports",
        db_index=False,  # covered by the (assignment, month) unique constraint
    )
    month = models.DateField("填报月份")
    reported_status = models.CharField(
        "完成情况", max_length=20, choices=ReportedStatus.choices, default=ReportedStatus.IN_PROGRESS
    )
    progress = models.TextField("进展情况", blank=True)
    problems = models.TextField("存在问题", blank=True)
    next_steps = models.TextField("下步计划", blank=True)
    state = models.CharField("审核状态", max_length=20, choices=ReportState.choices, default=ReportState.DRAFT)
    first_submitted_at = models.DateTimeField("首次提交时间", null=True, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="填报人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    return_reason = models.TextField("退回原因", blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "进展填报"
        verbose_name_plural = "进展填报"
        ordering = ["-month", "assignment_id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "month"], name="report_one_per_assignment_month"),
            models.CheckConstraint(condition=Q(state__in=ReportState.values), name="report_state_valid"),
            models.CheckConstraint(
                condition=Q(reported_status__in=ReportedStatus.values), name="report_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(state=ReportState.DRAFT) | Q(first_submitted_at__isnull=False),
                name="report_submitted_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["month", "state"]),
            models.Index(fields=["state", "submitted_at"]),
        ]

    def __str__(self):
        return f"{self.assignment.unit} · {self.assignment.task.code} · {self.month:%Y年%m月}"

    def submitted_late(self, deadline_day: int) -> bool:
        """First sent in after the month's reporting deadline (DESIGN §5: the 25th by default)."""
        if self.first_submitted_at is None:
            return False
        return timezone.localdate(self.first_submitted_at) > self.month.replace(day=deadline_day)


class ProgressValue(models.Model):
    """The actual value of a quantified target stated in a report."""

    report = models.ForeignKey(ProgressReport, verbose_name="填报", on_delete=models.CASCADE, related_name="values")
    target = models.ForeignKey(
        QuantifiedTarget, verbose_name="量化目标", on_delete=models.CASCADE, related_name="actual_values"
    )
    value = models.DecimalField("实际值", max_digits=14, decimal_places=2)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "目标实际值"
        verbose_name_plural = "目标实际值"
        constraints = [
            models.UniqueConstraint(fields=["report", "target"], name="value_one_per_report_target"),
            models.CheckConstraint(condition=Q(value__gte=0), name="value_not_negative"),
        ]

    def __str__(self):
        return f"{self.target.metric}: {self.value}"


def attachment_path(instance, filename):
    return f"attachments/{instance.report.month:%Y/%m}/{instance.report.assignment_id}/{stored_name(instance.kind)}"


class Attachment(models.Model):
    """Evidence attached to a report; its type is checked by content, and it is served only to those who may see it."""

    report = models.ForeignKey(
        ProgressReport, verbose_name="填报", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("文件", upload_to=attachment_path, max_length=300)
    original_name = models.CharField("原文件名", max_length=255)
    kind = models.CharField("类型", max_length=10)
    size = models.PositiveBigIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.original_name


class ExtensionRequest(models.Model):
    """A liaison's request to move an assignment's due date; the office approves or rejects it."""

    assignment = models.ForeignKey(
        Assignment, verbose_name="责任分解", on_delete=models.PROTECT, related_name="extensions"
    )
    previous_due = models.DateField("原完成时限")
    requested_due = models.DateField("申请延至")
    reason = models.TextField("申请理由")
    state = models.CharField(
        "审批状态", max_length=20, choices=ExtensionState.choices, default=ExtensionState.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(requested_due__gt=models.F("previous_due")), name="extension_moves_later"
            ),
            models.CheckConstraint(condition=Q(state__in=ExtensionState.values), name="extension_state_valid"),
            models.UniqueConstraint(
                fields=["assignment"], condition=Q(state=ExtensionState.PENDING), name="extension_one_pending"
            ),
        ]

    def __str__(self):
        return f"{self.assignment} 延期至 {self.requested_due:%Y-%m-%d}"


class FollowUp(models.Model):
    """A reminder, supervision notice (督办单) or interview record the office issued on a late item."""

    assignment = models.ForeignKey(
        Assignment, verbose_name="责任分解", on_delete=models.PROTECT, related_name="follow_ups"
    )
    kind = models.CharField("督办方式", max_length=20, choices=FollowUpKind.choices)
    number = models.CharField("文号", max_length=50, blank=True)
    content = models.TextField("内容")
    respond_by = models.DateField("反馈期限", null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发出人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField("发出时间", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "督办"
        verbose_name_plural = "督办"
        ordering = ["-issued_at"]
        constraints = [models.CheckConstraint(condition=Q(kind__in=FollowUpKind.values), name="followup_kind_valid")]
        indexes = [models.Index(fields=["issued_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.assignment}"
