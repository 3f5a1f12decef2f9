"""Campaigns, the org-unit tree, plans with their action lines and key tasks, and user roles."""

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from simple_history.models import HistoricalRecords

from .choices import PlanKind, Role, UnitKind


def split_aliases(text: str) -> list[str]:
    """Aliases are stored as one text field, separated by 、，, ; / or new lines."""
    return [part.strip() for part in re.split(r"[、，,;；/\n]+", text or "") if part.strip()]


class Unit(models.Model):
    """An org unit: the office, a department, a township/street or a development zone.

    Units form a tree (a city office above county offices above their departments and
    townships) so that campaigns at several levels can live in one database.
    """

    code = models.CharField("单位代码", max_length=40, unique=True)
    name = models.CharField("单位全称", max_length=100)
    short_name = models.CharField("常用简称", max_length=50, blank=True)
    aliases = models.TextField("其他名称", blank=True, help_text="导入时可识别的其他写法，用顿号或换行分隔")
    kind = models.CharField("类别", max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级单位", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    sort_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["kind", "sort_order", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=UnitKind.values), name="unit_kind_valid"),
            models.UniqueConstraint(fields=["parent", "name"], name="unit_name_unique_in_parent"),
            models.CheckConstraint(condition=~Q(code=""), name="unit_code_not_blank"),
        ]

    def __str__(self):
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def alias_list(self) -> list[str]:
        return split_aliases(self.aliases)

    def clean(self):
        node, seen = self.parent, set()
        while node is not None:
            if node.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": "上级单位不能是本单位或其下级单位。"})
            if node.pk in seen:
                break
            seen.add(node.pk)
            node = node.parent


def unit_tree(root: Unit, *, own: bool = False) -> models.QuerySet:
    """``root`` and every active unit below it, down to where an inactive unit cuts a branch off. ``own``: the units
    a campaign of ``root`` works with — below an office under ``root`` (a county under its city) it stops, that office
    included but not its units, which are its own campaign's.

    One recursive query: one database may hold a province's or a country's units, and a campaign works with its
    office's own. UNION, not UNION ALL, so that a parent loop entered past the admin's checks cannot run forever.
    """
    table = Unit._meta.db_table
    stop = "AND (tree.id = %s OR tree.kind <> %s)" if own else ""
    tree = f"""
        WITH RECURSIVE tree(id, kind) AS (
            SELECT id, kind FROM {table} WHERE id = %s
            UNION
            SELECT u.id, u.kind FROM {table} u JOIN tree ON u.parent_id = tree.id WHERE u.is_active {stop}
        )
        SELECT id FROM tree"""
    params = [root.pk, root.pk, UnitKind.OFFICE.value] if own else [root.pk]
    return Unit.objects.filter(pk__in=RawSQL(tree, params))


def unit_chain_ids(unit_id: int) -> list[int]:
    """``unit_id`` and every unit above it, nearest first, in one recursive query (UNION: a loop cannot run
    forever)."""
    table = Unit._meta.db_table
    chain = f"""
        WITH RECURSIVE chain(id, parent_id, depth) AS (
            SELECT id, parent_id, 0 FROM {table} WHERE id = %s
            UNION
            SELECT u.id, u.parent_id, chain.depth + 1 FROM {table} u JOIN chain ON u.id = chain.parent_id
            WHERE chain.depth < 32
        )
        SELECT id FROM chain ORDER BY depth"""
    with connection.cursor() as cursor:
        cursor.execute(chain, [unit_id])
        return [row[0] for row in cursor.fetchall()]


class Campaign(models.Model):
    """One jurisdiction's three-year campaign, with the settings of its monthly score."""

    slug = models.SlugField("标识", max_length=50, unique=True)
    name = models.CharField("名称", max_length=200)
    office = models.ForeignKey(
        Unit, verbose_name="牵头办公室", on_delete=models.PROTECT, related_name="campaigns",
        limit_choices_to={"kind": UnitKind.OFFICE},
    )
    # Levels ("上下贯通"): a county's campaign belongs to its city's; the city's office reads it (never changes it)
    # and sees it rolled up on its own campaign's front page.
    parent = models.ForeignKey(
        "self", verbose_name="上级三年行动", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
    )
    start_date = models.DateField("开始日期", default=datetime.date(2024, 1, 1))
    end_date = models.DateField("结束日期", default=datetime.date(2026, 12, 31))
    baseline_date = models.DateField(
        "存量基准日", default=datetime.date(2023, 12, 31), help_text="此日及以前发现的隐患计为存量"
    )
    report_deadline_day = models.PositiveSmallIntegerField(
        "月度填报截止日", default=25, validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    weight_on_time = models.DecimalField("按期完成权重", max_digits=5, decimal_places=2, default=40)
    weight_reporting = models.DecimalField("按时填报权重", max_digits=5, decimal_places=2, default=15)
    weight_targets = models.DecimalField("量化目标权重", max_digits=5, decimal_places=2, default=20)
    weight_hazards = models.DecimalField("隐患整改权重", max_digits=5, decimal_places=2, default=25)
    penalty_per_hazard = models.DecimalField("逾期隐患扣分（每项）", max_digits=5, decimal_places=2, default=1)
    penalty_cap = models.DecimalField("扣分上限", max_digits=5, decimal_places=2, default=10)
    is_active = models.BooleanField("进行中", default=True)
    sub_plans_name_cooperating_units = models.BooleanField(
        "子方案可指定其他配合单位", default=False,
        help_text="允许部门、乡镇在本单位子方案中把其他单位列为配合单位（牵头单位只能是本单位）",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "三年行动"
        verbose_name_plural = "三年行动"
        ordering = ["-start_date", "slug"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gt=models.F("start_date")), name="campaign_dates_ordered"),
            models.CheckConstraint(
                condition=Q(report_deadline_day__gte=1, report_deadline_day__lte=28), name="campaign_deadline_day_valid"
            ),
            models.CheckConstraint(
                condition=Q(weight_on_time__gte=0, weight_reporting__gte=0, weight_targets__gte=0,
                            weight_hazards__gte=0, penalty_per_hazard__gte=0, penalty_cap__gte=0),
                name="campaign_weights_not_negative",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.start_date and self.end_date and self.end_date <= self.start_date:
            raise ValidationError({"end_date": "结束日期必须晚于开始日期。"})
        if self.parent_id and self.office_id:
            if self.parent_id == self.pk:
                raise ValidationError({"parent": "上级三年行动不能是它自己。"})
            if self.parent.office_id not in unit_chain_ids(self.office_id)[1:]:
                raise ValidationError({"parent": "上级三年行动须由本单位的上级单位牵头。"})

    @property
    def years(self) -> list[int]:
        return list(range(self.start_date.year, self.end_date.year + 1))

    def contains(self, day: datetime.date) -> bool:
        return self.start_date <= day <= self.end_date


class Plan(models.Model):
    """A unit's plan within a campaign: the office's master plan or a unit's sub-plan ("1+N")."""

    campaign = models.ForeignKey(Campaign, verbose_name="三年行动", on_delete=models.CASCADE, related_name="plans")
    unit = models.ForeignKey(Unit, verbose_name="编制单位", on_delete=models.PROTECT, related_name="plans")
    kind = models.CharField("方案类别", max_length=10, choices=PlanKind.choices, default=PlanKind.SUB)
    title = models.CharField("方案名称", max_length=200)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "方案"
        verbose_name_plural = "方案"
        ordering = ["campaign", "-kind", "unit__kind", "unit__sort_order", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="plan_one_per_unit"),
            models.UniqueConstraint(
                fields=["campaign"], condition=Q(kind=PlanKind.MASTER), name="plan_one_master_per_campaign"
            ),
            models.CheckConstraint(condition=Q(kind__in=PlanKind.values), name="plan_kind_valid"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_master(self) -> bool:
        return self.kind == PlanKind.MASTER


class ActionLine(models.Model):
    """One of the plan's numbered action lines (八大行动 + 四项整治)."""

    plan = models.ForeignKey(Plan, verbose_name="方案", on_delete=models.CASCADE, related_name="action_lines")
    number = models.PositiveSmallIntegerField("序号")
    title = models.CharField("行动名称", max_length=200)
    description = models.TextField("说明", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "行动"
        verbose_name_plural = "行动"
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="action_line_number_unique")]

    def __str__(self):
        return f"{self.number}. {self.title}"


class KeyTask(models.Model):
    """A heading (重点工作) under an action line."""

    action_line = models.ForeignKey(
        ActionLine, verbose_name="行动", on_delete=models.CASCADE, related_name="key_tasks"
    )
    number = models.PositiveSmallIntegerField("序号", null=True, blank=True)
    title = models.CharField("重点工作", max_length=300)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "重点工作"
        verbose_name_plural = "重点工作"
        ordering = ["action_line", "number", "id"]
        constraints = [models.UniqueConstraint(fields=["action_line", "title"], name="key_task_title_unique")]

    def __str__(self):
        return self.title


class Profile(models.Model):
    """A user's role in the product and, for a liaison, the unit it speaks for."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        Unit, verbose_name="所属单位", null=True, blank=True, on_delete=models.PROTECT, related_name="profiles"
    )
    phone = models.CharField("联系电话", max_length=30, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "用户角色"
        verbose_name_plural = "用户角色"
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="profile_role_valid"),
            models.CheckConstraint(
                condition=~Q(role=Role.LIAISON) | Q(unit__isnull=False), name="profile_liaison_has_unit"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()}"

    def clean(self):
        if self.role == Role.LIAISON and not self.unit_id:
            raise ValidationError({"unit": "单位联络员必须指定所属单位。"})
