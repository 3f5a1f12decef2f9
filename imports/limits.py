"""Text cells checked against the length of the column they are stored in.

SQLite stores any length and PostgreSQL refuses the whole import at confirmation, so the preview names the
cell instead: the user sees the problem before confirming, on either database.
"""

from __future__ import annotations

import functools


@functools.cache
def max_length(model, field_name: str) -> int | None:
    return model._meta.get_field(field_name).max_length  # looked up once: a ledger checks every row's cells


def length_problem(value: str, model, field_name: str, label: str) -> str | None:
    """A Chinese message when ``value`` is longer than ``model.field_name`` holds, else None."""
    limit = max_length(model, field_name)
    if limit is None or len(value) <= limit:
        return None
    return f"“{label}”太长：{len(value)} 个字，最多 {limit} 个字。"
