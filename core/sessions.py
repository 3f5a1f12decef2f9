"""Django's database sessions, read with a plain statement.

Every page a signed-in user opens reads the session row first. The ORM compiles that lookup anew on each
request, which costs several times what the database takes to answer it; here it is one ``SELECT`` with the
same conditions (the key, not yet expired). Everything else — creating, saving, deleting, ``clearsessions``
— is Django's own database backend (``SESSION_ENGINE = "core.sessions"``).
"""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        key = self.session_key  # None, or a key of valid length (SessionBase validates it)
        if key is None:
            return None
        model = self.model
        connection = connections[router.db_for_read(model)]
        q = connection.ops.quote_name
        data = q(model._meta.get_field("session_data").column)
        table, session_key = q(model._meta.db_table), q(model._meta.pk.column)
        expire = q(model._meta.get_field("expire_date").column)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {data} FROM {table} WHERE {session_key} = %s AND {expire} > %s",
                           [key, connection.ops.adapt_datetimefield_value(timezone.now())])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None  # as Django's backend does: a new session gets a new key
            return None
        return SimpleNamespace(session_data=row[0])  # all ``load`` reads of the row
