"""A real Celery worker against the real broker and the test database (PostgreSQL), for CI.

Skipped, saying why, without CELERY_BROKER_URL or on SQLite (whose in-memory test
database another process cannot open).
"""

import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection


def _check_services():
    if not os.environ.get("CELERY_BROKER_URL"):
        pytest.skip("CELERY_BROKER_URL is not set: no real broker to test against")
    if connection.vendor != "postgresql":
        pytest.skip("a separate worker process needs the PostgreSQL test database")


def start_worker(**extra_env) -> subprocess.Popen:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env["MEDIA_ROOT"] = str(settings.MEDIA_ROOT)
    env.update({k: str(v) for k, v in extra_env.items()})
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--concurrency=1",
         "--loglevel=warning", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        env=env, cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    time.sleep(2)
    return process


def stop_worker(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def celery_worker_process(transactional_db):
    _check_services()
    process = start_worker()
    yield process
    stop_worker(process)


@pytest.fixture
def worker_control(transactional_db):
    """Start and stop workers by hand (the worker-kill test); every one is stopped at the end."""
    _check_services()
    started = []

    def start(**extra_env):
        process = start_worker(**extra_env)
        started.append(process)
        return process

    yield start
    for process in started:
        stop_worker(process)
