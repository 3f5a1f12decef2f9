from django.db import models


class AssignmentRole(models.TextChoices):
    LEAD = "lead", "牵头"
    COOPERATE = "coop", "配合"


class Comparator(models.TextChoices):
    GTE = "gte", "≥"
    LTE = "lte", "≤"
    EQ = "eq", "="


class MeasureUnit(models.TextChoices):
    PERCENT = "%", "%"
    ENTERPRISES = "家", "家"
    PEOPLE = "人", "人"
    TIMES = "次", "次"
    ITEMS = "个", "个"
    TASKS = "项", "项"
    PLACES = "处", "处"


class State(models.TextChoices):
    """Where an assignment is in its lifecycle (DESIGN §3); derived, never typed."""

    NOT_STARTED = "not_started", "未开始"
    IN_PROGRESS = "in_progress", "进行中"
    COMPLETED = "completed", "已完成"
    CLOSED = "closed", "已销号"


class Warning(models.TextChoices):
    NONE = "", "—"
    DUE_SOON = "due_soon", "临期"
    OVERDUE = "overdue", "逾期"


class Light(models.TextChoices):
    GREEN = "green", "绿灯"
    YELLOW = "yellow", "黄灯"
    RED = "red", "红灯"


# The plan page's single status filter: the lifecycle states plus the two warnings.
STATUS_FILTER_CHOICES = [
    (State.NOT_STARTED, "未开始"),
    (State.IN_PROGRESS, "进行中"),
    (Warning.DUE_SOON, "临期"),
    (Warning.OVERDUE, "逾期"),
    (State.COMPLETED, "已完成"),
    (State.CLOSED, "已销号"),
]

DUE_SOON_DAYS = 7


class ReportState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待审核"
    ACCEPTED = "accepted", "已通过"
    RETURNED = "returned", "已退回"


class ReportedStatus(models.TextChoices):
    """What the liaison says about the assignment this month."""

    IN_PROGRESS = "in_progress", "进行中"
    COMPLETED = "completed", "已完成"


class ExtensionState(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未批准"


class FollowUpKind(models.TextChoices):
    REMINDER = "reminder", "提醒"
    NOTICE = "notice", "督办单"
    INTERVIEW = "interview", "约谈"
