"""The hazard lifecycle (DESIGN §4): register → file plan → report rectified → close out (or return).

Each step checks who may take it and refuses what the rules do not allow with a message in Chinese.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from campaign import access, policy
from campaign.choices import UnitKind
from campaign.models import Campaign, Unit
from core.attachments import check_attachments
from core.errors import ServiceError

from .access import visible_hazards
from .choices import HazardState, ListedLevel
from .models import Enterprise, HazardEvidence, HazardFollowUp, MajorHazard


def can_register_in(user, *, township: Unit, supervisor: Unit) -> bool:
    """Office anywhere; a township liaison in its township; a department liaison in its remit."""
    if policy.allows(user, "office.work"):
        return True
    if not policy.allows(user, "unit.work"):
        return False
    unit = access.unit_of(user)
    if unit.kind in (UnitKind.TOWNSHIP, UnitKind.ZONE):
        return township.pk == unit.pk
    return supervisor.pk == unit.pk


def can_verify(user, hazard: MajorHazard) -> bool:
    """The supervising department verifies and closes; the office may act for it."""
    if policy.allows(user, "office.work"):
        return True
    return policy.allows(user, "unit.work") and access.unit_of(user).pk == hazard.supervisor_id


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ServiceError(message)


@transaction.atomic
def hazard_register(
    *, campaign: Campaign, enterprise: Enterprise, township: Unit, supervisor: Unit, industry: str,
    description: str, channel: str, found_on: datetime.date, user, standard_clause: str = "",
) -> MajorHazard:
    _require(can_register_in(user, township=township, supervisor=supervisor),
             "您只能登记本单位辖区或监管范围内的隐患。")
    description = (description or "").strip()
    _require(bool(description), "请填写隐患描述。")
    _require(found_on <= timezone.localdate(), "发现日期不能晚于今天。")
    # Registrations of one enterprise run one after the other, so a double submission finds its twin below.
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
    duplicate = MajorHazard.objects.filter(enterprise=enterprise, description=description, found_on=found_on).first()
    if duplicate is not None:
        # Its number only to someone who may open it: an answer never reveals another township's records.
        seen = visible_hazards(user, campaign).filter(pk=duplicate.pk).exists()
        raise ServiceError(f"该企业在 {found_on:%Y-%m-%d} 已登记过相同的隐患"
                           + (f"（编号 {duplicate.pk}）" if seen else "") + "，不要重复登记。")
    hazard = MajorHazard(
        campaign=campaign, enterprise=enterprise, township=township, supervisor=supervisor, industry=industry,
        description=description, standard_clause=standard_clause.strip(), channel=channel, found_on=found_on,
        created_by=user,
    )
    hazard.full_clean()
    hazard.save()
    return hazard


@transaction.atomic
def hazard_file_plan(
    *, hazard: MajorHazard, measures: str, responsible_person: str, deadline: datetime.date, user,
    funds: Decimal | None = None,
) -> MajorHazard:
    """File (or revise) the rectification plan: 待整改 → 整改中."""
    hazard = MajorHazard.objects.select_for_update().get(pk=hazard.pk)
    _require(can_register_in(user, township=hazard.township, supervisor=hazard.supervisor) or can_verify(user, hazard),
             "您无权修改该隐患。")
    _require(hazard.state in (HazardState.REGISTERED, HazardState.RECTIFYING),
             f"隐患当前为“{hazard.get_state_display()}”，不能修改整改方案。")
    _require(bool((measures or "").strip()), "请填写整改措施。")
    _require(bool((responsible_person or "").strip()), "请填写整改责任人。")
    _require(deadline is not None and deadline >= hazard.found_on, "整改期限不能早于发现日期。")
    hazard.measures, hazard.responsible_person = measures.strip(), responsible_person.strip()
    hazard.deadline, hazard.funds = deadline, funds
    hazard.state = HazardState.RECTIFYING
    hazard.save()
    return hazard


@transaction.atomic
def hazard_report_rectified(*, hazard: MajorHazard, rectified_on: datetime.date, files, user) -> MajorHazard:
    """整改中 → 待销号, with evidence: the request to close."""
    hazard = MajorHazard.objects.select_for_update().get(pk=hazard.pk)
    _require(can_register_in(user, township=hazard.township, supervisor=hazard.supervisor) or can_verify(user, hazard),
             "您无权修改该隐患。")
    _require(hazard.state != HazardState.REGISTERED, "尚未提交整改方案，不能报告整改完成。")
    _require(hazard.state == HazardState.RECTIFYING, f"隐患当前为“{hazard.get_state_display()}”，不能报告整改完成。")
    _require(rectified_on >= hazard.found_on and rectified_on <= timezone.localdate(), "整改完成日期不正确。")
    kinds = check_attachments(files, already=hazard.evidence.count())
    _require(bool(files) or hazard.evidence.exists(), "请上传整改佐证材料（照片或文件）。")
    for upload, kind in zip(files, kinds, strict=True):
        HazardEvidence.objects.create(hazard=hazard, file=upload, original_name=upload.name[:255], kind=kind,
                                      size=upload.size, uploaded_by=user)
    hazard.rectified_on = rectified_on
    hazard.state = HazardState.PENDING_CLOSE
    hazard.return_reason = ""
    hazard.save()
    return hazard


@transaction.atomic
def hazard_close(
    *, hazard: MajorHazard, user, closed_on: datetime.date | None = None, approval: str = ""
) -> MajorHazard:
    """待销号 → 已销号, verified by the supervising department; a listed hazard needs its listing level."""
    hazard = MajorHazard.objects.select_for_update().get(pk=hazard.pk)
    _require(can_verify(user, hazard), "只有监管部门（或安办）可以核查销号。")
    _require(hazard.state == HazardState.PENDING_CLOSE,
             "隐患尚未报告整改完成并经核查，不能销号。" if hazard.state != HazardState.CLOSED else "该隐患已销号。")
    if hazard.is_listed:
        # County listing: the county office approves; a city or province listing needs that level's approval.
        level = hazard.get_listed_level_display()
        _require(policy.allows(user, "office.work"), f"该隐患已由{level}挂牌督办，须经挂牌单位审核同意后由安办销号。")
        if hazard.listed_level != ListedLevel.COUNTY:
            unit = hazard.listing_unit or "挂牌单位"
            _require(bool((approval or "").strip()), f"该隐患为{level}挂牌督办，请填写{unit}的销号批准文号。")
    hazard.close_approval = (approval or "").strip()
    hazard.closed_on = closed_on or timezone.localdate()
    hazard.state = HazardState.CLOSED
    hazard.save()
    return hazard


@transaction.atomic
def hazard_return(*, hazard: MajorHazard, user, reason: str) -> MajorHazard:
    """A rejected close-out goes back to 整改中 with the reason."""
    hazard = MajorHazard.objects.select_for_update().get(pk=hazard.pk)
    _require(can_verify(user, hazard), "只有监管部门（或安办）可以退回。")
    _require(hazard.state == HazardState.PENDING_CLOSE, f"隐患当前为“{hazard.get_state_display()}”，不能退回。")
    _require(bool((reason or "").strip()), "退回时请填写原因。")
    hazard.state, hazard.return_reason = HazardState.RECTIFYING, reason.strip()
    hazard.save()
    return hazard


@transaction.atomic
def hazard_list_for_supervision(
    *, hazard: MajorHazard, level: str, listed_on: datetime.date, listing_unit: str, notice_number: str, user
) -> MajorHazard:
    """挂牌督办: only the office records a listing."""
    _require(policy.allows(user, "office.work"), "只有安办可以登记挂牌督办。")
    _require(level in ListedLevel.values, "请选择挂牌督办级别。")
    _require(hazard.state != HazardState.CLOSED, "已销号的隐患不能挂牌督办。")
    hazard.listed_level, hazard.listed_on = level, listed_on
    hazard.listing_unit, hazard.notice_number = listing_unit.strip(), notice_number.strip()
    hazard.save()
    return hazard


def hazard_follow_up(*, hazard: MajorHazard, kind: str, content: str, user) -> HazardFollowUp:
    _require(policy.allows(user, "office.work") or can_verify(user, hazard), "您无权对该隐患采取督办措施。")
    _require(bool((content or "").strip()), "请填写内容。")
    return HazardFollowUp.objects.create(hazard=hazard, kind=kind, content=content.strip(), issued_by=user)


@transaction.atomic
def hazard_record_notification(
    *, hazard: MajorHazard, user, principal_on: datetime.date | None, controller_on: datetime.date | None
) -> MajorHazard:
    """通知到主要负责人、实际控制人: when the enterprise's principal and actual controller were told."""
    _require(policy.allows(user, "office.work") or can_verify(user, hazard)
             or can_register_in(user, township=hazard.township, supervisor=hazard.supervisor), "您无权修改该隐患。")
    for day in (principal_on, controller_on):
        _require(day is None or hazard.found_on <= day <= timezone.localdate(), "通知日期应在发现日期和今天之间。")
    hazard.principal_notified_on = principal_on or hazard.principal_notified_on
    hazard.controller_notified_on = controller_on or hazard.controller_notified_on
    hazard.save()
    return hazard
