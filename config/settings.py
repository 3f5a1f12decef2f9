"""Settings, read from the environment.

DATABASE_URL (default: SQLite file ``db.sqlite3``), CELERY_BROKER_URL (absent: jobs
run in-process), SECRET_KEY, DEBUG, ALLOWED_HOSTS.
"""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _
from import_export.formats.base_formats import XLSX

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# The fallback serves the demo and the tests; production sets SECRET_KEY (see README).
SECRET_KEY = os.environ.get("SECRET_KEY") or "django-insecure-demo-key-set-SECRET_KEY-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "simple_history",
    "import_export",
    "axes",
    "csp",
    # In the order they build on each other (the import-linter contracts in .importlinter enforce it).
    "core",
    "campaign",
    "imports",
    "tasks",
    "hazards",
    "reporting",
    "audit",
    "demo",
    "devtools",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.RefuseNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Records 403s, 404s under /c/ and axes' 429s in the 操作日志; it must see axes' answer, so it sits before it.
    "audit.middleware.DeniedRequestMiddleware",
    # Last, as django-axes asks: turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "campaign.context_processors.roles",
                "core.health.background_jobs",
                "csp.context_processors.nonce",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # PostgreSQL's JIT compiles the month's grouped counts (each FILTER repeats a rule's CASE) for longer than they
    # run: a province's report build took 14.7 s with it and 6.1 s without (make bench, report_build_province).
    # PG_JIT=on gives it back to a deployment that measures otherwise.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit={os.environ.get('PG_JIT', 'off')}".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out user name or address before the password is even looked at.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend (it also refuses deactivated users, at login and on every request of a session they
    # already had), loading the user's profile with the user.
    "campaign.backends.ProfileModelBackend",
]

# Login lockout (django-axes): LOGIN_FAILURE_LIMIT failures for one user name, or from one address, lock that
# user name or address out for LOGIN_LOCKOUT_MINUTES. Attempts are kept in the database, so every gunicorn
# worker and node sees them, restarts keep them, and they do not depend on Redis being up.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
# Not reset on success: a successful login from an address would also wipe the failures recorded there
# against other users' names, so anyone with an account could keep guessing a colleague's password.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429

# The client's address (lockouts, logs). X-Forwarded-For is a header anyone can send, so it is believed only on
# requests whose connection comes from TRUSTED_PROXIES (addresses or networks of the reverse proxies, e.g.
# 127.0.0.1 for nginx on the same machine); by default no proxy is trusted and REMOTE_ADDR is the client.
# TRUSTED_PROXY_COUNT is how many proxies stand in front of Django (nginx alone: 1); each appends the address it
# saw to X-Forwarded-For, so the client is that many entries from the right, whatever a client put on the left.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    ipaddress.ip_network(_proxy, strict=False)  # a typo stops the start, not the first login
AXES_CLIENT_IP_CALLABLE = "core.middleware.client_ip"
# What axes would read without the callable: the connection only. The callable reads X-Forwarded-For itself.
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
AXES_IPWARE_PROXY_ORDER = "left-most"
# django-ipware counts the proxies listed in the header; the last one is the connection itself (REMOTE_ADDR).
AXES_IPWARE_PROXY_COUNT = max(int(os.environ.get("TRUSTED_PROXY_COUNT", "1")) - 1, 0)

# Sessions end after SESSION_IDLE_MINUTES without a request, and SESSION_ABSOLUTE_HOURS after login whatever
# happens (core.middleware.SessionLifetimeMiddleware, which renews an active session's expiry once every
# SESSION_RENEW_SECONDS instead of writing it on every request). Django cycles the session key at login, and a
# password change ends the user's other sessions (they carry a hash of the old password).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "120")) * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = 60
SESSION_ENGINE = "core.sessions"  # Django's database sessions, read with a plain statement
SESSION_ABSOLUTE_SECONDS = int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12")) * 3600

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed but not hashed: pages render with or without `collectstatic` having run.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Lets `runserver` without DEBUG (the demo) and tests serve static files straight from STATICFILES_DIRS.
WHITENOISE_USE_FINDERS = True
# Before `collectstatic` has run (demo, tests) there is no STATIC_ROOT to index at start-up.
WHITENOISE_AUTOREFRESH = DEBUG or not STATIC_ROOT.exists()

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Celery: in-process when no broker is configured.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or None)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TIMEZONE = TIME_ZONE
# An unacknowledged job (its worker died) goes back to the queue after this many seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))}
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# A page that queues a job must not hang when the broker is down: fail fast and say so.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
CELERY_BEAT_SCHEDULE = {
    # Last month's report on the 1st; an entry missed while beat was down expires instead of piling up.
    "monthly-reports": {
        "task": "reporting.tasks.build_previous_month_reports",
        "schedule": crontab(minute=30, hour=1, day_of_month=1),
        "options": {"expires": 6 * 3600},
    },
    # Expired sessions out of the database every night.
    "clear-sessions": {
        "task": "config.celery.clear_expired_sessions",
        "schedule": crontab(minute=10, hour=3),
        "options": {"expires": 3600},
    },
}
# Worker and beat log through LOGGING below (JSON lines in production) instead of Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# How long pages trust the last broker check, and how long that check may wait (core.health).
BROKER_CHECK_INTERVAL = 30
BROKER_CHECK_TIMEOUT = 1.0
# Seconds a report job waits between writing and committing; only the worker-kill test sets it.
REPORT_BUILD_PAUSE = float(os.environ.get("REPORT_BUILD_PAUSE", "0"))
IMPORT_PREVIEW_PAUSE = float(os.environ.get("IMPORT_PREVIEW_PAUSE", "0"))

IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_FORMATS = [XLSX]  # the admin's import and export: .xlsx only

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # no script reads it: forms carry the token
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: scripts only from this site, plus inline ones carrying the request's nonce (there are
# none today: pages load static/js files; json_script data blocks are not executed and need no nonce). No
# inline event handlers. style-src allows 'unsafe-inline' because style attributes remain: progress-bar widths
# and chart heights in templates, ECharts' tooltips, the admin's change list. Images may be data: URIs
# (Bootstrap's icons are inlined SVG in its CSS).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}


def logging_config(log_format: str) -> dict:
    """Console logging; ``json`` writes one JSON object per line (python-json-logger) for log collectors."""
    formatters = {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger", "process": "pid"},
            "json_ensure_ascii": False,
        },
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": formatters,
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "json" if log_format == "json" else "text"}
        },
        "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    }


LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
LOGGING = logging_config(LOG_FORMAT)

# Attachments to progress reports: pdf, jpg, png, docx, xlsx, checked by content.
ATTACHMENTS_PER_ITEM = int(os.environ.get("ATTACHMENTS_PER_ITEM", "10"))  # files on one report row or hazard
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_MB", "20")) * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000

# Spreadsheet imports.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_MB", "10")) * 1024 * 1024
IMPORT_MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
IMPORT_BACKGROUND_BYTES = int(os.environ.get("IMPORT_BACKGROUND_KB", "256")) * 1024
FILTERS_EMPTY_CHOICE_LABEL = "全部"  # django-filter: the empty choice of every filter menu (not "---------")
