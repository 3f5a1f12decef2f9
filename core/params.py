"""Reading numbers from query strings and forms strictly: ASCII digits only ("²" and "٣" are digits to Python's
``str.isdigit`` but not to ``int``), and never a 500 for a bad value."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]{1,9}")


def strict_int(value) -> int | None:
    """The non-negative integer ``value`` spells in ASCII digits (at most 9), else None."""
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return int(value)
    return None
