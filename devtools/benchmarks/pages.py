"""Page benchmarks: the product under gunicorn, loaded by wrk, compared with a minimal Django view.

gunicorn serves ``devtools.benchmarks.wsgi`` (the product plus ``/bench/minimal/``) with two workers.
Every request carries the session cookie of a logged-in office user, taken round-robin from a pool
of sessions (one user with several browsers open, as an office's staff would be), so that the
per-request session work is what a real office sees and no single session row is contended. The
minimal view gets exactly the same requests, so the ratio compares the page's own work with the
framework's.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore

from campaign.choices import Role
from campaign.models import Campaign, Profile

BENCH_USER = "bench-office"
SESSIONS = 64

# wrk's Lua hooks: a cookie per request from the pool, and one JSON line at the end. Responses are not handed to
# Lua (copying every body into it costs wrk a tenth of a core on the larger pages, taken from the server on this
# machine); statuses are counted from gunicorn's access log instead, so a redirect to the login page would show.
LUA = """
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  n = id * 17
end
function request()
  n = n + 1
  return wrk.format("GET", nil, {["Cookie"] = "sessionid=" .. cookies[(n % #cookies) + 1]})
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH {"requests": %d, "seconds": %.3f, "errors": %d}\\n',
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass
class WrkResult:
    requests: int
    seconds: float
    median_ms: float
    p99_ms: float
    errors: int  # connect, read, write and timeout errors
    non2xx: int = 0  # answers other than 2xx, from the server's access log (Server.statuses)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def bench_sessions(campaign: Campaign, count: int = SESSIONS) -> list[str]:
    """Session keys of an office user of ``campaign``, logged in ``count`` times."""
    user, _ = get_user_model().objects.get_or_create(username=BENCH_USER, defaults={"first_name": "基准测试"})
    Profile.objects.update_or_create(user=user, defaults={"role": Role.OFFICE, "unit": campaign.office})
    keys = []
    for _ in range(count):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys.append(session.session_key)
    return keys


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def parse_latency(output: str, percentile: str) -> float:
    """Milliseconds at ``percentile`` ("50%", "99%") from wrk's ``--latency`` distribution."""
    match = re.search(rf"^\s*{re.escape(percentile)}\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
    if not match:
        raise ValueError(f"wrk printed no {percentile} latency:\n{output}")
    return float(match[1]) * _UNITS[match[2]]


class Server:
    """gunicorn with the benchmark WSGI module, on a free local port, for the duration of a ``with``.

    Its access log holds one status per line; ``non2xx()`` counts the answers other than 2xx since the last call.
    """

    def __init__(self, workers: int = 2, extra: list[str] | None = None):
        self.port = _free_port()
        self.workers = workers
        self.extra = extra or []
        self.process: subprocess.Popen | None = None
        self.log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)
        self.access = tempfile.NamedTemporaryFile(prefix="bench-access-", suffix=".log", delete=False)
        self._read = 0

    def non2xx(self) -> int:
        with open(self.access.name, "rb") as log:
            log.seek(self._read)
            lines = log.read().splitlines()
            self._read = log.tell()
        return sum(1 for line in lines if not line.strip().startswith(b"2"))

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
        command = [gunicorn, "devtools.benchmarks.wsgi", "--bind", f"127.0.0.1:{self.port}",
                   "--workers", str(self.workers), "--log-level", "warning",
                   "--access-logfile", self.access.name, "--access-logformat", "%(s)s", *self.extra]
        self.process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=dict(os.environ),
                                        stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base}/bench/minimal/", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        self.__exit__(None, None, None)
        raise RuntimeError(f"gunicorn did not start; see {self.log.name}")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # its own session: the master and its workers
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        Path(self.access.name).unlink(missing_ok=True)
        if exc[0] is None:  # the server's own log is kept when something went wrong
            Path(self.log.name).unlink(missing_ok=True)
        return False


def run_wrk(url: str, script: str, *, seconds: int, connections: int = 16, threads: int = 2) -> WrkResult:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s",
               "-s", script, url]
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    data = json.loads(line.removeprefix("BENCH "))
    return WrkResult(data["requests"], data["seconds"], parse_latency(output, "50%"), parse_latency(output, "99%"),
                     data["errors"])


def write_script(sessions: list[str]) -> str:
    handle = tempfile.NamedTemporaryFile("w", prefix="bench-", suffix=".lua", delete=False)
    with handle:
        handle.write("local cookies = {" + ",".join(json.dumps(key) for key in sessions) + "}\n" + LUA)
    return handle.name


def check_page(base: str, path: str, session: str) -> None:
    """The page answers 200 to the office user (not a redirect to the login page)."""
    request = urllib.request.Request(base + path, headers={"Cookie": f"sessionid={session}"})
    opener = urllib.request.build_opener(NoRedirect)
    with opener.open(request, timeout=120) as response:
        if response.status != 200:
            raise RuntimeError(f"{path} answered {response.status}")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
