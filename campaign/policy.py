"""Who may do what, declared once.

Every action a page, a service or a template asks about is a named rule in ``ACTIONS`` with the message a refused
user reads; an app whose objects need more (a hazard's remit, an import's kind) declares its own actions here from
its ``apps.ready``. Views state their action (``ActionRequiredMixin.action``) or call ``require``; services call
``require`` too, so a job or a new page that calls a service is held to the same rule. The roles the predicates
read are the user's roles where it is acting (``access.role_of``: inside a campaign, its role there — an office
above the campaign's reads it like a leader). No other module raises ``PermissionDenied`` or checks a role
(tests/security/test_policy.py keeps it so). Predicates come from django-rules, so they combine with ``|``/``&``.
"""

from __future__ import annotations

from dataclasses import dataclass

import rules
from django.core.exceptions import PermissionDenied

from . import access


@dataclass(frozen=True)
class Action:
    name: str
    rule: rules.Predicate
    refusal: str


ACTIONS: dict[str, Action] = {}


def declare(name: str, rule: rules.Predicate, refusal: str) -> None:
    if name in ACTIONS and ACTIONS[name].rule is not rule:
        raise ValueError(f"action {name!r} is declared twice")
    ACTIONS[name] = Action(name, rule, refusal)


def allows(user, name: str, obj=None) -> bool:
    return ACTIONS[name].rule.test(user, obj)


def require(user, name: str, obj=None) -> None:
    """Raise PermissionDenied with the action's message unless ``user`` may do it (on ``obj``)."""
    if not allows(user, name, obj):
        raise PermissionDenied(ACTIONS[name].refusal)


def refusal(name: str) -> str:
    return ACTIONS[name].refusal


# ---- predicates ------------------------------------------------------------------------------------------------

is_member = rules.predicate(access.has_access, name="is_member")
is_office = rules.predicate(access.is_office, name="is_office")
reads_everything = rules.predicate(access.reads_everything, name="reads_everything")
is_liaison = rules.predicate(access.is_liaison, name="is_liaison")


@rules.predicate
def edits_plan(user, plan) -> bool:
    """The office edits every plan of its campaign; a liaison only its own unit's sub-plan."""
    return access.can_edit_plan(user, plan)


@rules.predicate
def reports_for(user, unit) -> bool:
    """A liaison reports for its own unit; the office may fill in for any unit."""
    return access.can_report_for(user, unit)


@rules.predicate
def reports_for_assignment(user, assignment) -> bool:
    return access.can_report_for(user, assignment.unit)


@rules.predicate
def edits_plan_of(user, task) -> bool:
    return access.can_edit_plan(user, task.plan)


# ---- the actions -----------------------------------------------------------------------------------------------

declare("member", is_member, "您的账号尚未分配角色，请联系管理员。")
declare("office.work", is_office, "只有安办工作人员可以进行此操作。")
declare("everything.read", reads_everything, "只有安办工作人员和领导可以查看。")
declare("unit.work", is_liaison, "只有责任单位的联络员可以进行此操作。")
declare("campaign.manage", is_office, "单位、三年行动、方案和行动由安办维护。")
declare("dispatch.view", reads_everything, "月调度报告仅供安委办和领导查看；排名与通报可在“量化排名”中查看。")
declare("reports.build", is_office, "只有安委办工作人员可以生成月报。")
declare("reports.publish", is_office, "只有安委办工作人员可以发布月报。")
declare("bulletin.edit", is_office, "只有安委办工作人员可以修改通报。")
declare("progress.review", is_office, "只有安办工作人员可以审核。")
declare("progress.enter", is_office | is_liaison, "领导账号只能查看，不能填报。")
declare("unit.report", reports_for, "只有本单位的联络员（或安办）可以为该单位填报。")
declare("extension.request", reports_for_assignment, "只有责任单位可以申请延期。")
declare("plan.edit", edits_plan, "您可以查看该方案，但无权修改。")
declare("plan.import", edits_plan, "您可以查看该方案，但无权导入。")
declare("plan.export", reads_everything | edits_plan, "您只能导出本单位的方案。")
declare("task.delete", edits_plan_of, "您可以查看该任务，但无权删除。")
declare("hazard.register", is_office | is_liaison, "领导账号只能查看，不能登记隐患。")
declare("hazard.import", is_office, "只有安办可以导入隐患台账。")
declare("hazard.export_all", reads_everything, "只有安办和领导可以导出全部台账。")
declare("audit.view", is_office, "只有安办工作人员可以查看操作日志。")
