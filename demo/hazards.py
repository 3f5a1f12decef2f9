"""Deterministic demo hazards: a stock found up to the end of 2023 that burns down through 2024 with a
few stragglers, and new ones found since, mostly closed in time, some listed, some overdue."""

from __future__ import annotations

import datetime

from simple_history.utils import bulk_create_with_history

from campaign.choices import UnitKind
from campaign.models import Campaign, Unit
from hazards.choices import Channel, HazardState, Industry
from hazards.models import Enterprise, MajorHazard
from hazards.validators import make_credit_code

from .counties import WEISHAN, County
from .rolls import fraction

SUPERVISORS = {
    Industry.HAZCHEM: "ws-yjj", Industry.NONCOAL: "ws-yjj", Industry.COAL: "ws-yjj", Industry.INDUSTRY_TRADE: "ws-yjj",
    Industry.FIREWORKS: "ws-yjj", Industry.CONSTRUCTION: "ws-zjj", Industry.GAS: "ws-zjj", Industry.ROAD: "ws-jtysj",
    Industry.WATERWAY: "ws-jtysj", Industry.FIRE: "ws-xfdd", Industry.SPECIAL_EQUIPMENT: "ws-scjgj",
    Industry.EXPLOSIVES: "ws-gaj", Industry.WATER: "ws-swj", Industry.POWER: "ws-fgj", Industry.OTHER: "ws-yjj",
}
DESCRIPTIONS = [
    "涉爆粉尘作业场所未按规定设置泄爆装置", "有限空间作业未执行“先通风、再检测、后作业”", "储罐区未设置紧急切断装置",
    "燃气管道穿越建筑物未采取防护措施", "高处作业未设置防坠落设施", "消防通道被占用、安全出口锁闭",
    "特种设备超期未检验继续使用", "危险化学品仓库超量储存", "电气线路私拉乱接、未穿管保护",
]


def load_hazards(campaign: Campaign, today: datetime.date, office_user, county: County = WEISHAN,
                 count: int = 320) -> None:
    if MajorHazard.objects.filter(campaign=campaign).exists():
        return  # generated once; later runs leave the register (and what users did with it) alone
    townships = list(Unit.objects.filter(parent=campaign.office, kind__in=[UnitKind.TOWNSHIP, UnitKind.ZONE])
                     .order_by("sort_order"))
    supervisors = {code: Unit.objects.get(code=county.code(code)) for code in set(SUPERVISORS.values())}
    industries = list(Industry.values)
    span = (today - datetime.date(2023, 6, 1)).days
    enterprises, hazards = [], []
    for n in range(count):
        township = townships[n % len(townships)]
        enterprises.append(Enterprise(name=f"{township.name}第{n % 37 + 1}号企业（{n}）",
                                      credit_code=make_credit_code(f"91{county.region}{n + 1:08d}"), township=township))
    enterprises = bulk_create_with_history(enterprises, Enterprise, default_user=office_user)
    for n, enterprise in enumerate(enterprises):
        r = fraction("hazard", str(n))
        industry = industries[int(r * len(industries))]
        found = datetime.date(2023, 6, 1) + datetime.timedelta(days=int(fraction("found", str(n)) * span))
        deadline = found + datetime.timedelta(days=30 + int(r * 150))
        stock = found <= campaign.baseline_date
        # Stock burns down through 2024; a few stragglers and some late new ones stay open.
        closed = None
        if stock and r > 0.05:
            closed = min(datetime.date(2024, 1, 15) + datetime.timedelta(days=int(r * 330)), today)
        elif not stock and r > 0.15:
            closed = found + datetime.timedelta(days=20 + int(r * 120))
        if closed and closed > today:
            closed = None
        state = HazardState.CLOSED if closed else (HazardState.RECTIFYING if r > 0.1 else HazardState.REGISTERED)
        if state == HazardState.RECTIFYING and fraction("pending", str(n)) > 0.6:
            state = HazardState.PENDING_CLOSE
        listed = r > 0.85
        hazards.append(MajorHazard(
            campaign=campaign, enterprise=enterprise, township=enterprise.township,
            supervisor=supervisors[SUPERVISORS[industry]], industry=industry,
            description=DESCRIPTIONS[n % len(DESCRIPTIONS)], standard_clause="对照相应行业重大事故隐患判定标准",
            channel=list(Channel.values)[n % len(Channel.values)], found_on=found, state=state,
            measures="制定整改方案，落实资金和责任人，限期整改" if state != HazardState.REGISTERED else "",
            responsible_person="企业主要负责人" if state != HazardState.REGISTERED else "",
            deadline=deadline if state != HazardState.REGISTERED else None,
            rectified_on=closed - datetime.timedelta(days=5) if closed else None, closed_on=closed,
            listed_level="county" if listed else "", listed_on=found + datetime.timedelta(days=7) if listed else None,
            listing_unit=f"{county.name}安委会" if listed else "",
            notice_number=f"{county.short}安督〔{found.year}〕{n}号" if listed else "",
            principal_notified_on=found + datetime.timedelta(days=2), created_by=office_user,
        ))
    bulk_create_with_history(hazards, MajorHazard, batch_size=500, default_user=office_user)
