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


@pytest.fixture
def celery_worker_process(transactional_db):
    if not os.environ.get("CELERY_BROKER_URL"):
        pytest.skip("CELERY_BROKER_URL is not set: no real broker to test against")
    if connection.vendor != "postgresql":
        pytest.skip("a separate worker process needs the PostgreSQL test database")
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env["MEDIA_ROOT"] = str(settings.MEDIA_ROOT)
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--concurrency=1",
         "--loglevel=warning", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        env=env, cwd=settings.BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    time.sleep(2)
    yield process
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
