"""Reading numbers from query strings and forms strictly: ASCII digits only ("²" and "٣" are digits to Python's
``str.isdigit`` but not to ``int``), and never a 500 for a bad value."""

from __future__ import annotations

import datetime
import re

_DIGITS = re.compile(r"[0-9]{1,9}")


def strict_int(value) -> int | None:
    """The non-negative integer ``value`` spells in ASCII digits (at most 9), else None."""
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return int(value)
    return None


class BadMonth(ValueError):
    """A month that is not written ``YYYY-MM``; the message says so in words a user can act on."""


def parse_month(text) -> datetime.date:
    """``YYYY-MM`` → the month's first day (the one parser of months in URLs, forms and commands)."""
    try:
        return datetime.datetime.strptime(text.strip(), "%Y-%m").date()
    except (ValueError, AttributeError):
        raise BadMonth(f"月份“{text}”的格式不对，请写成 2025-03 这样的 年-月。") from None


def month_or(text, default: datetime.date) -> datetime.date:
    """The month ``text`` names, or the month of ``default`` when it names none."""
    try:
        return parse_month(text)
    except BadMonth:
        return default.replace(day=1)
