"""Keeping what a page computed from a whole register or report until that data changes.

A province's statistics read 200,000 hazards and its scoreboard 2,000 scores: far too much for every
page view, and they change much less often than they are read. Pages cache their numbers (or the
rendered fragment) under a key that includes a *mark* of the tables they come from: the largest id of
each table and of its history table. Every insert raises the first; every change or deletion made through
the application writes a history record and raises the second. So a key is never reused after a change,
and nothing has to remember to invalidate anything. The cache timeout (``TIMEOUT``) bounds the one case
marks can miss: two writers committing in the opposite order of their ids while a page is being built.

The cache is Django's default one: per process unless the deployment configures a shared one (Redis).
"""

from __future__ import annotations

import functools
import hashlib

from django.db import connection

TIMEOUT = 120


@functools.cache
def _marks_sql(models: tuple) -> str:
    parts = []
    for model in models:
        for table in (model, model.history.model):  # django-simple-history's table of the model's changes
            parts.append(f'(SELECT MAX("{table._meta.pk.column}") FROM "{table._meta.db_table}")')
    return "SELECT " + ", ".join(parts)


def table_marks(*models) -> tuple:
    """The largest primary key of each model's table and of its history table, in one query (each is one step
    down an index)."""
    with connection.cursor() as cursor:
        cursor.execute(_marks_sql(models))
        return tuple(cursor.fetchone())


def cache_key(*parts) -> str:
    """A short cache key from any printable parts."""
    digest = hashlib.sha1(repr(parts).encode()).hexdigest()
    return f"page:{digest}"
