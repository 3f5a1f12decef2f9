"""Keeping what a page computed from a whole register or report until that data changes.

A province's statistics read 200,000 hazards and its scoreboard 2,000 scores: far too much for every page view,
and they change much less often than they are read. A view declares what it shows (``shows``: the models whose
changes make it stale) and keeps its costly content through ``CachedContentMixin``; it builds no keys. The keys
include a *mark* of each table shown: the largest id of the table and of its history table. Every insert raises
the first; every change or deletion made through the application writes a history record and raises the second.
So a key is never reused after a change, and nothing has to remember to invalidate anything. The cache timeout
(``TIMEOUT``) bounds the cases marks can miss: two writers committing in the opposite order of their ids while a
page is being built, and a change that bypasses the history (``QuerySet.update()`` or raw SQL on these tables,
which the application does not use for them; bulk loaders that delete rows, like ``seed_scale``, also insert new
ones). Marks are global, not per campaign: a change anywhere makes every campaign's pages recompute once.

The page around the kept content (layout, navigation, messages, the CSRF token of its forms, the nonce of its
scripts) is rendered on every request, so nothing per request is ever copied out of the cache.

The cache is Django's default one: per process unless the deployment configures a shared one (Redis).
"""

from __future__ import annotations

import functools
import hashlib

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe

from .db import fetch_prepared

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


def table_marks(*models) -> tuple:
    """The marks of ``models`` (see ``_mark_queries``), in one statement: each is one step down an index."""
    return fetch_prepared(_marks_sql(models))


def mark_count(models: tuple) -> int:
    """How many marks ``models`` have (so a caller can tell which of ``table_marks``' values are whose)."""
    return len(_mark_queries(models))


def cache_key(*parts) -> str:
    """A short cache key from any printable parts and the active language (pages are translated)."""
    digest = hashlib.sha1(repr((translation.get_language(), parts)).encode()).hexdigest()
    return f"page:{digest}"


def kept(parts: tuple, compute, timeout: int = TIMEOUT):
    """``compute()``, kept under a key made of ``parts`` (which must include the marks it depends on)."""
    return cache.get_or_set(cache_key(*parts), compute, timeout)


class DeclaredCacheMixin:
    """What a view keeps is declared, not keyed by hand.

    ``shows``: the models whose changes make what the view keeps stale (their marks are read once per request,
    in one statement, with those of ``depends_on()``'s other models). ``kept(name, compute)`` keeps a value of
    the view under a key the mixin makes: the view, its name, the query (without ``page`` unless
    ``per_page``), who is asking (``viewer_scope()``), ``varies_on()`` and the marks.
    """

    shows: tuple = ()

    def depends_on(self) -> tuple:
        return tuple(self.shows)

    def viewer_scope(self) -> tuple:
        """Who sees the same content: by default one user; a view whose content depends only on a role and a unit
        says so, so colleagues share it."""
        return (self.request.user.pk,)

    def varies_on(self) -> tuple:
        """Anything else the content depends on, e.g. today's date for pages that count overdue items."""
        return ()

    @cached_property
    def marks(self) -> tuple:
        return table_marks(*self.depends_on())

    def kept(self, name: str, compute, *, per_page: bool = False):
        query = sorted((k, v) for k, v in self.request.GET.lists() if per_page or k != "page")
        return kept((type(self).__name__, name, query, self.viewer_scope(), self.varies_on(), self.marks), compute)


class CachedContentMixin(DeclaredCacheMixin):
    """A page whose costly part is rendered once per change of what it shows.

    The view renders ``content_template_name`` from ``get_content_data()`` (called only when the content is not
    kept) and the page's own template puts ``{{ content }}`` in the layout, which is rendered on every request:
    the CSRF token of its forms and the nonce of its scripts are the request's own, never copied from a kept
    page. So the content itself must hold neither (no ``{% csrf_token %}``, no inline script): rendering one that
    does is refused.
    """

    content_template_name: str = ""

    def get_content_data(self) -> dict:
        return {}

    def wants_content(self, context) -> bool:
        """False for a page that shows something else instead (e.g. "no report yet")."""
        return True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.wants_content(context):
            context["content"] = mark_safe(self.kept("content", lambda: self.render_content(context),
                                                     per_page=True))
        return context

    def render_content(self, context) -> str:
        html = render_to_string(self.content_template_name, {**context, **self.get_content_data()},
                                request=self.request)
        if "csrfmiddlewaretoken" in html or 'nonce="' in html:
            raise ImproperlyConfigured(f"{self.content_template_name} holds a CSRF token or a script nonce; "
                                       "put forms that post and inline scripts in the page's own template")
        return html
