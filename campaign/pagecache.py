"""Keeping what a page computed from a whole register or report until that data changes.

A province's statistics read 200,000 hazards and its scoreboard 2,000 scores: far too much for every
page view, and they change much less often than they are read. Pages cache their numbers (or the
rendered fragment) under a key that includes a *mark* of the tables they come from: the largest id of
each table and of its history table. Every insert raises the first; every change or deletion made through
the application writes a history record and raises the second. So a key is never reused after a change,
and nothing has to remember to invalidate anything. The cache timeout (``TIMEOUT``) bounds the cases marks
can miss: two writers committing in the opposite order of their ids while a page is being built, and a
change that bypasses the history (``QuerySet.update()`` or raw SQL on these tables, which the application
does not use for them; bulk loaders that delete rows, like ``seed_scale``, also insert new ones).
Marks are global, not per campaign: a change anywhere makes every campaign's pages recompute once.

The cache is Django's default one: per process unless the deployment configures a shared one (Redis).
"""

from __future__ import annotations

import functools
import hashlib
import re
import weakref

from django.db import connection
from django.utils import translation

TIMEOUT = 120


@functools.cache
def _mark_queries(models: tuple) -> tuple[tuple[str, bool], ...]:
    """(SQL, is_text) of each mark of ``models``.

    A model with a history table: the largest id of both. A small model without one names the timestamps its
    changes set in ``PAGE_MARK_FIELDS`` (e.g. built, published): its marks are its row count (deletions), its
    largest id (insertions) and the latest of each timestamp.
    """
    parts = []
    for model in dict.fromkeys(models):  # a table named twice is read once
        history = getattr(model, "history", None)
        if history is not None:
            for table in (model, history.model):  # django-simple-history's table of the model's changes
                parts.append((f'SELECT MAX("{table._meta.pk.column}") FROM "{table._meta.db_table}"', False))
            continue
        fields = getattr(model, "PAGE_MARK_FIELDS", None)
        if fields is None:
            raise TypeError(f"{model.__name__} has no history table and no PAGE_MARK_FIELDS")
        table = model._meta.db_table
        parts.append((f'SELECT COUNT(*) FROM "{table}"', False))
        parts.append((f'SELECT MAX("{model._meta.pk.column}") FROM "{table}"', False))
        for name in fields:
            column = model._meta.get_field(name).column
            parts.append((f'SELECT CAST(MAX("{column}") AS TEXT) FROM "{table}"', True))
    return tuple(parts)


@functools.cache
def _marks_sql(models: tuple) -> str:
    return "SELECT " + ", ".join(f"({sql})" for sql, _ in _mark_queries(models))


def mark_annotations(models: tuple) -> dict:
    """The marks as annotations of another query (``mark0``, ``mark1``, …), to read them in the same round trip."""
    from django.db.models import BigIntegerField, TextField
    from django.db.models.expressions import RawSQL

    return {f"mark{n}": RawSQL(sql, (), output_field=TextField() if text else BigIntegerField())
            for n, (sql, text) in enumerate(_mark_queries(models))}


def marks_of(obj, models: tuple) -> tuple:
    """The marks read with ``obj`` through ``mark_annotations``."""
    return tuple(getattr(obj, f"mark{n}") for n in range(len(_mark_queries(models))))


# PostgreSQL: the statements prepared on each connection (sql → name). Planning a dozen subqueries costs more
# than running them, and every page kept whole reads its marks on every request. Prepared statements live as
# long as the connection, whatever happens to its transactions.
_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def table_marks(*models) -> tuple:
    """The largest primary key of each model's table and of its history table, in one query (each is one step
    down an index)."""
    sql = _marks_sql(models)
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(sql)
            return tuple(cursor.fetchone())
        names = _prepared.setdefault(connection.connection, {})
        name = names.get(sql)
        if name is None:
            name = f"page_marks_{len(names)}"
            # On the DB-API cursor: preparing is part of the connection's setup, not one of the page's queries
            # (which tests count, and which must not depend on whether this connection served a page before).
            with connection.wrap_database_errors:
                cursor.cursor.execute(f"PREPARE {name} AS {sql}")
            names[sql] = name
        cursor.execute(f"EXECUTE {name}")
        return tuple(cursor.fetchone())


def cache_key(*parts) -> str:
    """A short cache key from any printable parts and the active language (pages are translated)."""
    digest = hashlib.sha1(repr((translation.get_language(), parts)).encode()).hexdigest()
    return f"page:{digest}"


# ---- whole pages -------------------------------------------------------------------------------------------------
# A page kept whole holds two things that differ on every request: the CSRF token of its forms (the layout's
# logout and language forms) and the CSP nonce of its scripts. The page is kept in pieces around them, and they
# are filled in with the request's own when it is served.

_HOLES = re.compile(rb'(?<=name="csrfmiddlewaretoken" value=")[^"]*(?=")|(?<=nonce=")[^"]*(?=")')


def hollow(content: bytes) -> tuple[bytes, ...]:
    """A rendered page as its pieces around the CSRF tokens and CSP nonces: (text, hole, text, hole, …, text),
    each hole ``b"csrf"`` or ``b"nonce"``. Kept as encoded bytes, so serving the page again is one join."""
    pieces, start = [], 0
    for match in _HOLES.finditer(content):
        pieces.append(content[start:match.start()])
        pieces.append(b"csrf" if content[match.start() - 7:match.start()] == b'value="' else b"nonce")
        start = match.end()
    pieces.append(content[start:])
    return tuple(pieces)


def fill(pieces: tuple[bytes, ...], request) -> bytes:
    """The page ``hollow`` cut up, with this request's CSRF token and CSP nonce."""
    from django.middleware.csrf import get_token

    if len(pieces) == 1:
        return pieces[0]
    values = {}
    if b"csrf" in pieces[1::2]:
        values[b"csrf"] = get_token(request).encode()
    if b"nonce" in pieces[1::2]:
        values[b"nonce"] = str(request.csp_nonce).encode()
    return b"".join(piece if n % 2 == 0 else values[piece] for n, piece in enumerate(pieces))
