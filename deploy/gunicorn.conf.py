"""gunicorn for the tracker: ``gunicorn -c deploy/gunicorn.conf.py`` from the repository root.

Environment (all optional):
  GUNICORN_BIND      address(es) to listen on, comma-separated (default 127.0.0.1:8000: only the proxy on
                     this machine can connect, which is what makes X-Forwarded-* trustworthy)
  WEB_CONCURRENCY    worker processes (default 2 x CPUs + 1, at most 12)
  GUNICORN_THREADS   threads per worker (default 1)
  GUNICORN_TIMEOUT   seconds a request may take before its worker is restarted (default 60)
  TRUSTED_PROXIES    proxies whose X-Forwarded-Proto gunicorn believes (default 127.0.0.1 and ::1)
  LOG_FORMAT         json (default): one JSON object per line, access log on stdout, errors on stderr;
                     text: gunicorn's own format

DJANGO_SETTINGS_MODULE should be config.settings_production (the systemd unit and the image set it).
"""

import multiprocessing
import os

from gunicorn import glogging
from pythonjsonlogger.json import JsonFormatter

wsgi_app = "config.wsgi:application"
bind = [address.strip() for address in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",") if address.strip()]
workers = int(os.environ.get("WEB_CONCURRENCY") or min(multiprocessing.cpu_count() * 2 + 1, 12))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak in a library cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES") or "127.0.0.1,::1"
# In a container /tmp may be on overlayfs; heartbeats on a RAM disk never stall a worker.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


class JsonLogger(glogging.Logger):
    """gunicorn's logger writing JSON lines: one object per request on the access log, errors likewise."""

    formatter = JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        json_ensure_ascii=False,
    )

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(self.formatter)

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        try:
            status = int(status)
        except (TypeError, ValueError):
            pass
        fields = {
            "remote_addr": environ.get("REMOTE_ADDR"),
            "forwarded_for": environ.get("HTTP_X_FORWARDED_FOR"),
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "query": environ.get("QUERY_STRING") or None,
            "status": status,
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "user_agent": environ.get("HTTP_USER_AGENT"),
            "referer": environ.get("HTTP_REFERER"),
        }
        try:
            self.access_log.info("request", extra=fields)
        except Exception:
            self.exception("could not write the access log")


if os.environ.get("LOG_FORMAT", "json") == "json":
    logger_class = JsonLogger
