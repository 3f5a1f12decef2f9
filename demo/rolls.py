"""The demo's dice: stable numbers from strings, so every run on every machine tells the same story."""

from __future__ import annotations

import datetime
import hashlib

TZ = datetime.timezone(datetime.timedelta(hours=8))


def fraction(*parts: str) -> float:
    """A stable number in [0, 1) from the given strings (the same on every run and machine)."""
    digest = hashlib.sha256("|".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    """``hour`` o'clock on ``day``, Beijing time."""
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=TZ)
