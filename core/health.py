"""Is the site's back end up? The broker check behind the "background jobs unavailable" banner, and /healthz.

Pages must keep working when Redis is down, so nothing on a page talks to the broker except
``broker_available()``, which connects at most once per BROKER_CHECK_INTERVAL seconds per process and
waits at most BROKER_CHECK_TIMEOUT seconds. With no broker configured (jobs run in-process) there is
nothing to check.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from kombu import Connection

logger = logging.getLogger(__name__)

BACKGROUND_JOBS_DOWN = "后台任务服务暂不可用：大文件导入和月报生成将无法排队，请稍后再试。"

_lock = threading.Lock()
_last = {"at": None, "ok": True}


def broker_configured() -> bool:
    return bool(settings.CELERY_BROKER_URL) and not settings.CELERY_TASK_ALWAYS_EAGER


def _ping_broker() -> bool:
    timeout = settings.BROKER_CHECK_TIMEOUT
    options = {"socket_timeout": timeout, "socket_connect_timeout": timeout, "max_retries": 0}
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=timeout, transport_options=options) as conn:
            conn.ensure_connection(max_retries=0)  # one attempt, no retry loop
        return True
    except Exception as error:  # any failure means "cannot queue now"; the reason goes to the log, not the page
        logger.warning("broker check failed: %s", error)
        return False


def broker_available(*, fresh: bool = False) -> bool:
    """True when jobs can be queued: no broker is needed (eager mode), or the broker answered recently.

    The answer is reused for BROKER_CHECK_INTERVAL seconds; while one thread checks, the others use the
    previous answer instead of waiting. ``fresh`` (the health check) always connects.
    """
    if not broker_configured():
        return True
    now = time.monotonic()
    at = _last["at"]
    if not fresh and at is not None and now - at < settings.BROKER_CHECK_INTERVAL:
        return _last["ok"]
    if not _lock.acquire(blocking=fresh):
        return _last["ok"]
    try:
        ok = _ping_broker()
        _last.update(at=time.monotonic(), ok=ok)
        return ok
    finally:
        _lock.release()


def reset_broker_check() -> None:
    """Forget the last answer (tests, and after changing CELERY_BROKER_URL)."""
    _last.update(at=None, ok=True)


def background_jobs(request):
    """Context processor: ``background_jobs_down`` for the layout's banner, shown to signed-in users.

    Lazy, so a response that renders no layout (JSON, files) never checks.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"background_jobs_down": False}
    return {
        "background_jobs_down": SimpleLazyObject(lambda: not broker_available()),
        "background_jobs_message": BACKGROUND_JOBS_DOWN,
    }


def database_available() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True
    except Exception as error:
        logger.warning("database check failed: %s", error)
        return False


@never_cache
@require_safe
def healthz(request):
    """For load balancers, docker and monitoring: 200 when the database and the broker answer, else 503.

    No login and no details beyond ok / unavailable: it is reachable by anyone who can reach the site. The broker's
    answer is the one pages share (at most BROKER_CHECK_INTERVAL seconds old, never waited for while another thread
    checks): a monitor polling this page cannot make signed-in users wait on a hanging broker.
    """
    database = database_available()
    if broker_configured():
        broker = "ok" if broker_available() else "unavailable"
    else:
        broker = "not configured"  # jobs run in-process
    healthy = database and broker != "unavailable"
    body = {"status": "ok" if healthy else "unavailable", "database": "ok" if database else "unavailable",
            "broker": broker}
    return JsonResponse(body, status=200 if healthy else 503)
