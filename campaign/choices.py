from django.db import models


class UnitKind(models.TextChoices):
    OFFICE = "office", "安委会办公室"
    DEPARTMENT = "department", "部门"
    TOWNSHIP = "township", "乡镇（街道）"
    ZONE = "zone", "开发区（功能区）"


class PlanKind(models.TextChoices):
    MASTER = "master", "总方案"
    SUB = "sub", "子方案"


class Role(models.TextChoices):
    OFFICE = "office", "安办工作人员"
    LEADER = "leader", "领导"
    LIAISON = "liaison", "单位联络员"


# Townships and zones are ranked together, departments apart (DESIGN §5).
RANKING_GROUPS = {
    UnitKind.TOWNSHIP: "township",
    UnitKind.ZONE: "township",
    UnitKind.DEPARTMENT: "department",
}
