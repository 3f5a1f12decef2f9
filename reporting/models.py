"""Monthly dispatch reports (月调度): frozen snapshots of the score, the ranking and the lists behind them.

A report is built into these rows once; pages, exports and the command line only read them,
so a published month never changes when tasks or hazards are edited later.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from campaign.models import Campaign, Unit


class ReportState(models.TextChoices):
    DRAFT = "draft", "待发布"
    PUBLISHED = "published", "已发布"


class Group(models.TextChoices):
    TOWNSHIP = "township", "乡镇（街道）、开发区"
    DEPARTMENT = "department", "县直部门"


class MonthlyReport(models.Model):
    """One version of one month's report. Exactly one version per month is current."""

    campaign = models.ForeignKey(Campaign, verbose_name="三年行动", on_delete=models.CASCADE,
                                 related_name="monthly_reports")
    month = models.DateField("月份", help_text="当月第一天")
    version = models.PositiveSmallIntegerField("版本", default=1)
    is_current = models.BooleanField("当前版本", default=True)
    # The month in progress counted as of the build day (截至今日): never published; the month's official build,
    # once it has ended, replaces it.
    is_preview = models.BooleanField("截至今日预览", default=False)
    state = models.CharField("状态", max_length=20, choices=ReportState.choices, default=ReportState.DRAFT)
    built_at = models.DateTimeField("生成时间")
    built_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="生成人", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发布人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    # The weights in force when the report was built, so a later change of the campaign's
    # settings never rewrites an old month.
    weights = models.JSONField("权重", default=dict)
    summary = models.JSONField("汇总", default=dict, help_text="页面所需的全部汇总数字与清单")

    # What a build (new version or rebuilt in place) and a publication change: the cached month menus' marks.
    # Builds and publications in the 操作日志 (the summary and weights are the snapshot itself, not kept twice).
    history = HistoricalRecords(excluded_fields=["summary", "weights"])

    class Meta:
        verbose_name = "月调度报告"
        verbose_name_plural = "月调度报告"
        ordering = ["campaign", "-month", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "month", "version"], name="report_version_unique"),
            models.UniqueConstraint(fields=["campaign", "month"], condition=Q(is_current=True),
                                    name="report_one_current_per_month"),
            models.CheckConstraint(condition=Q(state__in=ReportState.values), name="monthly_report_state_valid"),
            models.CheckConstraint(
                condition=Q(state=ReportState.DRAFT) | Q(published_at__isnull=False),
                name="published_report_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.campaign.name} {self.month:%Y年%m月} 第{self.version}版"

    @property
    def is_published(self) -> bool:
        return self.state == ReportState.PUBLISHED

    @property
    def month_label(self) -> str:
        """The month as every page, bulletin and export names it; a preview says how far it counts."""
        label = f"{self.month.year}年{self.month.month}月"
        if self.is_preview:
            label += f"（截至{timezone.localtime(self.built_at):%-m月%-d日}，预览）"
        return label

    @property
    def month_param(self) -> str:
        return f"{self.month:%Y-%m}"


NOTHING_RATED = "本月无考核事项"
# Why a component is 不参评, as the ranking says beside its "—" (DESIGN §5).
NOT_RATED_REASONS = {
    "on_time": "本月无到期任务",
    "reporting": "本月无应报进展或填报未截止",
    "targets": "无本年度量化目标",
    "hazards": "无到期重大事故隐患",
}


class UnitScore(models.Model):
    """One unit's line of the ranking, with the counts behind every component."""

    report = models.ForeignKey(MonthlyReport, verbose_name="报告", on_delete=models.CASCADE, related_name="scores")
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    # Name and code as they were that month: renaming a unit later does not rewrite a bulletin.
    unit_code = models.CharField("单位代码", max_length=40)
    unit_name = models.CharField("单位名称", max_length=100)
    group = models.CharField("排名组别", max_length=20, choices=Group.choices)
    sort_order = models.PositiveIntegerField("排序", default=0)

    due_count = models.PositiveIntegerField("到期任务数", default=0)
    on_time_count = models.PositiveIntegerField("按期完成数", default=0)
    on_time = models.DecimalField("按期完成率", max_digits=7, decimal_places=6, null=True, blank=True)
    reports_required = models.PositiveIntegerField("应报数", default=0)
    reports_on_time = models.PositiveIntegerField("按时报送数", default=0)
    reporting = models.DecimalField("按时填报率", max_digits=7, decimal_places=6, null=True, blank=True)
    target_count = models.PositiveIntegerField("量化目标数", default=0)
    targets = models.DecimalField("目标平均达成度", max_digits=7, decimal_places=6, null=True, blank=True)
    hazards_due = models.PositiveIntegerField("到期隐患数", default=0)
    hazards_closed_on_time = models.PositiveIntegerField("按期销号数", default=0)
    hazards = models.DecimalField("隐患按期整改率", max_digits=7, decimal_places=6, null=True, blank=True)
    overdue_hazards = models.PositiveIntegerField("逾期未销号隐患数", default=0)
    penalty = models.DecimalField("扣分", max_digits=6, decimal_places=2, default=0)
    # 不参评 (DESIGN §5): a component with nothing to count is NULL; a unit with none rated has no score and no rank.
    score = models.DecimalField("得分", max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField("名次", null=True, blank=True)
    previous_rank = models.PositiveIntegerField("上月名次", null=True, blank=True)
    quartile = models.PositiveSmallIntegerField("四分位", null=True, blank=True)
    overdue_tasks = models.PositiveIntegerField("逾期任务数", default=0)
    # The overdue items the negative bulletin lists, as they stood at month end.
    details = models.JSONField("逾期清单", default=dict, blank=True)

    class Meta:
        verbose_name = "单位得分"
        verbose_name_plural = "单位得分"
        # Unranked units (本月无考核事项) after the ranked ones on every database (SQLite puts NULL first).
        ordering = ["report", "group", models.F("rank").asc(nulls_last=True), "sort_order", "unit_code"]
        constraints = [
            models.UniqueConstraint(fields=["report", "unit"], name="score_one_per_unit"),
            models.CheckConstraint(
                condition=Q(score__isnull=True, rank__isnull=True) | Q(score__isnull=False, rank__isnull=False),
                name="score_ranked_iff_rated"),
            models.CheckConstraint(condition=Q(group__in=Group.values), name="score_group_valid"),
        ]
        indexes = [
            models.Index(fields=["unit", "report"]),
            # A group's ranking a page at a time (a province ranks 2,000 units).
            models.Index(fields=["report", "group", "rank", "sort_order", "unit_code"], name="score_ranking_idx"),
        ]

    def __str__(self):
        return f"{self.unit_name} {self.score if self.rated else NOTHING_RATED}"

    @property
    def rated(self) -> bool:
        """False for 本月无考核事项: no component had anything to count; not ranked, never in a bulletin."""
        return self.score is not None

    def not_rated_reason(self, component: str) -> str:
        return NOT_RATED_REASONS[component]

    @property
    def remit(self) -> str:
        """The hazard list's filter for this unit's remit: departments supervise, townships host."""
        return "supervisor" if self.group == Group.DEPARTMENT else "township"

    @property
    def rank_change(self) -> int | None:
        """Places gained since last month (positive: moved up)."""
        if self.previous_rank is None or self.rank is None:
            return None
        return self.previous_rank - self.rank


class BulletinKind(models.TextChoices):
    PRAISE = "praise", "表扬通报"
    CRITICISM = "criticism", "反面典型通报"


class Bulletin(models.Model):
    """A bulletin drafted from the ranking; the office edits it until the report is published."""

    report = models.ForeignKey(MonthlyReport, verbose_name="报告", on_delete=models.CASCADE,
                               related_name="bulletins")
    kind = models.CharField("类别", max_length=20, choices=BulletinKind.choices)
    issuer = models.CharField("发文单位", max_length=100)
    number = models.CharField("文号", max_length=60, blank=True)
    title = models.CharField("标题", max_length=200)
    addressee = models.CharField("主送", max_length=300, blank=True)
    body = models.TextField("正文", help_text="段落之间空一行")
    issued_on = models.DateField("成文日期")
    units = models.JSONField("通报单位", default=list, help_text="单位代码，按通报顺序")
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="修改人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "通报"
        verbose_name_plural = "通报"
        ordering = ["report", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["report", "kind"], name="bulletin_one_per_kind"),
            models.CheckConstraint(condition=Q(kind__in=BulletinKind.values), name="bulletin_kind_valid"),
        ]

    def __str__(self):
        return self.title

    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.replace("\r\n", "\n").split("\n\n") if p.strip()]


class BuildJob(models.Model):
    """A queued build of one month, so the page can show its progress."""

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    campaign = models.ForeignKey(Campaign, verbose_name="三年行动", on_delete=models.CASCADE,
                                 related_name="report_jobs")
    month = models.DateField("月份")
    preview = models.BooleanField("截至今日预览", default=False)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField("进度", default=0)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发起人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    report = models.ForeignKey(MonthlyReport, verbose_name="报告", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    message = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "报告生成任务"
        verbose_name_plural = "报告生成任务"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["campaign", "month", "-created_at"])]

    def __str__(self):
        return f"{self.campaign.slug} {self.month:%Y-%m} {self.get_state_display()}"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)
