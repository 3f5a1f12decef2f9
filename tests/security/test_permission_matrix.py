"""The permission matrix (issue 8), generated from the URL configuration.

Every URL pattern outside ``ALLOW_LIST`` must have a rule in ``RULES``; a pattern without one fails
``test_every_url_pattern_has_a_rule`` and its own matrix case, both naming it. Each pattern is called,
for GET and for POST, by:

- ``anonymous`` → redirect to the login page;
- ``norole`` (logged in, no role in the product) → 403;
- ``office`` and ``leader`` on the objects of unit A (县住建局);
- the liaison of unit A on A's own object (``own``), on an object it may read but not change
  (``shared``: the master plan, a master-plan task given to A), on unit B's object (``other``) and on
  an object that does not exist (``missing``). ``missing`` must answer exactly like ``other``: the
  status never tells a liaison whether another unit's object exists.

The expected status is derived from the rule, never from the response:

1. a role the page's ``gate`` does not admit gets 403 before any object is looked up (so such a page
   answers 403 for another unit's object too, and for one that does not exist: no existence oracle);
2. a method the view does not take answers 405;
3. otherwise the rule's access level for that method says what the caller gets: ``OK`` (200, or a
   302 that is not the login page), 403 (may read but not do this) or 404 (may not even see it).

A refused POST (login redirect, 403, 404, 405) must change nothing: every row of the product's apps and
every uploaded file are compared before and after. POSTs carry a payload that would succeed for someone
allowed, so a missing check would show up as a change, not just as a status.

The data is built once for the module; each test runs in its own savepoint, rolled back afterwards.
The second half checks that lists, statistics, exports and attachments hold only the rows a liaison
may see.
"""

from __future__ import annotations

import datetime
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from campaign.choices import Role, UnitKind
from hazards.models import Enterprise, MajorHazard
from hazards.validators import make_credit_code
from imports.models import ImportBatch
from reporting.models import BuildJob
from reporting.services import build_report, publish_report
from tasks.models import Attachment, ExtensionRequest, FollowUp, ProgressReport

from ..conftest import _build_world
from ..factories import ActionLineFactory, KeyTaskFactory, UnitFactory, make_user

pytestmark = pytest.mark.django_db

JUNE = datetime.date(2024, 6, 1)  # built and published
MAY = datetime.date(2024, 5, 1)  # built, not published
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 32
LOGIN_URL = "/accounts/login/"

# ---- what is not in the matrix, and why --------------------------------------------------------------------

ALLOW_LIST = {
    "admin/": "Django admin: staff/superuser only, guarded by Django's own model permissions "
              "(tests/campaign/test_admin.py)",
    "i18n/": "set_language: public by design, changes only the visitor's language cookie, reads no data",
    "accounts/": "login, logout, password change: Django's auth views, public or self-service by design; "
                 "login protection (axes, session rules) is tested with the login work",
    "static/": "static files (served by WhiteNoise, no data); listed in case a static() pattern is added",
    "media/": "uploaded files must never be served by a URL pattern; attachments go through attachment-download",
}

# ---- access levels: what each caller gets when the gate lets it through --------------------------------------

OK = "ok"  # 200, or a redirect that is not to the login page
CALLERS = ("anonymous", "norole", "office", "leader", "own", "shared", "other", "missing")
LIAISON_CALLERS = ("own", "shared", "other", "missing")

# Everyone with a role reads it; a liaison only its own unit's object, or one shared with it.
READ = {"office": OK, "leader": OK, "own": OK, "shared": OK, "other": 404}
# The office, and the liaison of the unit that owns it; readable-but-not-editable answers 403.
EDIT = {"office": OK, "leader": 403, "own": OK, "shared": 403, "other": 404}
# Office and leader read all of it; a liaison only what it may edit (a whole-plan export).
EXPORT = {"office": OK, "leader": OK, "own": OK, "shared": 403, "other": 404}
# The office acts on an object the liaison may read (review): 403 where readable, 404 where not.
REVIEW = {"office": OK, "leader": 403, "own": 403, "shared": 403, "other": 404}
# The office only.
OFFICE = {"office": OK, "leader": 403, "own": 403, "shared": 403, "other": 403}
# Office and leaders only.
READERS = {"office": OK, "leader": OK, "own": 403, "shared": 403, "other": 403}

# Gates: the roles a page admits at all, checked before the method and before any object lookup.
ANY_ROLE = frozenset({"office", "leader", "liaison"})
READERS_GATE = frozenset({"office", "leader"})
OFFICE_GATE = frozenset({"office"})


@dataclass(frozen=True)
class Rule:
    """``scope`` names the kind of object in the URL (see ``Matrix.kwargs``); ``get``/``post`` are access
    levels, or None where the view does not take that method."""

    scope: str | None
    get: dict | None = None
    post: dict | None = None
    gate: frozenset = ANY_ROLE
    data: str | None = None  # name of a POST payload in ``payloads()``
    public: bool = False  # no login at all: every caller, anonymous included, gets the same answer


def office_page(scope=None, *, get=True, post=True, data=None) -> Rule:
    return Rule(scope, get=OFFICE if get else None, post=OFFICE if post else None, gate=OFFICE_GATE, data=data)


PUBLIC = {caller: OK for caller in CALLERS}

RULES: dict[str, Rule] = {
    # the load balancer's health check: no login, says only ok/unavailable
    "healthz": Rule(None, get=PUBLIC, public=True),
    # campaign: front pages and plans
    "home": Rule(None, get=READ),
    "campaign-detail": Rule(None, get=READ),
    "plan-tree": Rule("plan", get=READ),
    # campaign: the office's maintenance pages
    "unit-list": office_page(post=False),
    "unit-create": office_page(),
    "unit-update": office_page("unit"),
    "unit-delete": office_page("unit"),
    "campaign-create": office_page(),
    "campaign-update": office_page(),
    "plan-create": office_page(),
    "plan-structure": office_page("plan", post=False),
    "plan-update": office_page("plan"),
    "plan-delete": office_page("plan"),
    "actionline-create": office_page("plan"),
    "actionline-update": office_page("plan_actionline"),
    "actionline-delete": office_page("plan_actionline"),
    "keytask-create": office_page("plan"),
    "keytask-update": office_page("plan_keytask"),
    "keytask-delete": office_page("plan_keytask"),
    # tasks: plan editing
    "task-detail": Rule("task", get=READ),
    "task-delete": Rule("task", get=EDIT, post=EDIT),
    "task-create": Rule("plan", get=EDIT, post=EDIT),
    "task-update": Rule("plan_task", get=EDIT, post=EDIT),
    # tasks: progress, review, extensions, follow-ups
    "assignment-detail": Rule("assignment", get=READ),
    "extension-request": Rule("assignment", post=EDIT, data="extension"),
    "assignment-close": office_page("assignment", get=False),
    "follow-up-create": office_page("assignment", get=False, data="follow_up"),
    "monthly-entry": Rule(None, get=EDIT, post=EDIT, data="entry"),
    "review-queue": office_page(data="review"),
    "report-detail": Rule("report", get=READ, post=REVIEW, data="accept"),
    "extension-queue": office_page(post=False),
    "extension-decide": office_page("extension", get=False, data="approve"),
    "follow-up-print": Rule("follow_up", get=READ),
    "attachment-download": Rule("attachment", get=READ),
    # tasks: 二清单一台账 (rows filtered to what the caller may see; checked below)
    "list-tasks": Rule(None, get=READ),
    "list-problems": Rule(None, get=READ),
    "list-ledger": Rule(None, get=READ),
    # tasks: import and export of a plan's task list
    "import-upload": Rule("plan", get=EDIT, post=EDIT),
    "import-template": Rule("plan", get=EDIT),
    "task-export": Rule("plan", get=EXPORT),
    "import-history": Rule(None, get=READ),
    "import-batch": Rule("batch", get=READ, post=EDIT, data="cancel"),
    "import-original": Rule("batch", get=READ),
    # hazards
    "hazard-list": Rule(None, get=READ),
    "hazard-create": Rule(None, get=EDIT, post=EDIT, data="register"),
    "hazard-statistics": Rule(None, get=READ),
    "hazard-detail": Rule("hazard", get=READ, post=EDIT, data="hazard_plan"),
    "hazard-import": office_page(),
    "hazard-export": Rule(None, get=READERS),  # the whole register: office and leaders only
    # reporting
    "scoreboard": Rule(None, get=READ),
    "rollup": Rule(None, get=READERS, gate=READERS_GATE),  # the campaigns below: office and leaders
    "monthly-list": Rule(None, get=READ, post=OFFICE, data="build"),
    "monthly-job": office_page("job", post=False),
    "monthly-detail": Rule("month", get=READERS, gate=READERS_GATE),
    "monthly-publish": office_page("month", get=False),
    "monthly-rebuild": office_page("month", get=False),
    "monthly-ranking-xlsx": Rule("month", get=READ),  # the ranking is published to every unit
    "monthly-dispatch-xlsx": Rule("month", get=READERS, gate=READERS_GATE),
    "monthly-bulletin": Rule("bulletin", get=READ, post=OFFICE, data="bulletin"),
    "monthly-bulletin-docx": Rule("bulletin", get=READ),
    # audit: 操作日志 and its export
    "audit-log": office_page(post=False),
    "audit-log-export": office_page(post=False),
}

# ---- the URL configuration ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    route: str
    name: str | None
    params: frozenset


def walk(patterns=None, prefix: str = "", namespace: str = "", params: frozenset = frozenset()):
    """Every URLPattern under the root resolver, with its full route, namespaced name and parameters."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        names = params | frozenset(getattr(entry.pattern, "converters", {}) or {})
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, route, ns, names)
        elif isinstance(entry, URLPattern):
            yield Pattern(route, f"{namespace}{entry.name}" if entry.name else None, names)


def allow_listed(route: str) -> bool:
    return any(route.startswith(prefix) for prefix in ALLOW_LIST)


PATTERNS = [p for p in walk() if not allow_listed(p.route)]


# Jurisdiction (issue 18): the world's county office sits under a city office; another county's office sits beside
# it. Inside the county's campaign the city's office and leader read like its leader and change nothing; the other
# county's office gets 404 for everything in it. Outside a campaign (the unit pages) each office works in its own
# jurisdiction: the city's includes the county's units, the other county's does not.
JURISDICTION_CALLERS = ("foreign", "city_office", "city_leader")


def expected(rule: Rule, method: str, caller: str, pattern: Pattern | None = None):
    if rule.public:
        return OK if (rule.get if method == "GET" else rule.post) else 405
    if caller == "anonymous":
        return "login"
    if caller == "norole":
        return 403
    in_campaign = pattern is not None and "slug" in pattern.params
    if caller == "foreign":
        if in_campaign or rule.scope == "unit":
            return 404
        caller = "office"
    elif caller == "city_office":
        caller = "leader" if in_campaign else "office"
    elif caller == "city_leader":
        caller = "leader"
    role = "liaison" if caller in LIAISON_CALLERS else caller
    if role not in rule.gate:
        return 403
    access = rule.get if method == "GET" else rule.post
    if access is None:
        return 405
    return access["other" if caller == "missing" else caller]


def matrix_cases():
    for pattern in PATTERNS:
        label = pattern.name or pattern.route
        rule = RULES.get(pattern.name)
        if rule is None:
            yield pytest.param(pattern, None, "GET", "office", id=f"{label}-NO-RULE")
            continue
        callers = ["anonymous", "norole", "office", "leader", "own", *JURISDICTION_CALLERS]
        if rule.scope in SCOPES_WITH_OTHER:
            callers += ["other", "missing"]
        if rule.scope in SCOPES_WITH_SHARED:
            callers.append("shared")
        for method in ("GET", "POST"):
            for caller in callers:
                yield pytest.param(pattern, rule, method, caller, id=f"{label}-{method}-{caller}")


SCOPES_WITH_OTHER = {"plan", "plan_task", "plan_actionline", "plan_keytask", "task", "unit", "assignment", "report",
                     "attachment", "extension", "follow_up", "hazard", "batch"}
SCOPES_WITH_SHARED = {"plan", "plan_task", "task"}

# ---- the data, built once -----------------------------------------------------------------------------------


@dataclass
class Matrix:
    world: object
    users: dict
    town2: object
    objects: dict = field(default_factory=dict)  # scope → {"own"|"shared"|"other": kwargs}
    media: Path | None = None
    named: dict = field(default_factory=dict)  # the objects the row tests look at

    def kwargs(self, scope: str | None, variant: str, params) -> dict:
        base = {"slug": self.world.campaign.slug} if "slug" in params else {}
        if scope is None:
            return base
        if variant == "missing":
            own = self.objects[scope]["own"]
            return {**base, **{k: ("no-such-unit" if k == "unit_code" else 999999) for k in own}}
        chosen = self.objects[scope].get(variant) or self.objects[scope]["own"]
        return {**base, **chosen}


def _build(media: Path) -> Matrix:
    w = _build_world()
    town2 = UnitFactory(code="town2", name="另一街道", kind=UnitKind.TOWNSHIP, parent=w.office)
    city = UnitFactory(code="city", name="某市安委会办公室", kind=UnitKind.OFFICE)
    type(w.office).objects.filter(pk=w.office.pk).update(parent=city)
    county2 = UnitFactory(code="county2", name="邻县安委会办公室", kind=UnitKind.OFFICE, parent=city)
    users = {
        "foreign": make_user("foreign", Role.OFFICE, county2),
        "city_office": make_user("city_office", Role.OFFICE, city),
        "city_leader": make_user("city_leader", Role.LEADER, city),
        "office": make_user("office", Role.OFFICE, w.office),
        "leader": make_user("leader", Role.LEADER, w.office),
        "liaison_a": make_user("liaison_a", Role.LIAISON, w.dept_a),
        "liaison_b": make_user("liaison_b", Role.LIAISON, w.dept_b),
        "liaison_town": make_user("liaison_town", Role.LIAISON, w.township),
        "norole": make_user("norole"),
    }
    m = Matrix(w, users, town2, media=media)
    for task, text in ((w.task_a, "总方案中住建局牵头的任务"), (w.task_b, "总方案中应急局牵头的任务"),
                       (w.sub_task_a, "住建局子方案的任务"), (w.sub_task_b, "应急局子方案的任务")):
        type(task).objects.filter(pk=task.pk).update(text=text)
        task.text = text
    line_a, line_b = ActionLineFactory(plan=w.plan_a, number=1), ActionLineFactory(plan=w.plan_b, number=1)
    key_a, key_b = KeyTaskFactory(action_line=line_a), KeyTaskFactory(action_line=line_b)
    asg_a = w.task_a.assignments.get(unit=w.dept_a)
    asg_b = w.task_b.assignments.filter(unit=w.dept_b).order_by("due_date").first()
    now = timezone.now()

    def report(assignment, user, text):
        return ProgressReport.objects.create(
            assignment=assignment, month=JUNE, state="submitted", progress=text, first_submitted_at=now,
            submitted_at=now, submitted_by=user,
        )

    rep_a = report(asg_a, users["liaison_a"], "住建局六月进展")
    rep_b = report(asg_b, users["liaison_b"], "应急局六月进展")

    def attachment(rep, name):
        return Attachment.objects.create(report=rep, file=ContentFile(PNG, name=name), original_name=name,
                                         kind="png", size=len(PNG), uploaded_by=rep.submitted_by)

    att_a, att_b = attachment(rep_a, "own.png"), attachment(rep_b, "other.png")

    def extension(a, user):
        return ExtensionRequest.objects.create(assignment=a, previous_due=a.due_date,
                                               requested_due=datetime.date(2026, 6, 30), reason="资金未到位",
                                               requested_by=user)

    ext_a, ext_b = extension(asg_a, users["liaison_a"]), extension(asg_b, users["liaison_b"])
    fu_a = FollowUp.objects.create(assignment=asg_a, kind="notice", content="请加快推进住建任务",
                                   issued_by=users["office"])
    fu_b = FollowUp.objects.create(assignment=asg_b, kind="notice", content="请加快推进应急任务",
                                   issued_by=users["office"])

    def hazard(n, township, supervisor, name):
        enterprise = Enterprise.objects.create(name=name, credit_code=make_credit_code(f"91370826{n:08d}"),
                                               township=township)
        return MajorHazard.objects.create(
            campaign=w.campaign, enterprise=enterprise, township=township, supervisor=supervisor, industry="gas",
            description=f"{name}燃气管道隐患", channel="supervision", found_on=datetime.date(2024, 3, 1),
        )

    # dept_a supervises haz_a (in 某某镇); haz_b is dept_b's in the other township; haz_c is dept_b's in 某某镇.
    haz_a = hazard(1, w.township, w.dept_a, "住建监管企业")
    haz_b = hazard(2, town2, w.dept_b, "另一街道企业")
    haz_c = hazard(3, w.township, w.dept_b, "某某镇应急企业")

    def batch(plan, user, name):
        return ImportBatch.objects.create(campaign=w.campaign, plan=plan, file=ContentFile(b"PK-not-read", name=name),
                                          original_name=name, size=11, uploaded_by=user,
                                          state=ImportBatch.State.PREVIEW)

    batch_a = batch(w.plan_a, users["liaison_a"], "住建任务清单.xlsx")
    batch_b = batch(w.plan_b, users["liaison_b"], "应急任务清单.xlsx")
    build_report(w.campaign, MAY)
    publish_report(build_report(w.campaign, JUNE))
    job = BuildJob.objects.create(campaign=w.campaign, month=JUNE, state=BuildJob.State.DONE, progress=100,
                                  requested_by=users["office"])

    m.objects = {
        "plan": {"own": {"unit_code": w.dept_a.code}, "shared": {"unit_code": w.office.code},
                 "other": {"unit_code": w.dept_b.code}},
        "plan_task": {"own": {"unit_code": w.dept_a.code, "pk": w.sub_task_a.pk},
                      "shared": {"unit_code": w.office.code, "pk": w.task_a.pk},
                      "other": {"unit_code": w.dept_b.code, "pk": w.sub_task_b.pk}},
        "plan_actionline": {"own": {"unit_code": w.dept_a.code, "pk": line_a.pk},
                            "other": {"unit_code": w.dept_b.code, "pk": line_b.pk}},
        "plan_keytask": {"own": {"unit_code": w.dept_a.code, "pk": key_a.pk},
                         "other": {"unit_code": w.dept_b.code, "pk": key_b.pk}},
        "task": {"own": {"pk": w.sub_task_a.pk}, "shared": {"pk": w.task_a.pk}, "other": {"pk": w.sub_task_b.pk}},
        "unit": {"own": {"pk": w.dept_a.pk}, "other": {"pk": w.dept_b.pk}},
        "assignment": {"own": {"pk": asg_a.pk}, "other": {"pk": asg_b.pk}},
        "report": {"own": {"pk": rep_a.pk}, "other": {"pk": rep_b.pk}},
        "attachment": {"own": {"pk": att_a.pk}, "other": {"pk": att_b.pk}},
        "extension": {"own": {"pk": ext_a.pk}, "other": {"pk": ext_b.pk}},
        "follow_up": {"own": {"pk": fu_a.pk}, "other": {"pk": fu_b.pk}},
        "hazard": {"own": {"pk": haz_a.pk}, "other": {"pk": haz_b.pk}},
        "batch": {"own": {"pk": batch_a.pk}, "other": {"pk": batch_b.pk}},
        "job": {"own": {"pk": job.pk}},
        "month": {"own": {"month": "2024-06"}},
        "bulletin": {"own": {"month": "2024-06", "kind": "praise"}},
    }
    m.named = {"asg_a": asg_a, "asg_b": asg_b, "rep_a": rep_a, "rep_b": rep_b, "haz_a": haz_a, "haz_b": haz_b,
               "haz_c": haz_c, "att_a": att_a, "att_b": att_b, "batch_a": batch_a, "batch_b": batch_b}
    return m


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("matrix-media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast):
        with transaction.atomic():
            yield _build(media)
            transaction.set_rollback(True)


def payloads(m: Matrix, name: str | None) -> dict:
    w, n = m.world, m.named
    if name is None:
        return {}
    return {
        "extension": {"requested_due": "2026-09-30", "reason": "资金未到位，申请延期"},
        "follow_up": {"kind": "reminder", "content": "请本周内报送进展", "number": "", "respond_by": ""},
        "entry": {"action": "draft", "unit": w.dept_a.code, **{
            f"a{a.pk}-{k}": v for a in w.dept_a.assignments.all()
            for k, v in {"reported_status": "in_progress", "progress": "本月推进情况", "problems": "",
                         "next_steps": "继续推进"}.items()
        }},
        "review": {"report": [n["rep_a"].pk], "action": "accept"},
        "accept": {"action": "accept"},
        "approve": {"action": "approve", "note": "同意"},
        "cancel": {"action": "cancel"},
        "register": {"enterprise_name": "新登记企业", "credit_code": make_credit_code("9137082699999999"),
                     "township": w.township.pk, "supervisor": w.dept_a.pk, "industry": "gas",
                     "channel": "enforcement", "found_on": "2024-04-01", "description": "新发现的隐患"},
        "hazard_plan": {"step": "plan", "plan-measures": "更换管道", "plan-responsible_person": "张三",
                        "plan-deadline": "2024-12-31"},
        "build": {"month": "2024-06"},
        "bulletin": {"issuer": "安委办", "number": "1", "title": "改过的标题", "addressee": "各单位",
                     "body": "正文", "issued_on": "2024-07-05"},
    }[name]


def fingerprint(m: Matrix) -> str:
    """Every row of the product's apps (and users, bar last_login) and every uploaded file."""
    digest = hashlib.sha256()
    for label in ("campaign", "tasks", "hazards", "reporting"):
        for model in apps.get_app_config(label).get_models():
            digest.update(repr(list(model.objects.order_by("pk").values_list())).encode())
    user_fields = [f.attname for f in get_user_model()._meta.concrete_fields if f.attname != "last_login"]
    digest.update(repr(list(get_user_model().objects.order_by("pk").values_list(*user_fields))).encode())
    digest.update(repr(sorted(str(p.relative_to(m.media)) for p in m.media.rglob("*"))).encode())
    return digest.hexdigest()


def call(client, m: Matrix, caller: str, method: str, url: str, data: dict):
    user = {"anonymous": None, "norole": "norole", "office": "office", "leader": "leader", "foreign": "foreign",
            "city_office": "city_office", "city_leader": "city_leader"}.get(caller, "liaison_a")
    if user:
        client.force_login(m.users[user])
    response = client.get(url) if method == "GET" else client.post(url, data)
    if response.streaming:
        # Consuming the content closes the file; the test client's wrapper fires request_finished
        # without closing the test database connection (a direct response.close() would).
        b"".join(response.streaming_content)
    return response


# ---- the matrix ---------------------------------------------------------------------------------------------


def test_every_url_pattern_has_a_rule():
    unnamed = [p.route for p in PATTERNS if p.name is None]
    missing = sorted(p.name for p in PATTERNS if p.name and p.name not in RULES)
    stale = sorted(set(RULES) - {p.name for p in PATTERNS})
    assert not unnamed, f"URL patterns without a name cannot be given a rule: {unnamed}"
    assert not missing, f"URL patterns without a rule in tests/security/test_permission_matrix.py RULES: {missing}"
    assert not stale, f"RULES for URL names that no longer exist: {stale}"


AUTH_VIEWS = {"login", "logout", "password_change", "password_change_done", "password_reset", "password_reset_done",
              "password_reset_confirm", "password_reset_complete"}


def test_allow_list_covers_only_what_it_says():
    """A product page put under accounts/ or i18n/ must not slip out of the matrix."""
    strays = []
    for p in walk():
        if p.route.startswith("accounts/") and p.name not in AUTH_VIEWS:
            strays.append(p.route)
        elif p.route.startswith("i18n/") and p.name != "set_language":
            strays.append(p.route)
        elif p.route.startswith("admin/") and p.name is not None and not p.name.startswith("admin:"):
            # the admin site's own patterns are all in its namespace, bar a few unnamed redirects
            strays.append(p.route)
    assert not strays, f"allow-listed prefixes hold patterns that need a rule in RULES: {strays}"


@pytest.mark.parametrize("pattern, rule, method, caller", list(matrix_cases()))
def test_matrix(client, matrix, pattern, rule, method, caller):
    assert rule is not None, (
        f"URL pattern {pattern.name or pattern.route!r} ({pattern.route}) has no rule in RULES; "
        "add one saying who may GET and POST it (or list it in ALLOW_LIST with the reason)."
    )
    variant = "own" if caller in ("anonymous", "norole", "office", "leader", *JURISDICTION_CALLERS) else caller
    kwargs = matrix.kwargs(rule.scope, variant, pattern.params)
    assert set(kwargs) == set(pattern.params), f"{pattern.name}: rule scope {rule.scope!r} gives {sorted(kwargs)}"
    url = reverse(pattern.name, kwargs=kwargs)
    want = expected(rule, method, caller, pattern)
    data = payloads(matrix, rule.data) if method == "POST" else {}
    before = fingerprint(matrix) if method == "POST" and want != OK else None

    response = call(client, matrix, caller, method, url, data)

    where = f"{method} {url} as {caller}"
    if want == "login":
        assert response.status_code == 302, f"{where}: {response.status_code}, expected a redirect to login"
        assert response["Location"].startswith(LOGIN_URL + "?next="), f"{where}: redirected to {response['Location']}"
    elif want == OK:
        assert response.status_code in (200, 302), f"{where}: {response.status_code}, expected 200/302"
        if response.status_code == 302:
            assert not response["Location"].startswith(LOGIN_URL), f"{where}: sent to login"
    else:
        assert response.status_code == want, f"{where}: {response.status_code}, expected {want}"
    if before is not None:
        assert fingerprint(matrix) == before, f"{where} was refused ({response.status_code}) but changed data"


def test_the_gates_are_the_declared_policy(matrix):
    """Each page's gate in RULES is what its declared action (campaign/policy.py) admits, role by role: the matrix
    checks the policy, it does not keep a second copy of it."""
    from campaign import access, policy

    callers = {"office": matrix.users["office"], "leader": matrix.users["leader"],
               "liaison": matrix.users["liaison_a"]}
    for user in callers.values():
        access.enter_campaign(user, matrix.world.campaign)
    checked = 0
    for pattern in PATTERNS:
        rule = RULES.get(pattern.name)
        view = getattr(resolve_view(pattern), "view_class", None)
        action = getattr(view, "action", None)
        if rule is None or rule.public or action is None:
            continue
        for role, user in callers.items():
            caller = "own" if role == "liaison" else role
            if policy.allows(user, action):
                assert role in rule.gate, f"{pattern.name}: action {action!r} admits {role}, the matrix's gate not"
            else:
                # Refused by the action: the matrix must expect 403 for that role, whatever the method.
                for method in ("GET", "POST"):
                    want = expected(rule, method, caller, pattern)
                    assert want in (403, 405), f"{pattern.name}: {action!r} refuses {role}, the matrix expects " \
                                               f"{want} for {method}"
        checked += 1
    assert checked >= 15  # every office-only and readers-only page states its action


def resolve_view(pattern: Pattern):
    for entry in walk_entries():
        if entry[0] == pattern.route:
            return entry[1].callback
    return None


def walk_entries(patterns=None, prefix: str = ""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk_entries(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def test_allowed_posts_really_act(client, matrix):
    """The payloads are real: where allowed, they change what a refused one must not."""
    n = matrix.named
    slug = matrix.world.campaign.slug
    client.force_login(matrix.users["liaison_a"])
    client.post(reverse("hazard-detail", args=[slug, n["haz_a"].pk]), payloads(matrix, "hazard_plan"))
    assert MajorHazard.objects.get(pk=n["haz_a"].pk).state == "rectifying"
    client.post(reverse("extension-request", args=[slug, n["asg_a"].pk]), payloads(matrix, "extension"))
    assert ExtensionRequest.objects.filter(assignment=n["asg_a"]).count() == 1  # the pending one is kept, once
    client.force_login(matrix.users["office"])
    client.post(reverse("report-detail", args=[slug, n["rep_a"].pk]), payloads(matrix, "accept"))
    assert ProgressReport.objects.get(pk=n["rep_a"].pk).state == "accepted"
    client.post(reverse("import-batch", args=[slug, n["batch_b"].pk]), payloads(matrix, "cancel"))
    assert ImportBatch.objects.get(pk=n["batch_b"].pk).state == ImportBatch.State.CANCELLED


# ---- rows: lists, statistics, exports and attachments ------------------------------------------------------


def _get(client, m, who, name, *args, query=""):
    client.force_login(m.users[who])
    response = client.get(reverse(name, args=[m.world.campaign.slug, *args]) + query)
    if response.streaming:
        # Consuming the content closes the file; the test client's wrapper fires request_finished
        # without closing the test database connection (a direct response.close() would).
        b"".join(response.streaming_content)
    return response


def _sheet_rows(response) -> list[tuple]:
    assert response.status_code == 200, response.status_code
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return [row for row in book.active.iter_rows(values_only=True)]


def _column(rows: list[tuple], header: str) -> list:
    for i, row in enumerate(rows):
        if header in row:
            col = row.index(header)
            return [r[col] for r in rows[i + 1:]]
    raise AssertionError(f"no column {header!r}")


def test_hazard_list_and_statistics_hold_only_the_township_liaisons_hazards(client, matrix):
    page = _get(client, matrix, "liaison_town", "hazard-list").content.decode()
    assert "住建监管企业" in page and "某某镇应急企业" in page
    assert "另一街道企业" not in page
    # A filter naming another township does not widen the list.
    page = _get(client, matrix, "liaison_town", "hazard-list",
                query=f"?township={matrix.town2.pk}").content.decode()
    assert "另一街道企业" not in page
    stats = _get(client, matrix, "liaison_town", "hazard-statistics").content.decode()
    assert matrix.world.township.name in stats and matrix.town2.name not in stats
    page = _get(client, matrix, "liaison_a", "hazard-list").content.decode()
    assert "住建监管企业" in page and "某某镇应急企业" not in page and "另一街道企业" not in page
    page = _get(client, matrix, "leader", "hazard-list").content.decode()
    assert "住建监管企业" in page and "某某镇应急企业" in page and "另一街道企业" in page


def test_hazard_export_is_the_whole_register_so_only_office_and_leaders_get_it(client, matrix):
    response = _get(client, matrix, "liaison_town", "hazard-export")
    assert response.status_code == 403 and b"PK" not in response.content[:2]
    names = _column(_sheet_rows(_get(client, matrix, "leader", "hazard-export")), "企业名称")
    assert set(names) == {"住建监管企业", "另一街道企业", "某某镇应急企业"}


@pytest.mark.parametrize("name, header", [("list-tasks", "责任单位"), ("list-problems", "责任单位"),
                                          ("list-ledger", "责任单位")])
def test_list_exports_hold_only_the_liaisons_unit(client, matrix, name, header):
    w = matrix.world
    units = _column(_sheet_rows(_get(client, matrix, "liaison_a", name, query="?export=xlsx")), header)
    assert units and set(units) == {w.dept_a.name}, units
    page = _get(client, matrix, "liaison_a", name).content.decode()
    assert w.dept_b.name not in page and "应急局子方案的任务" not in page and "总方案中应急局牵头的任务" not in page
    # Asking for another unit's rows is a 404, not an empty list and not B's rows.
    assert _get(client, matrix, "liaison_a", name, query=f"?unit={w.dept_b.code}").status_code == 404
    assert _get(client, matrix, "liaison_a", name, query=f"?unit={w.dept_b.code}&export=xlsx").status_code == 404


def test_task_list_export_for_the_office_has_every_unit(client, matrix):
    units = set(_column(_sheet_rows(_get(client, matrix, "office", "list-tasks", query="?export=xlsx")), "责任单位"))
    assert {matrix.world.dept_a.name, matrix.world.dept_b.name} <= units


def test_plan_export_holds_only_that_plans_tasks(client, matrix):
    w = matrix.world
    rows = _sheet_rows(_get(client, matrix, "liaison_a", "task-export", w.dept_a.code))
    text = "\n".join(str(c) for r in rows for c in r if c)
    assert w.sub_task_a.text in text and w.sub_task_b.text not in text and w.task_b.text not in text


def test_import_history_lists_only_the_liaisons_batches(client, matrix):
    page = _get(client, matrix, "liaison_a", "import-history").content.decode()
    assert "住建任务清单.xlsx" in page and "应急任务清单.xlsx" not in page


def test_attachments_are_served_only_within_the_unit(client, matrix):
    n = matrix.named
    response = _get(client, matrix, "liaison_a", "attachment-download", n["att_a"].pk)
    assert response.status_code == 200
    assert _get(client, matrix, "liaison_a", "attachment-download", n["att_b"].pk).status_code == 404
    assert _get(client, matrix, "liaison_b", "attachment-download", n["att_a"].pk).status_code == 404
    # The report page of the own unit links its attachment, and nothing of unit B's.
    page = _get(client, matrix, "liaison_a", "assignment-detail", n["asg_a"].pk).content.decode()
    assert reverse("attachment-download", args=[matrix.world.campaign.slug, n["att_b"].pk]) not in page


def test_campaign_page_and_monthly_entry_show_only_the_liaisons_work(client, matrix):
    w, n = matrix.world, matrix.named
    page = _get(client, matrix, "liaison_a", "monthly-entry").content.decode()
    assert f'id="row-{n["asg_a"].pk}"' in page and f'id="row-{n["asg_b"].pk}"' not in page
    # ?unit= is the office's; a liaison cannot switch to another unit's entry page.
    page = _get(client, matrix, "liaison_a", "monthly-entry", query=f"?unit={w.dept_b.code}").content.decode()
    assert f'id="row-{n["asg_b"].pk}"' not in page


def test_liaison_cannot_report_for_another_units_assignment(client, matrix):
    w, n = matrix.world, matrix.named
    asg_b = n["asg_b"]
    before = list(ProgressReport.objects.filter(assignment__unit=w.dept_b).values_list())
    client.force_login(matrix.users["liaison_a"])
    data = {"action": "submit", "unit": w.dept_b.code, f"a{asg_b.pk}-reported_status": "completed",
            f"a{asg_b.pk}-progress": "冒名填报", f"a{asg_b.pk}-next_steps": ""}
    client.post(reverse("monthly-entry", args=[w.campaign.slug]), data)
    assert list(ProgressReport.objects.filter(assignment__unit=w.dept_b).values_list()) == before
    assert not ProgressReport.objects.filter(progress="冒名填报").exists()


def test_liaison_cannot_register_a_hazard_outside_its_remit(client, matrix):
    w = matrix.world
    client.force_login(matrix.users["liaison_a"])
    data = {**payloads(matrix, "register"), "supervisor": w.dept_b.pk}
    response = client.post(reverse("hazard-create", args=[w.campaign.slug]), data)
    assert response.status_code == 200 and "本单位辖区或监管范围" in response.content.decode()
    assert not MajorHazard.objects.filter(description="新发现的隐患").exists()
    assert not Enterprise.objects.filter(name="新登记企业").exists()


def test_unpublished_month_is_the_offices_only(client, matrix):
    for name, extra in (("monthly-bulletin", ["praise"]), ("monthly-ranking-xlsx", [])):
        assert _get(client, matrix, "office", name, "2024-05", *extra).status_code == 200
        assert _get(client, matrix, "leader", name, "2024-05", *extra).status_code == 404
        assert _get(client, matrix, "liaison_a", name, "2024-05", *extra).status_code == 404
    for who, shown in (("office", True), ("leader", False), ("liaison_a", False)):
        page = _get(client, matrix, who, "monthly-list").content.decode()
        assert ("?month=2024-05" in page) is shown, who
        assert "?month=2024-06" in page, who
        page = _get(client, matrix, who, "scoreboard", query="?month=2024-05")
        assert (page.context["report"] is not None) is shown, who
