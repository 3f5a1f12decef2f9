"""The two bulletins (表扬 / 反面典型) drafted from the ranking (DESIGN §5 defaults)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from .models import Bulletin, BulletinKind, Group, MonthlyReport, UnitScore

PRAISED = 3
CRITICISED = 3
PASS_MARK = Decimal(60)

CN_NUMBERS = "一二三四五六七八九十"


def _by_group(scores: list[UnitScore]) -> dict[str, list[UnitScore]]:
    """Each group's ranked units in rank order; a unit with nothing rated (本月无考核事项) is never in a bulletin."""
    groups: dict[str, list[UnitScore]] = {group: [] for group in Group.values}
    for score in sorted((s for s in scores if s.rated), key=lambda s: (s.rank, s.sort_order, s.unit_code)):
        groups[score.group].append(score)
    return groups


def praised(scores: list[UnitScore]) -> list[UnitScore]:
    """The top three of each group; a unit tied with the third is praised too."""
    result = []
    for members in _by_group(scores).values():
        if members:
            cut = members[min(PRAISED, len(members)) - 1].rank
            result.extend(s for s in members if s.rank <= cut)
    return result


def criticised(scores: list[UnitScore]) -> list[UnitScore]:
    """The bottom three of each group (ties with the third from last included) and any unit under 60.

    A unit already praised is not also criticised unless it scored under 60.
    """
    praised_ids = {s.unit_id for s in praised(scores)}
    result = []
    for members in _by_group(scores).values():
        if not members:
            continue
        cut = members[max(len(members) - CRITICISED, 0)].rank
        result.extend(
            s for s in members
            if s.score < PASS_MARK or (s.rank >= cut and s.unit_id not in praised_ids)
        )
    return result


def _names(scores: list[UnitScore]) -> str:
    return "、".join(f"{s.unit_name}（{s.score}分）" for s in scores)


def _praise_body(report: MonthlyReport, listed: list[UnitScore]) -> str:
    campaign = report.campaign
    parts = [
        f"为推动《{campaign.name}》各项任务落地见效，根据月调度、月通报和量化排名制度，"
        f"{campaign.office.name}对{report.month_label}各乡镇（街道）、开发区和县直有关部门的任务按期完成、"
        f"进展按时报送、量化目标达成和重大事故隐患按期整改情况进行了量化评分。现将排名靠前的单位予以通报表扬。"
    ]
    groups = _by_group(listed)
    for index, group in enumerate(g for g in Group if groups[g.value]):
        parts.append(f"{CN_NUMBERS[index]}、{group.label}：{_names(groups[group.value])}。")
    parts.append("希望受到通报表扬的单位再接再厉，巩固成绩。各单位要以先进为榜样，对照任务清单、问题隐患清单和"
                 "制度措施清单，压实责任、补齐短板，确保治本攻坚三年行动各项任务按期完成。")
    return "\n\n".join(parts)


def _criticism_body(report: MonthlyReport, listed: list[UnitScore]) -> str:
    campaign = report.campaign
    parts = [
        f"根据《{campaign.name}》月调度、月通报和量化排名制度，{campaign.office.name}对{report.month_label}"
        f"各单位工作情况进行了量化评分。现将排名靠后、得分低于{PASS_MARK}分的单位及其逾期任务、逾期未整改"
        f"重大事故隐患情况予以通报。"
    ]
    groups = _by_group(listed)
    for index, group in enumerate(g for g in Group if groups[g.value]):
        lines = []
        for s in groups[group.value]:
            lines.append(f"{s.unit_name}（{s.score}分，第{s.rank}名，逾期任务{s.overdue_tasks}项、"
                         f"逾期未销号重大事故隐患{s.overdue_hazards}项）")
        parts.append(f"{CN_NUMBERS[index]}、{group.label}：{'；'.join(lines)}。")
    parts.append("被通报单位要深刻剖析原因，逐项制定整改措施，明确责任人和完成时限，于下月5日前将整改情况书面报送"
                 f"{campaign.office.name}。对连续两个月被通报的单位，将按规定约谈主要负责人。")
    return "\n\n".join(parts)


ADDRESSEE = "各乡镇人民政府、街道办事处，开发区管委会，县直有关部门："


def draft_bulletins(report: MonthlyReport, scores: list[UnitScore]) -> list[Bulletin]:
    """Unsaved bulletins for a freshly built report."""
    issuer = report.campaign.office.name
    today = timezone.localdate()
    good, bad = praised(scores), criticised(scores)
    return [
        Bulletin(report=report, kind=BulletinKind.PRAISE, issuer=issuer, addressee=ADDRESSEE, issued_on=today,
                 title=f"关于{report.month_label}安全生产治本攻坚三年行动工作成效突出单位的通报",
                 body=_praise_body(report, good), units=[s.unit_code for s in good]),
        Bulletin(report=report, kind=BulletinKind.CRITICISM, issuer=issuer, addressee=ADDRESSEE, issued_on=today,
                 title=f"关于{report.month_label}安全生产治本攻坚三年行动工作排名靠后单位的通报",
                 body=_criticism_body(report, bad), units=[s.unit_code for s in bad]),
    ]


def listed_scores(bulletin: Bulletin) -> list[UnitScore]:
    """The bulletin's units in its order, with their month-end details."""
    by_code = {s.unit_code: s for s in bulletin.report.scores.all()}
    return [by_code[code] for code in bulletin.units if code in by_code]
