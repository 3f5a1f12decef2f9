"""Authentication backend: Django's ModelBackend, reading the user's profile and unit with the user.

Every page asks for the user's role and unit (navigation, access rules); reading them in the query that loads
the session's user saves a round trip per request (campaign/access.py uses them when they are loaded).

The query is written once per database connection from the models' fields, not compiled by the ORM on every
request: compiling ``User.objects.select_related("profile__unit").get(pk=…)`` costs a page served from the
cache more than everything else it does. The rows become model instances the way the ORM makes them
(``Model.from_db`` and the backend's and fields' converters), with the same related-object caches
``select_related`` fills, so the rest of the code cannot tell the difference.
"""

from __future__ import annotations

import weakref

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connections, router


class ProfileModelBackend(ModelBackend):
    def get_user(self, user_id):
        user = load_user_with_profile(user_id)  # already the pk's Python type (django.contrib.auth.get_user)
        return user if user is not None and self.user_can_authenticate(user) else None


class _Part:
    """One model of the join: its columns' position in the row, attribute names and converters."""

    def __init__(self, model, alias: str, start: int, connection):
        self.model = model
        fields = model._meta.concrete_fields
        self.columns = [f'{alias}.{connection.ops.quote_name(f.column)}' for f in fields]
        self.attnames = [f.attname for f in fields]
        self.start, self.stop = start, start + len(fields)
        self.pk_index = self.attnames.index(model._meta.pk.attname)
        self.converters = []  # (index within the part, [(converter, expression), ...]) for fields that need any
        for index, f in enumerate(fields):
            col = f.get_col(alias)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if found:
                self.converters.append((index, [(converter, col) for converter in found]))

    def instance(self, row: tuple, db: str, connection):
        values = list(row[self.start:self.stop])
        if values[self.pk_index] is None:  # the LEFT JOIN found nothing
            return None
        for index, converters in self.converters:
            value = values[index]
            for converter, col in converters:
                value = converter(value, col, connection)
            values[index] = value
        return self.model.from_db(db, self.attnames, values)


class _UserQuery:
    def __init__(self, connection):
        from .models import Profile, Unit

        User = get_user_model()
        q = connection.ops.quote_name
        self.user = _Part(User, "u", 0, connection)
        self.profile = _Part(Profile, "p", self.user.stop, connection)
        self.unit = _Part(Unit, "n", self.profile.stop, connection)
        user_fk, unit_fk = Profile._meta.get_field("user"), Profile._meta.get_field("unit")
        self.sql = (
            f"SELECT {', '.join(self.user.columns + self.profile.columns + self.unit.columns)} "
            f"FROM {q(User._meta.db_table)} u "
            f"LEFT JOIN {q(Profile._meta.db_table)} p ON p.{q(user_fk.column)} = u.{q(User._meta.pk.column)} "
            f"LEFT JOIN {q(Unit._meta.db_table)} n ON n.{q(Unit._meta.pk.column)} = p.{q(unit_fk.column)} "
            f"WHERE u.{q(User._meta.pk.column)} = %s"
        )


_queries: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # per connection: converters are its own


def load_user_with_profile(pk):
    """The user with ``pk``, its profile (or none) and the profile's unit (or none), in one query; None if no such
    user. Equivalent to ``User.objects.select_related("profile__unit").get(pk=pk)``."""
    from .models import Profile

    User = get_user_model()
    db = router.db_for_read(User)
    connection = connections[db]
    query = _queries.get(connection)
    if query is None:
        query = _queries[connection] = _UserQuery(connection)
    with connection.cursor() as cursor:
        cursor.execute(query.sql, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    user = query.user.instance(row, db, connection)
    profile = query.profile.instance(row, db, connection)
    User.profile.related.set_cached_value(user, profile)  # None: user.profile raises, as after select_related
    if profile is not None:
        Profile.user.field.set_cached_value(profile, user)
        Profile.unit.field.set_cached_value(profile, query.unit.instance(row, db, connection))
    return user
