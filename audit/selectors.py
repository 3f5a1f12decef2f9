"""The operations log (操作日志): one stream, newest first, of every history record of every model
django-simple-history tracks and every security event (``AuditEvent``), read one page at a time.

A page costs a fixed number of queries whatever the size of the tables:
1. one UNION ALL over the history tables and the event table of (id, time, action, actor, source):
   each table gives its newest rows down to the end of the page (a backward scan of its time index),
   and the merge of those is cut to the page;
2. one query per source that has rows on the page: its records and, for changes, the record before
   each one (to show old → new), with the related rows its label needs;
3. one query per many-to-many field of those sources (the unit sets kept with each task record);
4. one query per kind of related row named on the page (users with their units, units, tasks, …).
So the count is bounded by the schema (number of tracked models and foreign-key targets), not by the data.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import F, IntegerField, OuterRef, Q, Subquery, Value
from django.utils import timezone
from simple_history.models import HistoricalRecords, registered_models

from campaign.access import unit_of
from core.templatetags.tracker import person
from tasks.history import ACTIONS, changed_fields, display_value

from .models import AuditEvent, EventKind

LOGIN_KINDS = (EventKind.LOGIN, EventKind.LOGIN_FAILED, EventKind.LOGOUT)
KIND_CHOICES = [("change", "数据变更"), ("login", "登录与退出"), ("denied", "拒绝访问")]
EVENTS = 0  # the source number of the event table; history sources are numbered from 1
MAX_PAGES = 200  # older entries are reached by narrowing the dates, not by paging deeper

# Related rows a model's __str__ reads; fetched with the records (and with related rows named in a
# change) so that labelling costs no query. A model missing here still gets a label, "#id" at worst.
LABEL_PATHS = {
    "auth.user": ("profile__unit",),
    "campaign.profile": ("user",),
    "tasks.assignment": ("unit", "task"),
    "tasks.progressreport": ("assignment__unit", "assignment__task"),
    "tasks.progressvalue": ("target",),
    "tasks.extensionrequest": ("assignment__unit", "assignment__task"),
    "tasks.followup": ("assignment__unit", "assignment__task"),
    "hazards.majorhazard": ("enterprise",),
    "hazards.hazardfollowup": ("hazard__enterprise",),
}


# How each tracked record leads to the unit that decides who may read it: the office running its campaign, or the
# unit itself. A tracked model missing here is shown to administrators only (tests/audit/test_log.py checks the map
# covers every source).
SCOPES = {
    "campaign.actionline": "plan__campaign__office",
    "campaign.campaign": "office",
    "campaign.keytask": "action_line__plan__campaign__office",
    "campaign.plan": "campaign__office",
    "campaign.profile": "unit",
    "campaign.unit": "id",
    "hazards.enterprise": "township",
    "hazards.hazardfollowup": "hazard__campaign__office",
    "hazards.majorhazard": "campaign__office",
    "reporting.bulletin": "report__campaign__office",
    "reporting.monthlyreport": "campaign__office",
    "tasks.assignment": "task__plan__campaign__office",
    "tasks.attachment": "report__assignment__task__plan__campaign__office",
    "tasks.extensionrequest": "assignment__task__plan__campaign__office",
    "tasks.followup": "assignment__task__plan__campaign__office",
    "tasks.milestone": "task__plan__campaign__office",
    "tasks.progressreport": "assignment__task__plan__campaign__office",
    "tasks.progressvalue": "report__assignment__task__plan__campaign__office",
    "tasks.quantifiedtarget": "task__plan__campaign__office",
    "tasks.targetyearvalue": "target__task__plan__campaign__office",
    "tasks.task": "plan__campaign__office",
}


@dataclass(frozen=True)
class Source:
    """One tracked model and its history table."""

    number: int
    key: str  # "tasks.task"
    model: type
    history: type

    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)


@cache
def sources() -> tuple[Source, ...]:
    """Every model with a django-simple-history table, in a fixed order (m2m through models have none)."""
    models = []
    for model in registered_models.values():
        attribute = getattr(model._meta, "simple_history_manager_attribute", None)
        if attribute:
            models.append((model._meta.label_lower, model, getattr(model, attribute).model))
    models.sort(key=lambda m: m[0])
    return tuple(Source(number, key, model, history) for number, (key, model, history) in enumerate(models, 1))


def model_choices() -> list[tuple[str, str]]:
    return [(s.key, f"{s.verbose_name}（{s.model._meta.app_config.verbose_name}）") for s in sources()]


@dataclass
class LogFilters:
    since: datetime.date | None = None
    until: datetime.date | None = None  # inclusive
    username: str = ""
    kind: str = ""  # "", or one of KIND_CHOICES
    model: str = ""  # a Source.key
    # The units whose records the reader may see (an office's jurisdiction); None: every record (an administrator).
    jurisdiction: tuple[int, ...] | None = None

    def period(self) -> tuple[datetime.datetime | None, datetime.datetime | None]:
        """[start, end) as aware datetimes in the site's time zone."""
        def start_of(day):
            return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min)) if day else None

        return start_of(self.since), start_of(self.until + datetime.timedelta(days=1) if self.until else None)


@dataclass
class LogEntry:
    at: datetime.datetime
    kind: str  # "change" | "login" | "denied"
    action: str  # 新建 / 修改 / 删除 / 登录 / 登录失败 / 退出登录 / 拒绝访问
    who: str
    username: str = ""  # for the "this user only" link; empty for the system
    unit: str = ""
    subject: str = ""  # the model's verbose name, or 请求 for a denied request
    object: str = ""
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    note: str = ""


@dataclass
class LogPage:
    entries: list[LogEntry]
    number: int
    size: int
    has_next: bool
    beyond_last_page: bool = False  # older entries exist past MAX_PAGES: narrow the dates to see them

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.entries else 0


# ---- the merged stream ---------------------------------------------------------------------------------


def _streams(filters: LogFilters, user_id: int | None) -> list:
    """One query per source, newest first, all with the same five columns."""
    since, until = filters.period()
    streams = []
    if filters.kind in ("", "login", "denied") and not filters.model:
        events = AuditEvent.objects.all()
        if filters.kind == "login":
            events = events.filter(kind__in=LOGIN_KINDS)
        elif filters.kind == "denied":
            events = events.filter(kind=EventKind.DENIED)
        if since:
            events = events.filter(at__gte=since)
        if until:
            events = events.filter(at__lt=until)
        if filters.username:
            # A failed login names the account tried; the others name the account too (kept if renamed).
            events = events.filter(Q(username=filters.username) | Q(user_id=user_id) if user_id else
                                   Q(username=filters.username))
        if filters.jurisdiction is not None:
            # Logins and refusals of the accounts of the reader's jurisdiction.
            accounts = get_user_model().objects.filter(profile__unit_id__in=filters.jurisdiction)
            events = events.filter(Q(user__in=accounts) | Q(username__in=accounts.values("username")))
        streams.append(events.order_by("-at", "-id").values(
            log_id=F("id"), log_at=F("at"), log_action=F("kind"), log_actor=F("user_id"),
            log_source=Value(EVENTS, output_field=IntegerField()),
        ))
    if filters.kind in ("", "change") and not (filters.username and user_id is None):
        for source in sources():
            if filters.model and source.key != filters.model:
                continue
            records = source.history.objects.all()
            if filters.jurisdiction is not None:
                path = SCOPES.get(source.key)
                if path is None:
                    continue
                records = records.filter(**{f"{path}__in": filters.jurisdiction})
            if since:
                records = records.filter(history_date__gte=since)
            if until:
                records = records.filter(history_date__lt=until)
            if user_id:
                records = records.filter(history_user_id=user_id)
            streams.append(records.order_by("-history_date", "-history_id").values(
                log_id=F("history_id"), log_at=F("history_date"), log_action=F("history_type"),
                log_actor=F("history_user_id"), log_source=Value(source.number, output_field=IntegerField()),
            ))
    return streams


def _merged(streams: list, offset: int, limit: int) -> list[tuple[int, int]]:
    """(source, id) of entries offset … offset + limit of the merged stream, newest first.

    Each source gives only its newest offset + limit rows (a backward scan of its time index), so no
    table is read past what the page needs; the merge sorts at most that many rows per source. The
    order (time, source, id) is total, so pages neither repeat nor skip rows that share a time (a bulk
    import stamps all its rows alike).
    """
    parts, params = [], []
    for number, stream in enumerate(streams):
        sql, part_params = stream[:offset + limit].query.get_compiler(using=stream.db).as_sql()
        parts.append(f"SELECT * FROM ({sql}) part{number}")
        params.extend(part_params)
    sql = (f"SELECT log_source, log_id FROM ({' UNION ALL '.join(parts)}) merged "
           "ORDER BY log_at DESC, log_source DESC, log_id DESC LIMIT %s OFFSET %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit, offset])
        return [(source, pk) for source, pk in cursor.fetchall()]


def _user_id(filters: LogFilters) -> int | None:
    if not filters.username:
        return None
    return get_user_model().objects.filter(username=filters.username).values_list("pk", flat=True).first()


def log_page(filters: LogFilters, *, number: int = 1, size: int = 50) -> LogPage:
    """Page ``number`` (from 1, at most MAX_PAGES) of the filtered log, newest first."""
    number = min(max(1, number), MAX_PAGES)
    streams = _streams(filters, _user_id(filters))
    if not streams:
        return LogPage([], number, size, False)
    rows = _merged(streams, (number - 1) * size, size + 1)
    more = len(rows) > size
    return LogPage(_entries(rows[:size]), number, size, more and number < MAX_PAGES, more and number >= MAX_PAGES)


def log_entries(filters: LogFilters, *, limit: int, chunk: int = 500):
    """The newest ``limit`` entries (for the export): one merge, then entries built ``chunk`` at a time."""
    streams = _streams(filters, _user_id(filters))
    rows = _merged(streams, 0, limit) if streams else []
    for start in range(0, len(rows), chunk):
        yield from _entries(rows[start:start + chunk])


# ---- from rows to entries ------------------------------------------------------------------------------


class _Related:
    """Rows named on the page (actors, foreign keys, m2m members), fetched once per model at the end."""

    def __init__(self):
        self.wanted: dict[type, set] = defaultdict(set)
        self.found: dict[type, dict] = {}

    def want(self, model, pk):
        if pk is not None:
            self.wanted[model].add(pk)

    def fetch(self):
        for model, pks in self.wanted.items():
            paths = LABEL_PATHS.get(model._meta.label_lower, ())
            self.found[model] = model._default_manager.select_related(*paths).in_bulk(pks)

    def get(self, model, pk):
        return self.found.get(model, {}).get(pk)

    def label(self, model, pk) -> str:
        if pk is None:
            return "（空）"
        obj = self.get(model, pk)
        if obj is None:
            return f"#{pk}（已删除）"
        if model is get_user_model():
            return person(obj)
        return _label(obj, f"#{pk}")


class _NoQuery(Exception):
    pass


def _refuse_queries(execute, sql, params, many, context):
    raise _NoQuery


def _label(obj, fallback: str) -> str:
    """``str(obj)``, or ``fallback`` if that would need a query (a related row not fetched) or fails."""
    with connection.execute_wrapper(_refuse_queries):
        try:
            return str(obj)
        except Exception:
            return fallback


@dataclass
class _Pending:
    """An entry whose names wait for ``_Related.fetch``."""

    entry: LogEntry
    actor_id: int | None = None
    raw: list = field(default_factory=list)  # (label, kind, model or field, old, new)


def _entries(rows: list[tuple[int, int]]) -> list[LogEntry]:
    by_source = defaultdict(list)
    for source, pk in rows:
        by_source[source].append(pk)
    related = _Related()
    user_model = get_user_model()
    built: dict[tuple[int, int], _Pending] = {}
    if EVENTS in by_source:
        for event in AuditEvent.objects.filter(pk__in=by_source.pop(EVENTS)):
            built[(EVENTS, event.pk)] = _event_entry(event)
            related.want(user_model, event.user_id)
    numbered = {s.number: s for s in sources()}
    for number, ids in by_source.items():
        source = numbered[number]
        for pk, pending in _history_entries(source, ids, related).items():
            built[(number, pk)] = pending
    for pending in built.values():
        related.want(user_model, pending.actor_id)
    related.fetch()
    entries = []
    for row in rows:
        pending = built.get(row)
        if pending is None:  # deleted between the two queries
            continue
        entry = pending.entry
        if pending.actor_id is not None:
            user = related.get(user_model, pending.actor_id)
            entry.who = person(user) if user else f"已删除的用户 #{pending.actor_id}"
            entry.username = user.get_username() if user else ""
            unit = unit_of(user) if user else None
            entry.unit = unit.display_name if unit else ""
        entry.changes = [_show(related, *change) for change in pending.raw]
        entries.append(entry)
    return entries


def _event_entry(event: AuditEvent) -> _Pending:
    kind = "denied" if event.kind == EventKind.DENIED else "login"
    entry = LogEntry(at=event.at, kind=kind, action=event.get_kind_display(), who=event.username or "匿名用户",
                     username=event.username)
    where = " · ".join(x for x in (f"IP {event.ip}" if event.ip else "", event.user_agent) if x)
    if event.kind == EventKind.DENIED:
        entry.subject = "请求"
        entry.object = f"{event.method} {event.path}".strip()
        entry.note = " · ".join(x for x in (f"状态码 {event.status}" if event.status else "", where) if x)
    else:
        entry.note = where
    return _Pending(entry, actor_id=event.user_id)


def _history_entries(source: Source, ids: list[int], related: _Related) -> dict[int, _Pending]:
    """The page's records of one source, each with its changes against the record before it."""
    history = source.history
    paths = LABEL_PATHS.get(source.key, ())
    earlier = (
        history.objects.filter(id=OuterRef("id"))
        .filter(Q(history_date__lt=OuterRef("history_date"))
                | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id")))
        .order_by("-history_date", "-history_id").values("history_id")[:1]
    )
    # Two index lookups (by history id, then by object id and time); ORing them into one query would make
    # PostgreSQL filter the whole table.
    previous_ids = history.objects.filter(history_id__in=ids, history_type="~").annotate(
        previous=Subquery(earlier)).values_list("previous", flat=True)
    needed = {*ids, *(pk for pk in previous_ids if pk is not None)}
    records = list(history.objects.filter(history_id__in=needed)
                   .select_related(*paths).order_by("id", "history_date", "history_id"))
    members = _m2m_members(history, [r.history_id for r in records])
    wanted, result, before = set(ids), {}, {}
    for record in records:
        previous = before.get(record.id)
        before[record.id] = record
        if record.history_id not in wanted:
            continue
        entry = LogEntry(at=record.history_date, kind="change", action=ACTIONS.get(record.history_type, "?"),
                         who="系统", subject=source.verbose_name, object=_record_label(source, record, paths))
        pending = _Pending(entry, actor_id=record.history_user_id)
        if record.history_type == "~":
            if previous is None:
                entry.note = "此前没有历史记录（批量导入或早于留痕），无法显示原值"
            else:
                pending.raw = _raw_changes(source, previous, record, members, related)
                if not pending.raw:
                    entry.note = "保存时没有字段发生变化"
        result[record.history_id] = pending
    return result


def _record_label(source: Source, record, paths) -> str:
    """``str()`` of the object as it was at that record, using the related rows fetched with it."""
    instance = record.instance
    for name in {path.split("__")[0] for path in paths}:
        history_field = source.history._meta.get_field(name)
        if history_field.is_cached(record):  # None when the related row is gone: the label falls back, no query
            source.model._meta.get_field(name).set_cached_value(instance, history_field.get_cached_value(record))
    return _label(instance, f"#{record.id}")


def _m2m_members(history, history_ids: list[int]) -> dict:
    """{(m2m field, history id): set of member ids} for the many-to-many fields a history table keeps."""
    members = defaultdict(set)
    for m2m_field in getattr(history, "_history_m2m_fields", None) or ():
        rows_model = HistoricalRecords.m2m_models[m2m_field]
        target = m2m_field.m2m_reverse_field_name()
        for history_id, member in rows_model.objects.filter(history_id__in=history_ids).values_list(
                "history_id", f"{target}_id"):
            members[(m2m_field, history_id)].add(member)
    return members


def _raw_changes(source: Source, previous, record, members, related: _Related) -> list:
    raw = []
    for model_field, old, new in changed_fields(source.model, previous, record):
        label = str(model_field.verbose_name)
        if model_field.is_relation and model_field.related_model is not None:
            related.want(model_field.related_model, old)
            related.want(model_field.related_model, new)
            raw.append((label, "fk", model_field.related_model, old, new))
        else:
            raw.append((label, "value", model_field.name, old, new))
    for m2m_field in getattr(source.history, "_history_m2m_fields", None) or ():
        old = members.get((m2m_field, previous.history_id), set())
        new = members.get((m2m_field, record.history_id), set())
        if old != new:
            for pk in old | new:
                related.want(m2m_field.related_model, pk)
            raw.append((str(m2m_field.verbose_name), "m2m", m2m_field.related_model, old, new))
    return [(source.model, *change) for change in raw]


def _show(related: _Related, model, label, kind, target, old, new) -> tuple[str, str, str]:
    if kind == "fk":
        return label, related.label(target, old), related.label(target, new)
    if kind == "m2m":
        def names(pks):
            return "、".join(sorted(related.label(target, pk) for pk in pks)) or "（空）"

        return label, names(old), names(new)
    return label, display_value(model, target, old), display_value(model, target, new)
