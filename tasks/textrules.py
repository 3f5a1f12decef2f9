"""Reading the plan's own wording: deadlines written as text, milestones and quantified targets.

These rules serve the demo loader and the Excel import alike, so a phrase such as
"2025年6月底前" means the same date wherever it is read.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from imports.parsing import find_date_phrases, to_halfwidth

from .choices import Comparator


@dataclass
class MilestoneSpec:
    due_date: datetime.date
    text: str


_SENTENCE = re.compile(r"[^。；;！？\n]+[。；;！？]?")
_LEADING_PUNCT = re.compile(r"^[\s,，、:：]+")


@dataclass
class Sentence:
    text: str
    date: datetime.date | None  # the first deadline it names
    body: str  # what the milestone says: the sentence, less a deadline it starts with


def analyse(text: str) -> list[Sentence]:
    """The text's sentences with their deadlines, read once; raises DatePhraseError on an impossible date."""
    result = []
    for match in _SENTENCE.finditer(text or ""):
        sentence = match.group().strip()
        if not sentence:
            continue
        phrases = find_date_phrases(sentence)
        if not phrases:
            result.append(Sentence(sentence, None, sentence))
            continue
        first = phrases[0]
        body = sentence
        if not _LEADING_PUNCT.sub("", to_halfwidth(sentence)[: first.start]):
            body = _LEADING_PUNCT.sub("", sentence[first.end:])
        body = body.rstrip("。；;")
        result.append(Sentence(sentence, first.date, body or sentence.rstrip("。；;")))
    return result


def milestones_from(sentences: list[Sentence], default_due: datetime.date, default_text: str = ""):
    milestones = [MilestoneSpec(s.date, s.body) for s in sentences if s.date is not None]
    return milestones or [MilestoneSpec(default_due, default_text)]


def split_milestones(text: str, default_due: datetime.date, default_text: str = "") -> list[MilestoneSpec]:
    """Cut a task's text into dated milestones, one per sentence that names a deadline.

    A sentence that starts with the deadline ("2025年6月底前，基本掌握…") keeps only what
    follows it; one that names it midway keeps the whole sentence. A text without any
    deadline gives a single milestone due at ``default_due``.
    """
    return milestones_from(analyse(text), default_due, default_text)


@dataclass
class TargetSpec:
    metric: str
    measure_unit: str
    comparator: str
    value: Decimal
    source_text: str


_NUM = r"(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>%|家|人|次|个|项|处)"
_TARGET_PATTERNS = [
    # "覆盖率达到100%", "占比达到40%", "产量达到90%以上", "不低于90%", "不少于30人", "不超过5家"
    re.compile(
        r"(?P<verb>达到|达|提高到|提升到|提升至|提高至|不低于|不少于|不超过|不高于|控制在|保持在|低于|少于|高于)\s*"
        + _NUM
        + r"(?P<tail>以上|以下|以内|及以上|左右)?"
    ),
    # "知晓率80%以上", "持证上岗率100%", "参训率100%"
    re.compile(r"(?P<verb>率|比例|占比)\s*" + _NUM + r"(?P<tail>以上|以下|以内|及以上)?"),
    # "10人以上" only when the clause ends there ("培训人数30人以上。")
    re.compile(r"(?P<verb>)" + _NUM + r"(?P<tail>以上|以下|以内)(?=\s*(?:[,，。；;、)）]|$))"),
]
_ANY_NUMBER_UNIT = re.compile(r"\d\s*(?:%|家|人|次|个|项|处)")
_LTE_WORDS = {"不超过", "不高于", "控制在", "低于", "少于"}
_CLAUSE_CUT = re.compile(r"[,，;；。:：]")
_METRIC_TRIM = re.compile(r"^(?:\d+\s*[.、]\s*)?(?:其中|全面|基本|确保|推动|实现|力争|全县|并)*")


def _clause_start(text: str, position: int) -> int:
    """Index just after the last clause separator before ``position``."""
    return max(text.rfind(mark, 0, position) for mark in ",，;；。:：") + 1


def _metric_before(clause: str, verb: str) -> str:
    metric = clause
    for phrase in reversed(find_date_phrases(metric)):
        metric = metric[: phrase.start] + metric[phrase.end:]
    metric = _LEADING_PUNCT.sub("", metric).strip()
    metric = _METRIC_TRIM.sub("", metric)
    if verb in {"率", "比例", "占比"}:
        metric += verb
    return metric.strip(" 、“”\"") or "完成率"


def has_target_words(text: str) -> bool:
    """A cheap test before the full search: a number followed by a unit."""
    return bool(_ANY_NUMBER_UNIT.search(to_halfwidth(text or "")))


def extract_targets(text: str) -> list[TargetSpec]:
    """Quantified targets stated in the text: "覆盖率达到100%", "知晓率80%以上", "不少于30人"."""
    found: list[TargetSpec] = []
    normal = to_halfwidth(text or "")
    if not _ANY_NUMBER_UNIT.search(normal):
        return found
    spans: list[tuple[int, int]] = []
    for pattern in _TARGET_PATTERNS:
        for match in pattern.finditer(normal):
            if any(s <= match.start("num") < e for s, e in spans):
                continue
            spans.append((match.start("num"), match.end()))
            verb = match["verb"] or ""
            tail = match["tail"] or ""
            if verb in _LTE_WORDS or tail in {"以下", "以内"}:
                comparator = Comparator.LTE
            elif tail == "左右":
                comparator = Comparator.EQ
            else:
                comparator = Comparator.GTE
            clause_start = _clause_start(normal, match.start())
            clause_end = _CLAUSE_CUT.search(normal, match.end())
            source = text[clause_start: clause_end.start() if clause_end else len(text)].strip()
            metric = _metric_before(text[clause_start: match.start()], verb)
            found.append(TargetSpec(metric[:200], match["unit"], comparator, Decimal(match["num"]), source[:300]))
    return found
