"""Reading what people write in spreadsheets and plans: full-width digits and dates written as text.

Every kind of sheet (task lists, hazard ledgers) and the demo's plan text read dates through here, so a
phrase such as "2025年6月底前" means the same date wherever it is read.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

_FULLWIDTH = str.maketrans("０１２３４５６７８９％．／－　", "0123456789%./- ")
_HAS_FULLWIDTH = re.compile("[０-９％．／－　]")


def to_halfwidth(text: str) -> str:
    """Full-width digits and the signs written with numbers, one character for one.

    Chinese punctuation (，；：（）) is left alone: the patterns here accept both forms.
    """
    if not text:
        return ""
    return text.translate(_FULLWIDTH) if _HAS_FULLWIDTH.search(text) else text


class DatePhraseError(ValueError):
    """A date phrase that names an impossible day, e.g. "2025年13月底前"."""


def _month_end(year: int, month: int) -> datetime.date:
    if not 1 <= month <= 12:
        raise DatePhraseError(f"月份“{month}”不存在")
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _exact(year: int, month: int, day: int) -> datetime.date:
    if not 1 <= month <= 12:
        raise DatePhraseError(f"月份“{month}”不存在")
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise DatePhraseError(f"{year}年{month}月没有{day}日") from None


# "2024年底前", "2025年6月底前", "2024年10月底", "2024年12月31日", "2024年，", "2025年上半年", "2024年第三季度"
_CN_DATE = re.compile(
    r"(?P<y>20\d{2})\s*年\s*"
    r"(?:(?P<half>上|下)半年|第?(?P<q>[一二三四1-4])季度|(?P<m>\d{1,2})\s*月(?:\s*(?P<d>\d{1,2})\s*[日号])?)?"
    r"\s*(?P<suffix>底前|年底前|底|末前|末|前|以前|之前)?"
)
_SEP_DATE = re.compile(r"(?<!\d)(?P<y>20\d{2})\s*[./-]\s*(?P<m>\d{1,2})\s*[./-]\s*(?P<d>\d{1,2})(?!\d)")
_QUARTER = {"一": 3, "二": 6, "三": 9, "四": 12, "1": 3, "2": 6, "3": 9, "4": 12}
# What may follow a bare "2024年" for it to be a deadline ("2024年，重点开展…").
_BARE_YEAR_FOLLOW = re.compile(r"\s*[,，:：]")


@dataclass(frozen=True)
class DatePhrase:
    start: int
    end: int
    date: datetime.date


def _phrase_date(match: re.Match, text: str) -> datetime.date | None:
    year = int(match["y"])
    if match.re is _SEP_DATE:
        return _exact(year, int(match["m"]), int(match["d"]))
    if match["half"]:
        return datetime.date(year, 6, 30) if match["half"] == "上" else datetime.date(year, 12, 31)
    if match["q"]:
        return _month_end(year, _QUARTER[match["q"]])
    if match["m"]:
        month = int(match["m"])
        if match["d"]:
            return _exact(year, month, int(match["d"]))
        # "2025年6月" alone still means the end of that month.
        return _month_end(year, month)
    if match["suffix"] or _BARE_YEAR_FOLLOW.match(text, match.end()):
        return datetime.date(year, 12, 31)
    return None


def find_date_phrases(text: str) -> list[DatePhrase]:
    """Every deadline phrase in ``text``, in order; raises DatePhraseError on an impossible one.

    A year alone counts only as "2024年，" or "2024年底前"; "2020年以来" and
    "2023年及以前" are references, not deadlines.
    """
    text = to_halfwidth(text)
    if "20" not in text:
        return []
    found: list[DatePhrase] = []
    taken: list[tuple[int, int]] = []
    for pattern in (_SEP_DATE, _CN_DATE):
        for match in pattern.finditer(text):
            if any(s <= match.start() < e for s, e in taken):
                continue
            day = _phrase_date(match, text)
            if day is None:
                continue
            end = match.end()
            taken.append((match.start(), end))
            found.append(DatePhrase(match.start(), end, day))
    return sorted(found, key=lambda p: p.start)


def parse_due(value) -> datetime.date | None:
    """A deadline cell: a date, a datetime, or text like "2024年底前" / "2025.12.31".

    Returns None for an empty cell; raises DatePhraseError for text that is not a date.
    """
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = to_halfwidth(str(value)).strip()
    if not text:
        return None
    phrases = find_date_phrases(text)
    if phrases:
        return phrases[0].date
    bare = re.fullmatch(r"(20\d{2})\s*年?", text)
    if bare:
        return datetime.date(int(bare[1]), 12, 31)
    raise DatePhraseError(f"无法识别的日期“{value}”")
