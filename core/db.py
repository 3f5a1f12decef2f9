"""Fast inserts for large imports, below the ORM.

Building a model instance and compiling its INSERT costs far more than the insert itself;
a 10,000-row task list makes well over 100,000 rows (tasks, milestones, assignments, unit
links and their history). Here rows are plain tuples, ids are reserved up front, and each
table gets one executemany (SQLite) or execute_values (PostgreSQL).
"""

from __future__ import annotations

import datetime
import io
import queue
import threading
import weakref
from contextlib import contextmanager
from decimal import Decimal
from types import SimpleNamespace

from django.db import connection
from django.utils import timezone
from simple_history.models import HistoricalRecords


def allocate_ids(model, count: int) -> list[int]:
    """Reserve ``count`` primary keys for ``model``'s table."""
    if count == 0:
        return []
    table, column = model._meta.db_table, model._meta.pk.column  # "history_id" for a history table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence is looked up once (a scalar subquery), not once per id: twice as fast.
            cursor.execute("SELECT nextval((SELECT pg_get_serial_sequence(%s, %s))::regclass) "
                           "FROM generate_series(1, %s)", [table, column, count])
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the surrounding transaction holds the write lock once it has written.
        cursor.execute(f'SELECT COALESCE(MAX("{column}"), 0) FROM "{table}"')
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


def ids_by(model, column: str, values: list) -> dict:
    """{value: primary key} of ``model``'s rows whose ``column`` holds one of ``values`` (a unique column).

    One query with an array on PostgreSQL; on SQLite, batches within its limit on query parameters. Plain SQL:
    the ORM would compile tens of thousands of parameters one by one.
    """
    table, pk = model._meta.db_table, model._meta.pk.column
    found: dict = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f'SELECT "{column}", "{pk}" FROM "{table}" WHERE "{column}" = ANY(%s)', [list(values)])
            found.update(cursor.fetchall())
            return found
        for start in range(0, len(values), 10_000):
            batch = values[start:start + 10_000]
            marks = ", ".join(["%s"] * len(batch))
            cursor.execute(f'SELECT "{column}", "{pk}" FROM "{table}" WHERE "{column}" IN ({marks})', batch)
            found.update(cursor.fetchall())
    return found


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


def _csv_column(values: tuple) -> list[str]:
    """One column of rows in COPY's CSV format, its converter chosen once from its values' type.

    Each kind is one list comprehension with the conversion written inline: a function call per value would
    cost more than the conversion itself, over the millions of values of a province's ledger.
    """
    first = values[0]
    if values.count(first) == len(values):  # a column the importer fills with one value ("", None, the campaign)
        return [_csv_value(first)] * len(values)
    sample = next((v for v in values if v is not None), None)
    if isinstance(sample, str):
        return ["" if v is None else '"' + v.replace('"', '""') + '"' for v in values]
    if isinstance(sample, int) and not isinstance(sample, bool):
        return ["" if v is None else str(v) for v in values]
    if isinstance(sample, (datetime.date, datetime.datetime)):
        return ["" if v is None else v.isoformat() for v in values]
    return [_csv_value(v) for v in values]


def _csv_lines(rows: list[tuple]) -> str:
    """All rows in COPY's CSV format."""
    # Column by column (one tight loop per column), then the columns zipped back into lines: twice as fast as
    # converting row by row for the hundreds of thousands of rows of a province.
    columns = [_csv_column(column) for column in zip(*rows, strict=True)]
    return "\n".join(map(",".join, zip(*columns, strict=True)))


def _adapt(value):
    return _adapt_sqlite(value) if connection.vendor == "sqlite" else value


def _copy_sql(model, columns: list[str]) -> str:
    quoted = ", ".join(f'"{c}"' for c in columns)
    return f'COPY "{model._meta.db_table}" ({quoted}) FROM STDIN WITH (FORMAT csv)'


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
            # The raw cursor bypasses Django's error translation: a refused value must still arrive
            # as django.db.DataError/IntegrityError, as it would from an INSERT.
            with connection.wrap_database_errors:
                cursor.cursor.copy_expert(_copy_sql(model, columns), buffer)
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


COPY_PIECE = 1 << 18  # characters of COPY data read and sent at a time by CopyWriter's thread


class CopyWriter:
    """Inserts handed to the database while the caller prepares the next ones.

    On PostgreSQL each ``insert`` turns its rows into COPY data in the caller's thread and queues it; a second
    thread sends the queued COPYs, in order, on the caller's connection (so in its transaction) and waits while
    the server stores the rows, checks them and updates the indexes. The caller meanwhile builds the next
    table's rows: on two cores the server's work and Python's overlap instead of taking turns. Inside the
    block any other query of the caller's first waits until every queued COPY is done (a connection carries one
    statement at a time), so reserve ids before the block to keep the overlap. Leaving the block waits for
    every COPY; the first refusal is raised as Django's database error (DataError, IntegrityError), as
    ``insert_rows`` would raise it. On SQLite ``insert`` is simply ``insert_rows``.
    """

    def __init__(self):
        self.background = connection.vendor == "postgresql"
        self._error: BaseException | None = None  # the first refusal, until raised in the caller's thread
        self._failed = False  # after a refusal the transaction is lost: the thread skips the rest

    def __enter__(self) -> CopyWriter:
        if self.background:
            connection.ensure_connection()
            self._raw = connection.connection
            self._jobs: queue.Queue = queue.Queue(maxsize=2)  # at most two tables' COPY data waiting in memory
            self._thread = threading.Thread(target=self._send, name="import-copy", daemon=True)
            self._thread.start()
            self._waiting = connection.execute_wrapper(self._after_copies)
            self._waiting.__enter__()
        return self

    def _after_copies(self, execute, sql, params, many, context):
        """Every other query of this thread's connection, once the queued COPYs are done."""
        self._jobs.join()
        self._raise_failure()
        return execute(sql, params, many, context)

    def insert(self, model, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        if not self.background:
            insert_rows(model, columns, rows)
            return
        self._raise_failure()
        self._jobs.put((_copy_sql(model, columns), _csv_lines(rows)))

    def _send(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                if job is None:
                    return
                if not self._failed:
                    sql, text = job
                    with self._raw.cursor() as cursor:
                        # psycopg2 lets go of the GIL while it sends each piece and while the server finishes,
                        # but not while it ends the COPY: pieces of this size keep that last wait short, and are
                        # few enough that getting the GIL back for each costs little.
                        cursor.copy_expert(sql, io.StringIO(text), size=COPY_PIECE)
            except BaseException as error:  # raised in the caller's thread
                self._error, self._failed = error, True
            finally:
                self._jobs.task_done()

    def _raise_failure(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            with connection.wrap_database_errors:  # psycopg2's error → django.db's
                raise error

    def __exit__(self, exc_type, exc, tb) -> bool:
        if self.background:
            self._jobs.put(None)
            self._thread.join()
            self._waiting.__exit__(None, None, None)
            if exc_type is None:
                self._raise_failure()
        return False


def insert_with_history(model, columns: list[str], rows: list[tuple], *, user, when=None,
                        m2m: dict[str, list[tuple[int, int]]] | None = None, insert=insert_rows) -> None:
    """Insert rows and a "created" history record for each naming ``user`` (django-simple-history's table).

    ``m2m`` maps a many-to-many field whose history is kept (``Task.lead_units``) to (row id, member id)
    links: they are inserted too, with the snapshot simple-history keeps beside each record, so the first
    later change of a row is compared with the members the import gave it rather than with none.
    ``insert`` is how rows are inserted (``CopyWriter.insert`` inside a writer's block, which takes no ``m2m``).
    """
    insert(model, columns, rows)
    history = model.history.model
    stamp = _adapt(when or timezone.now())
    user_id = user.pk if user is not None and user.is_authenticated else None
    extra = ["history_date", "history_change_reason", "history_type", "history_user_id"]
    if not m2m:  # the database numbers the records: nothing refers to them
        insert(history, columns + extra, [(*row, stamp, None, "+", user_id) for row in rows])
        return
    if insert is not insert_rows:
        raise ValueError("m2m links reserve ids as they go: insert them outside a CopyWriter's block")
    record_ids = allocate_ids(history, len(rows))
    insert_rows(history, columns + ["history_id", *extra],
                [(*row, record_id, stamp, None, "+", user_id) for row, record_id in zip(rows, record_ids, strict=True)])
    pk_index = columns.index(model._meta.pk.column)
    record_of = {row[pk_index]: record_id for row, record_id in zip(rows, record_ids, strict=True)}
    for name, links in m2m.items():
        field = model._meta.get_field(name)
        through = field.remote_field.through
        own, other = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
        link_rows = [(link_id, row_id, member_id)
                     for link_id, (row_id, member_id) in zip(allocate_ids(through, len(links)), links, strict=True)]
        insert_rows(through, ["id", own, other], link_rows)
        snapshot = HistoricalRecords.m2m_models[field]
        insert_rows(snapshot, ["id", own, other, "history_id"],
                    [(*link, record_of[link[1]]) for link in link_rows])


@contextmanager
def history_user(user):
    """Name ``user`` on every history record the ORM writes inside the block.

    HistoryRequestMiddleware does this for a request; an import confirmed anywhere else (a Celery job,
    a command, a service called from a test) would otherwise leave the records it writes through the
    ORM — changed tasks, synced assignments, targets — without an actor.
    """
    if user is None or not user.is_authenticated:
        yield
        return
    context = HistoricalRecords.context
    outer = getattr(context, "request", None)
    context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if outer is None:
            del context.request
        else:
            context.request = outer


# PostgreSQL: the statements prepared on each connection (sql → name). Planning a dozen subqueries costs more
# than running them, and pages read their cache marks on every request. Prepared statements live as long as the
# connection, whatever happens to its transactions.
_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def fetch_prepared(sql: str) -> tuple:
    """The first row of ``sql`` (no parameters), prepared once per PostgreSQL connection; plain on SQLite."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(sql)
            return tuple(cursor.fetchone())
        names = _prepared.setdefault(connection.connection, {})
        name = names.get(sql)
        if name is None:
            name = f"prepared_{len(names)}"
            # On the DB-API cursor: preparing is part of the connection's setup, not one of the page's queries
            # (which tests count, and which must not depend on whether this connection served a page before).
            with connection.wrap_database_errors:
                cursor.cursor.execute(f"PREPARE {name} AS {sql}")
            names[sql] = name
        cursor.execute(f"EXECUTE {name}")
        return tuple(cursor.fetchone())
