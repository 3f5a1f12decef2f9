"""Production settings: ``DJANGO_SETTINGS_MODULE=config.settings_production``.

Everything in ``config.settings`` (read from the environment), plus what a site served over HTTPS behind
a reverse proxy needs. ``python manage.py check --deploy`` passes with these settings. Required in the
environment: SECRET_KEY (at least 50 random characters), ALLOWED_HOSTS, DATABASE_URL, CELERY_BROKER_URL.
See README, "部署 / Deployment", and deploy/.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .settings import *  # noqa: F403
from .settings import env_bool, env_list, logging_config

DEBUG = False

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure-"):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to at least 50 random characters in production, e.g. "
        "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
# No localhost fallback: a request naming any other host gets a 400.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the host(s) the site is served as, e.g. aqsc.example.gov.cn")

# HTTPS: the proxy (deploy/nginx.conf) terminates TLS and says so in X-Forwarded-Proto, which it always sets
# itself; gunicorn listens only on 127.0.0.1 (or the container network), so no client can forge it.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# The health check is probed over plain HTTP from inside (docker, the load balancer).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Harmless for an intranet name, which no browser's preload list can hold; set false to leave it out.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"  # __Host-: secure, whole site, not settable by a sibling subdomain
CSRF_COOKIE_NAME = "__Host-csrftoken"

# Static files: collected at deploy time (`manage.py collectstatic`), with hashed names so that nginx (or
# whitenoise) can let browsers cache them for a year.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False

# Logs: one JSON object per line unless LOG_FORMAT=text is asked for.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
LOGGING = logging_config(LOG_FORMAT)

# Keep database connections across requests, and check them before reuse (PostgreSQL restarts, failovers).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405

# A cache shared by all workers (and nodes) when CACHE_URL names a Redis, e.g. redis://127.0.0.1:6379/1 (a
# database of its own, not the broker's); otherwise each process keeps its own (Django's local-memory cache).
# Pages only keep what they can compute again there (campaign/pagecache.py), and sessions and login lockouts
# are in the database: while Redis is down pages are computed without the cache instead of failing
# (campaign/cache.py). CACHE_KEY_PREFIX separates sites that share one Redis database.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.TolerantRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "tracker"),
        }
    }

# How long pages trust the last broker check (core.health); the load check shortens it for short runs.
BROKER_CHECK_INTERVAL = float(os.environ.get("BROKER_CHECK_INTERVAL") or BROKER_CHECK_INTERVAL)  # noqa: F405
