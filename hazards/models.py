"""The major-hazard register (重大事故隐患台账): enterprises, hazards, their steps and follow-ups."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from campaign.models import Campaign, Unit
from core.attachments import stored_name

from .choices import Channel, HazardFollowUpKind, HazardState, Industry, ListedLevel
from .validators import validate_credit_code


class Enterprise(models.Model):
    """A production or business unit (生产经营单位), identified by its unified social credit code."""

    name = models.CharField("企业名称", max_length=200)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True, validators=[validate_credit_code])
    township = models.ForeignKey(Unit, verbose_name="所在乡镇（街道）", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="enterprises")
    principal = models.CharField("主要负责人", max_length=50, blank=True)
    controller = models.CharField("实际控制人", max_length=50, blank=True)

    # History is looked up by enterprise id; indexes on the copied township and credit code would only slow
    # imports (a province's ledger brings tens of thousands of enterprises).
    history = HistoricalRecords(no_db_index=["township", "credit_code"])

    class Meta:
        verbose_name = "企业"
        verbose_name_plural = "企业"
        ordering = ["name"]
        indexes = [models.Index(fields=["name"])]

    def __str__(self):
        return self.name


class MajorHazard(models.Model):
    """One major accident hazard, from registration to close-out (DESIGN §4)."""

    # Both covered by indexes below that start with them (every list filters by campaign; the no-duplicate
    # constraint starts with the enterprise): their own indexes would only slow a province's ledger import.
    campaign = models.ForeignKey(Campaign, verbose_name="三年行动", on_delete=models.CASCADE, related_name="hazards",
                                 db_index=False)
    enterprise = models.ForeignKey(Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="hazards",
                                   db_index=False)
    # Every page reads these with the campaign (indexes below); alone they are only looked up when a unit is
    # deleted (refused while it has hazards), which can scan the register once rather than slow every import.
    township = models.ForeignKey(Unit, verbose_name="所在乡镇（街道）", on_delete=models.PROTECT,
                                 related_name="township_hazards", db_index=False)
    supervisor = models.ForeignKey(Unit, verbose_name="监管部门", on_delete=models.PROTECT,
                                   related_name="supervised_hazards", db_index=False)
    industry = models.CharField("行业领域", max_length=20, choices=Industry.choices)
    description = models.TextField("隐患描述")
    standard_clause = models.CharField("判定依据", max_length=300, blank=True)
    channel = models.CharField("发现方式", max_length=20, choices=Channel.choices)
    found_on = models.DateField("发现日期")
    state = models.CharField("整改状态", max_length=20, choices=HazardState.choices, default=HazardState.REGISTERED)
    # Rectification plan
    measures = models.TextField("整改措施", blank=True)
    funds = models.DecimalField("整改资金（万元）", max_digits=12, decimal_places=2, null=True, blank=True)
    responsible_person = models.CharField("整改责任人", max_length=50, blank=True)
    deadline = models.DateField("整改期限", null=True, blank=True)
    # Listed supervision (挂牌督办)
    listed_level = models.CharField("挂牌督办级别", max_length=10, choices=ListedLevel.choices, blank=True)
    listed_on = models.DateField("挂牌日期", null=True, blank=True)
    listing_unit = models.CharField("挂牌单位", max_length=100, blank=True)
    notice_number = models.CharField("督办文号", max_length=60, blank=True)
    # Notification of the enterprise's principal and actual controller (通知到主要负责人、实际控制人)
    principal_notified_on = models.DateField("已通知主要负责人", null=True, blank=True)
    controller_notified_on = models.DateField("已通知实际控制人", null=True, blank=True)
    rectified_on = models.DateField("整改完成日期", null=True, blank=True)
    closed_on = models.DateField("销号日期", null=True, blank=True)
    close_approval = models.CharField("挂牌级别销号批准文号", max_length=100, blank=True)
    return_reason = models.TextField("退回原因", blank=True)
    # Not indexed: only a user's deletion looks hazards up by it (to clear it).
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True,
                                   on_delete=models.SET_NULL, related_name="+", db_index=False)

    # History is looked up by hazard id; indexes on the copied foreign keys would only slow bulk imports.
    history = HistoricalRecords(no_db_index=["campaign", "enterprise", "township", "supervisor", "created_by"])

    class Meta:
        verbose_name = "重大事故隐患"
        verbose_name_plural = "重大事故隐患"
        ordering = ["-found_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "description", "found_on"], name="hazard_no_duplicate"),
            models.CheckConstraint(condition=Q(state__in=HazardState.values), name="hazard_state_valid"),
            models.CheckConstraint(condition=Q(industry__in=Industry.values), name="hazard_industry_valid"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="hazard_channel_valid"),
            models.CheckConstraint(
                condition=~Q(state=HazardState.CLOSED) | Q(closed_on__isnull=False), name="hazard_closed_has_date"
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "state", "deadline"]),
            models.Index(fields=["campaign", "township", "industry"]),
            models.Index(fields=["campaign", "supervisor", "state"]),
            models.Index(fields=["campaign", "found_on"]),
        ]

    def __str__(self):
        return f"{self.enterprise} · {self.description[:30]}"

    @property
    def is_listed(self) -> bool:
        return bool(self.listed_level)

    def is_stock(self) -> bool:
        """Found on or before the campaign's baseline date (存量)."""
        return self.found_on <= self.campaign.baseline_date


class HazardFollowUp(models.Model):
    """函告, 通报, 约谈 or 曝光 on a slow hazard."""

    hazard = models.ForeignKey(MajorHazard, verbose_name="隐患", on_delete=models.CASCADE, related_name="follow_ups")
    kind = models.CharField("措施", max_length=20, choices=HazardFollowUpKind.choices)
    content = models.TextField("内容")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发出人", null=True,
                                  on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField("时间", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "隐患督办措施"
        verbose_name_plural = "隐患督办措施"
        ordering = ["-issued_at"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.hazard}"


def evidence_path(instance, filename):
    return f"hazards/{instance.hazard_id}/{stored_name(instance.kind)}"


class HazardEvidence(models.Model):
    """A photo or document showing the rectification (checked by content like report attachments)."""

    hazard = models.ForeignKey(MajorHazard, verbose_name="隐患", on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField("文件", upload_to=evidence_path, max_length=300)
    original_name = models.CharField("原文件名", max_length=255)
    kind = models.CharField("类型", max_length=10)
    size = models.PositiveBigIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "整改佐证材料"
        verbose_name_plural = "整改佐证材料"
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.original_name
