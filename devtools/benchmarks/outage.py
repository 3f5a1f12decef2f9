"""The load check's parts (``manage.py load_check``): its own Redis, the product under gunicorn with the production
settings and deploy/gunicorn.conf.py, logged-in sessions of several roles, the pages each may see, a wrk script
that rotates over them, and gunicorn's JSON access log read back with timestamps.

The Redis started here is the check's own, on a free port: it is the broker and the cache of the server under
test, and stopping it is the outage. No other Redis is touched.
"""

from __future__ import annotations

import datetime
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.test import override_settings
from django.urls import reverse

from campaign import access
from core.middleware import SESSION_SEEN_KEY, SESSION_STARTED_KEY
from hazards import access as hazard_access
from reporting.models import BulletinKind, MonthlyReport, ReportState
from tasks import access as task_access
from tasks.choices import STATUS_FILTER_CHOICES

HOST = "tracker.loadcheck.test"  # ALLOWED_HOSTS of the server under test; every request names it
SESSION_COOKIE = "__Host-sessionid"  # config/settings_production.py
ROLES = {"office": "office", "leader": "leader", "liaison": "xiazhen"}  # role → demo user (a township liaison)

# One request per call, from a table built once per wrk thread: each entry is a page and the session of a user
# allowed to see it. Statuses are read from gunicorn's access log, not in Lua (see campaign/benchmarks/pages.py).
LUA = """
local requests = {}
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  for i, entry in ipairs(entries) do
    requests[i] = wrk.format("GET", entry[1], {["Host"] = host, ["X-Forwarded-Proto"] = "https",
                                               ["Cookie"] = cookie .. "=" .. entry[2]})
  end
  n = id * 7919
end
function request()
  n = n + 1
  return requests[(n % #requests) + 1]
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH {"requests": %d, "seconds": %.3f, "errors": %d}\\n',
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.timeout))
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """The URL of the database this process uses (the test database under pytest), for the server's workers."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.postgresql":
        user = quote(db.get("USER") or "", safe="")
        password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
        return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    if db["ENGINE"] == "django.db.backends.sqlite3" and ":memory:" not in str(db["NAME"]) and "mode=memory" not in \
            str(db["NAME"]):
        return f"sqlite:///{db['NAME']}"
    raise ValueError(f"the load check needs PostgreSQL or an SQLite file, not {db['ENGINE']} {db['NAME']}")


# ---- Redis ------------------------------------------------------------------------------------------------------


class RedisServer:
    """A redis-server of the check's own on a free local port; ``stop()`` and ``start()`` again on the same port."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self.log = tempfile.NamedTemporaryFile(prefix="loadcheck-redis-", suffix=".log", delete=False)

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> None:
        command = [shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                   "--save", "", "--appendonly", "no", "--daemonize", "no"]
        # Without a preloaded libfaketime (the suite is also run under faketime): redis-server's allocator cannot
        # start with it, and the server needs no fake clock.
        env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
                                        env=env)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.ping():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.02)
        raise RuntimeError(f"redis-server did not start on port {self.port}; see {self.log.name}")

    def stop(self) -> None:
        """SIGTERM: redis-server shuts down at once (nothing to save with --save "")."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        Path(self.log.name).unlink(missing_ok=True)
        return False


# ---- the server under test ----------------------------------------------------------------------------------------


def production_env(**values) -> dict:
    """The environment of a production deployment (config/settings_production.py), with ``values`` added.

    The check's own settings, brokers and caches are left out, as tests/security/test_deploy.py does.
    """
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "CELERY_", "CACHE_", "DATABASE_URL", "GUNICORN_", "WEB_CONCURRENCY"))}
    for name in ("DEBUG", "LOG_FORMAT", "TRUSTED_PROXIES", "SECURE_SSL_REDIRECT", "BROKER_CHECK_INTERVAL"):
        env.pop(name, None)
    env.update(DJANGO_SETTINGS_MODULE="config.settings_production", ALLOWED_HOSTS=HOST, LOG_FORMAT="json",
               PYTHONPATH=str(settings.BASE_DIR), MEDIA_ROOT=str(settings.MEDIA_ROOT))
    env.update({k: str(v) for k, v in values.items() if v is not None})
    return env


def collect_static(env: dict, folder: str) -> None:
    """collectstatic into ``folder``: the production settings serve hashed names from its manifest."""
    result = subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=settings.BASE_DIR,
                            env={**env, "STATIC_ROOT": folder}, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"collectstatic failed:\n{result.stderr}")


class ProductionServer:
    """gunicorn -c deploy/gunicorn.conf.py (sync workers, JSON access log) on a free port, for a ``with``.

    The access log goes to a file of its own (one JSON object per request, with its time and status); the
    error log and the application's log (JSON lines) to another, kept when the check fails.
    """

    def __init__(self, env: dict):
        self.port = free_port()
        self.env = {**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}"}
        self.access = tempfile.NamedTemporaryFile(prefix="loadcheck-access-", suffix=".log", delete=False).name
        self.log = tempfile.NamedTemporaryFile(prefix="loadcheck-gunicorn-", suffix=".log", delete=False).name
        self.process: subprocess.Popen | None = None
        self.keep_log = False

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ProductionServer:
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [gunicorn, "-c", "deploy/gunicorn.conf.py", "--access-logfile", self.access],
                cwd=settings.BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if fetch(self.base, reverse("login"), None)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        self.keep_log = True
        self.__exit__(None, None, None)
        raise RuntimeError(f"gunicorn did not start; see {self.log}")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # its own session: the master and its workers
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if exc[0] is None and not self.keep_log:  # kept when something went wrong
            Path(self.access).unlink(missing_ok=True)
            Path(self.log).unlink(missing_ok=True)
        return False

    def answers(self) -> list[Answer]:
        return read_access_log(self.access)

    def errors(self, limit: int = 20) -> list[str]:
        """The error-level lines of the server's log (tracebacks of 500s are logged by django.request)."""
        lines = []
        with open(self.log, encoding="utf-8", errors="replace") as log:
            for line in log:
                if '"level": "ERROR"' in line or '"level": "CRITICAL"' in line or "Traceback" in line:
                    lines.append(line.rstrip())
        return lines[:limit]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 3xx itself is the answer


def fetch(base: str, path: str, session: str | None, timeout: float = 30) -> tuple[int, str]:
    """(status, body) of a GET as the proxy would pass it on: the site's host, HTTPS, the session cookie.

    For a redirect the body is replaced by where it points."""
    headers = {"Host": HOST, "X-Forwarded-Proto": "https"}
    if session:
        headers["Cookie"] = f"{SESSION_COOKIE}={session}"
    request = urllib.request.Request(base + path, headers=headers)
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        if 300 <= error.code < 400:
            return error.code, f"-> {error.headers.get('Location')}"
        return error.code, error.read().decode("utf-8", "replace")


# ---- who asks for what ------------------------------------------------------------------------------------------


def mint_sessions(usernames: list[str], count: int, secret_key: str) -> dict[str, list[str]]:
    """``count`` database sessions per user, as a login would leave them, signed with the server's SECRET_KEY.

    Each user has several browsers open, so no single session row is contended.
    """
    User = get_user_model()
    keys: dict[str, list[str]] = {}
    now = int(time.time())
    with override_settings(SECRET_KEY=secret_key):
        for username in usernames:
            user = User.objects.get(username=username)
            keys[username] = []
            for _ in range(count):
                session = SessionStore()
                session[SESSION_KEY] = str(user.pk)
                session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]  # the one that logs users in
                session[HASH_SESSION_KEY] = user.get_session_auth_hash()
                session[SESSION_STARTED_KEY] = now
                session[SESSION_SEEN_KEY] = now
                session.create()
                keys[username].append(session.session_key)
    return keys


@dataclass
class Page:
    name: str
    paths: dict[str, str] = field(default_factory=dict)  # role → the path that role asks for


def pages(campaign) -> list[Page]:
    """The logged-in pages under load, each with the roles allowed to see it (tests/security/test_permission_matrix
    has the rules) and, for a detail page, an object that role may see."""

    User = get_user_model()
    users = {role: User.objects.select_related("profile__unit").get(username=name) for role, name in ROLES.items()}
    slug = campaign.slug

    def url(name, **kwargs):
        return reverse(name, kwargs={"slug": slug, **kwargs})

    every, readers, office = tuple(ROLES), ("office", "leader"), ("office",)
    listed: list[Page] = []

    def add(name, path, roles):
        listed.append(Page(name, {role: path for role in roles}))

    add("campaign", url("campaign-detail"), every)
    add("plan_tree", url("plan-tree", unit_code=campaign.office.code), every)
    add("task_list", url("list-tasks"), every)
    add("task_list_filtered", url("list-tasks") + f"?status={STATUS_FILTER_CHOICES[1][0]}&q=%E5%AE%89%E5%85%A8", every)
    add("problem_list", url("list-problems"), every)
    add("ledger", url("list-ledger"), every)
    add("monthly_entry", url("monthly-entry"), ("liaison",))
    add("review_queue", url("review-queue"), office)
    add("hazard_list", url("hazard-list"), every)
    add("hazard_list_filtered", url("hazard-list") + "?state=rectifying", every)
    add("hazard_statistics", url("hazard-statistics"), every)
    add("scoreboard", url("scoreboard"), every)
    add("monthly_list", url("monthly-list"), every)
    add("audit_log", reverse("audit-log"), office)

    assignment = task_access.visible_assignments(users["liaison"], campaign).filter(
        unit=access.unit_of(users["liaison"])).order_by("pk").first()
    if assignment:
        add("assignment_detail", url("assignment-detail", pk=assignment.pk), every)
    # Detail pages: for each role, an object that role may see.
    for name, visible, kind in (("task_detail", task_access.visible_tasks, "task-detail"),
                                ("hazard_detail", hazard_access.visible_hazards, "hazard-detail")):
        page = Page(name)
        for role, user in users.items():
            obj = visible(user, campaign).order_by("pk").first()
            if obj:
                page.paths[role] = url(kind, pk=obj.pk)
        if page.paths:
            listed.append(page)
    report = MonthlyReport.objects.filter(campaign=campaign, is_current=True, state=ReportState.PUBLISHED) \
        .order_by("-month").first()
    if report:
        month = f"{report.month:%Y-%m}"
        add("monthly_detail", url("monthly-detail", month=month), readers)
        if report.bulletins.filter(kind=BulletinKind.PRAISE).exists():
            add("bulletin", url("monthly-bulletin", month=month, kind=BulletinKind.PRAISE), every)
    return listed


def request_table(listed: list[Page], sessions: dict[str, list[str]], rounds: int = 12) -> list[tuple[str, str]]:
    """(path, session key) pairs: every page in turn, each time for the next role allowed to see it, with the next
    session of that role's user."""
    turn = {role: 0 for role in ROLES}
    table = []
    for round_ in range(rounds):
        for page in listed:
            roles = sorted(page.paths)
            role = roles[round_ % len(roles)]
            keys = sessions[ROLES[role]]
            table.append((page.paths[role], keys[turn[role] % len(keys)]))
            turn[role] += 1
    return table


def write_script(table: list[tuple[str, str]]) -> str:
    handle = tempfile.NamedTemporaryFile("w", prefix="loadcheck-", suffix=".lua", delete=False)
    with handle:
        entries = ",\n".join(f"{{{json.dumps(path)}, {json.dumps(key)}}}" for path, key in table)
        handle.write(f"host = {json.dumps(HOST)}\ncookie = {json.dumps(SESSION_COOKIE)}\n"
                     f"entries = {{\n{entries}\n}}\n{LUA}")
    return handle.name


# ---- gunicorn's access log ---------------------------------------------------------------------------------------


@dataclass
class Answer:
    at: float  # when the answer was logged (its end), seconds since the epoch
    status: int
    path: str
    ms: float


def read_access_log(path: str) -> list[Answer]:
    """The answers in deploy/gunicorn.conf.py's JSON access log (``time`` is local time with milliseconds)."""
    answers = []
    with open(path, encoding="utf-8") as log:
        for line in log:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if "status" not in record:
                continue
            at = datetime.datetime.strptime(record["time"], "%Y-%m-%d %H:%M:%S,%f").timestamp()
            answers.append(Answer(at, int(record["status"]), record.get("path") or "", record.get("duration_ms") or 0))
    return answers


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def new_secret_key() -> str:
    return secrets.token_urlsafe(50)
