"""Fast inserts for large imports, below the ORM.

Building a model instance and compiling its INSERT costs far more than the insert itself;
a 10,000-row task list makes well over 100,000 rows (tasks, milestones, assignments, unit
links and their history). Here rows are plain tuples, ids are reserved up front, and each
table gets one executemany (SQLite) or execute_values (PostgreSQL).
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from django.db import connection
from django.utils import timezone


def allocate_ids(model, count: int) -> list[int]:
    """Reserve ``count`` primary keys for ``model``'s table."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                           [table, count])
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the surrounding transaction holds the write lock once it has written.
        cursor.execute(f'SELECT COALESCE(MAX("id"), 0) FROM "{table}"')
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


_PLAIN = (str, int, float, type(None))


def _adapt_sqlite(value):
    if type(value) in _PLAIN:
        return value
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _csv_value(value) -> str:
    """One field of PostgreSQL's CSV COPY format: NULL is an unquoted empty field, text is always quoted."""
    if value is None:
        return ""
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value)


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if '"' in text else '"' + text + '"'


def _csv_lines(rows: list[tuple]) -> str:
    """All rows in COPY's CSV format, choosing each column's converter once from its values' type."""
    converters = []
    for index in range(len(rows[0])):
        sample = next((row[index] for row in rows if row[index] is not None), None)
        if isinstance(sample, str):
            converters.append(_quote)
        elif isinstance(sample, int) and not isinstance(sample, bool):
            converters.append(str)
        else:
            converters.append(_csv_value)
    lines = []
    for row in rows:
        lines.append(",".join(["" if v is None else f(v) for f, v in zip(converters, row, strict=True)]))
    return "\n".join(lines)


def _adapt(value):
    return _adapt_sqlite(value) if connection.vendor == "sqlite" else value


def insert_rows(model, columns: list[str], rows: list[tuple], page_size: int = 2000) -> None:
    """INSERT ``rows`` (tuples in ``columns`` order, column names as in the database)."""
    if not rows:
        return
    table = model._meta.db_table
    quoted = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY is several times faster than INSERT for tens of thousands of rows.
            buffer = io.StringIO(_csv_lines(rows))
            cursor.cursor.copy_expert(f'COPY "{table}" ({quoted}) FROM STDIN WITH (FORMAT csv)', buffer)
        else:
            marks = ", ".join(["%s"] * len(columns))
            # Only dates, datetimes and decimals need converting for SQLite; find those columns once.
            sample = rows[0]
            convert = [i for i, v in enumerate(sample) if isinstance(v, (datetime.date, Decimal))]
            convert += [i for i, v in enumerate(sample) if v is None and any(
                isinstance(row[i], (datetime.date, Decimal)) for row in rows[:50])]
            if convert:
                adapted = []
                for row in rows:
                    row = list(row)
                    for i in convert:
                        row[i] = _adapt_sqlite(row[i])
                    adapted.append(row)
            else:
                adapted = rows
            cursor.executemany(f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})', adapted)


def insert_with_history(model, columns: list[str], rows: list[tuple], *, user, when=None) -> None:
    """Insert rows and a "created" history record for each, naming ``user`` (django-simple-history's table)."""
    insert_rows(model, columns, rows)
    history = model.history.model
    when = when or timezone.now()
    stamp = _adapt(when)
    user_id = user.pk if user is not None else None
    extra = ["history_date", "history_change_reason", "history_type", "history_user_id"]
    insert_rows(history, columns + extra, [(*row, stamp, None, "+", user_id) for row in rows])
