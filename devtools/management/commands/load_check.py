"""Issue 8's load check: 32 connections for 60 s on the logged-in pages give no 5xx, with Redis stopped part way.

On the current database (the demo campaign is loaded first if it is missing), the command starts a Redis of its
own on a free port and gunicorn with the production settings and deploy/gunicorn.conf.py, with that Redis as the
Celery broker and the cache (CACHE_URL). It signs in the office, a leader and a township liaison (database
sessions, several per user), checks that every page answers 200 to every role it loads it for, then runs wrk
over the pages, each request with the session of a role allowed to see its page. At ``--stop-at`` seconds Redis
is stopped; at ``--restart-at`` it is started again on the same port. Meanwhile a probe asks for a page every
quarter second: the "background jobs unavailable" banner must appear during the outage and go away after it.

The answers are counted from gunicorn's access log, split by their time into before / during / after the
outage. One JSON line per figure, as ``bench`` prints them; the exit status is non-zero if any figure with a
target misses it (any 5xx, any other non-2xx answer, wrk socket errors, a banner that never shows or stays).
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from campaign.models import Campaign
from core.health import BACKGROUND_JOBS_DOWN
from demo.loader import SLUG, load_demo
from devtools.benchmarks import outage
from devtools.benchmarks.pages import run_wrk

PROBE_EVERY = 0.25  # seconds between the banner probe's requests
CLEAN_ANSWERS = 5  # pages in a row without the banner after the restart


class Command(BaseCommand):
    help = ("负载检查：以生产配置运行 gunicorn，用 wrk 压测登录后的页面，期间停止并重启 Redis；"
            "逐行输出 JSON 结果，出现 5xx 等未达标项时退出码非零。")

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=60, help="wrk 压测时长（秒），默认 60")
        parser.add_argument("--connections", type=int, default=32, help="wrk 并发连接数，默认 32")
        parser.add_argument("--threads", type=int, default=2, help="wrk 线程数，默认 2")
        parser.add_argument("--stop-at", type=float, default=20, help="第几秒停止 Redis，默认 20")
        parser.add_argument("--restart-at", type=float, default=40, help="第几秒重新启动 Redis，默认 40")
        parser.add_argument("--workers", type=int,
                            help="gunicorn 工作进程数（默认按 deploy/gunicorn.conf.py：2×CPU+1，至多 12）")
        parser.add_argument("--sessions", type=int, default=8, help="每个用户的登录会话数，默认 8")
        parser.add_argument("--broker-check-interval", type=float,
                            help="页面信任上次 broker 检查的秒数（默认同生产配置 BROKER_CHECK_INTERVAL）")

    def emit(self, name, value, unit, target, ok):
        self.figures.append((name, bool(ok)))
        self.stdout.write(json.dumps(
            {"name": name, "value": round(value, 3), "unit": unit, "target": target, "ok": bool(ok)},
            ensure_ascii=False,
        ))
        self.stdout.flush()

    def handle(self, *args, **options):
        from django.contrib.sessions.models import Session


        seconds, stop, restart = options["seconds"], options["stop_at"], options["restart_at"]
        if not 0 < stop < restart < seconds:
            raise CommandError("需要 0 < --stop-at < --restart-at < --seconds。")
        for tool in ("wrk", "redis-server"):
            if not shutil.which(tool):
                raise CommandError(f"找不到 {tool}（apt-get install {tool}）。")
        try:
            database = outage.database_url()
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.figures: list[tuple[str, bool]] = []
        self.verbosity, self.started = options["verbosity"], time.monotonic()
        self.interval = options["broker_check_interval"] or settings.BROKER_CHECK_INTERVAL
        workers = options["workers"] or min(multiprocessing.cpu_count() * 2 + 1, 12)  # deploy/gunicorn.conf.py

        campaign = Campaign.objects.filter(slug=SLUG).first()
        if campaign is None:
            self.stderr.write(f"数据库中没有演示行动 {SLUG}，先载入演示数据……")
            campaign = load_demo()
            self.step("demo loaded")
        listed = outage.pages(campaign)
        secret = outage.new_secret_key()
        sessions = outage.mint_sessions(list(outage.ROLES.values()), options["sessions"], secret)
        script = outage.write_script(outage.request_table(listed, sessions))
        connection.close()  # the server's workers open their own
        try:
            with tempfile.TemporaryDirectory(prefix="loadcheck-static-") as static, outage.RedisServer() as redis:
                env = outage.production_env(
                    SECRET_KEY=secret, DATABASE_URL=database, CELERY_BROKER_URL=redis.url(0),
                    CACHE_URL=redis.url(1), STATIC_ROOT=static, WEB_CONCURRENCY=workers,
                    BROKER_CHECK_INTERVAL=options["broker_check_interval"],
                )
                outage.collect_static(env, static)
                self.step("static files collected")
                with outage.ProductionServer(env) as server:
                    self.step(f"gunicorn up on port {server.port}, Redis on {redis.port}")
                    probe_session = sessions[outage.ROLES["office"]][0]
                    probe_path = listed[0].paths["office"]
                    self.check_pages(server, listed, sessions, workers)
                    self.step("pages checked")
                    self.emit("load_gunicorn_workers", workers, "sync workers", "reference", True)
                    self.load(server, redis, script, options, probe_path, probe_session)
                    self.step("load done")
                    failed = [name for name, ok in self.figures if not ok]
                    if failed:
                        server.keep_log = True
                        for line in server.errors(limit=10):
                            self.stderr.write(line[:1000])
                        raise CommandError(f"未达标：{', '.join(failed)}。gunicorn 日志：{server.log}，"
                                           f"访问日志：{server.access}")
        finally:
            Path(script).unlink(missing_ok=True)
            keys = [key for keys in sessions.values() for key in keys]
            Session.objects.filter(session_key__in=keys).delete()

    def step(self, what: str) -> None:
        if self.verbosity >= 2:
            self.stderr.write(f"[{time.monotonic() - self.started:6.1f} s] {what}")

    def check_pages(self, server, listed, sessions, workers: int) -> None:
        """Every page answers 200 to every role it is loaded for, without the banner (Redis is up).

        Asked ``workers`` at a time: this also warms up every worker."""
        checks = [(page.name, role, path) for page in listed for role, path in page.paths.items()]

        def check(name, role, path):
            status, body = outage.fetch(server.base, path, sessions[outage.ROLES[role]][0], timeout=120)
            if status != 200:
                return f"{name} ({role}) {path}: {status} {body[:200]}"
            if BACKGROUND_JOBS_DOWN in body:
                return f"{name} ({role}) {path}: 后台任务横幅在 Redis 正常时出现"
            return None

        with ThreadPoolExecutor(max_workers=workers) as pool:
            problems = [p for p in pool.map(lambda args: check(*args), checks) if p]
        if problems:
            server.keep_log = True
            raise CommandError("压测前的页面检查失败：\n" + "\n".join(problems) + f"\ngunicorn 日志：{server.log}")
        self.stderr.write(f"{len(checks)} 个页面/角色组合均返回 200：" + ", ".join(p.name for p in listed))

    def load(self, server, redis, script, options, probe_path, probe_session) -> None:
        seconds = options["seconds"]
        started = time.time()
        events: dict[str, float] = {}
        stopped, restarted = threading.Event(), threading.Event()
        probe_failures: list[str] = []

        def schedule():
            time.sleep(max(0.0, started + options["stop_at"] - time.time()))
            redis.stop()
            events["stopped"] = time.time()
            stopped.set()
            time.sleep(max(0.0, started + options["restart_at"] - time.time()))
            redis.start()
            events["restarted"] = time.time()
            restarted.set()

        def banner() -> bool | None:
            try:
                status, body = outage.fetch(server.base, probe_path, probe_session, timeout=15)
            except OSError as error:
                probe_failures.append(str(error))
                return None
            if status != 200:
                probe_failures.append(f"{probe_path}: {status}")
                return None
            return BACKGROUND_JOBS_DOWN in body

        def probe():
            stopped.wait()
            while not restarted.is_set():
                if banner():
                    events["banner_shown"] = time.time()
                    break
                time.sleep(PROBE_EVERY)
            restarted.wait()
            deadline = events["restarted"] + self.interval + 10
            clean_since, clean = None, 0
            while time.time() < deadline:
                shown = banner()
                if shown is False:
                    clean_since, clean = clean_since or time.time(), clean + 1
                    if clean >= CLEAN_ANSWERS:
                        events["banner_cleared"] = clean_since
                        return
                else:
                    clean_since, clean = None, 0
                time.sleep(PROBE_EVERY)

        threads = [threading.Thread(target=schedule, daemon=True), threading.Thread(target=probe, daemon=True)]
        for thread in threads:
            thread.start()
        url = server.base + probe_path
        connections = options["connections"]
        result = run_wrk(url, script, seconds=seconds, connections=connections,
                         threads=max(1, min(options["threads"], connections)))  # wrk wants a connection per thread
        for thread in threads:
            thread.join(timeout=max(1.0, started + options["restart_at"] + self.interval + 20 - time.time()))
        if "restarted" not in events:
            raise CommandError("Redis 未能按时重新启动。")

        answers = [a for a in server.answers() if a.at >= started]
        phases = {
            "before_outage": [a for a in answers if a.at < events["stopped"]],
            "during_outage": [a for a in answers if events["stopped"] <= a.at < events["restarted"]],
            "after_outage": [a for a in answers if a.at >= events["restarted"]],
        }
        self.emit("load_requests", result.requests, "requests", "reference", True)
        self.emit("load_throughput", result.throughput, "req/s", "reference", True)
        self.emit("load_median", result.median_ms, "ms", "reference", True)
        self.emit("load_p99", result.p99_ms, "ms", "reference", True)
        self.emit("load_socket_errors", result.errors, "errors", "== 0", result.errors == 0)
        server_errors = sum(1 for a in answers if a.status >= 500)
        self.emit("load_5xx", server_errors, "responses", "== 0", server_errors == 0)
        for phase, rows in phases.items():
            count = sum(1 for a in rows if a.status >= 500)
            self.emit(f"load_5xx_{phase}", count, "responses", "== 0", count == 0)
        other = sum(1 for a in answers if not 200 <= a.status < 300)
        self.emit("load_non2xx", other, "responses", "== 0", other == 0)
        for phase, rows in phases.items():
            target = "> 0" if phase == "during_outage" else "reference"
            self.emit(f"load_answers_{phase}", len(rows), "responses", target, bool(rows) or target == "reference")
            self.emit(f"load_p99_{phase}", outage.percentile([a.ms for a in rows], 0.99), "ms (server)",
                      "reference", True)

        outage_seconds = events["restarted"] - events["stopped"]
        shown = events.get("banner_shown")
        self.emit("outage_banner_shown_after", shown - events["stopped"] if shown else -1, "s",
                  f"< {outage_seconds:.0f} (while Redis is down)", shown is not None)
        cleared = events.get("banner_cleared")
        limit = self.interval + 5
        self.emit("outage_banner_cleared_after", cleared - events["restarted"] if cleared else -1, "s",
                  f"<= {limit:g} (BROKER_CHECK_INTERVAL {self.interval:g} + 5)",
                  cleared is not None and cleared - events["restarted"] <= limit)
        self.emit("outage_probe_failures", len(probe_failures), "requests", "== 0", not probe_failures)
        for failure in probe_failures[:5]:
            self.stderr.write(f"probe: {failure}")
