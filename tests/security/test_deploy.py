"""Production settings and deploy/: `check --deploy` is clean, the settings say what they should, logs are JSON
lines, static files collect, gunicorn starts with deploy/gunicorn.conf.py and /healthz answers through it."""

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DEPLOY = ROOT / "deploy"
PYTHON = sys.executable


def production_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings_production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="example.org",
        PYTHONPATH=str(ROOT),
    )
    env.pop("DEBUG", None)
    env.pop("LOG_FORMAT", None)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run(args, env, timeout=120, **kwargs):
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, **kwargs)


def test_check_deploy_prints_no_issues():
    result = run([PYTHON, "manage.py", "check", "--deploy"], production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced).", result.stdout + result.stderr
    assert "WARNING" not in result.stderr and "?: (" not in result.stderr


@pytest.mark.parametrize("key", ["", "short", "django-insecure-" + "x" * 60])
def test_production_refuses_a_missing_or_weak_secret_key(key):
    result = run([PYTHON, "manage.py", "check"], production_env(SECRET_KEY=key))
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_production_refuses_to_run_without_allowed_hosts():
    result = run([PYTHON, "manage.py", "check"], production_env(ALLOWED_HOSTS=""))
    assert result.returncode != 0 and "ALLOWED_HOSTS" in result.stderr


SHOW_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({name: getattr(s, name) for name in [
    "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SESSION_COOKIE_HTTPONLY", "X_FRAME_OPTIONS",
    "AXES_HANDLER", "TRUSTED_PROXIES", "SESSION_COOKIE_AGE", "SESSION_ABSOLUTE_SECONDS", "LOG_FORMAT",
    "SECURE_REDIRECT_EXEMPT"]} | {"static": s.STORAGES["staticfiles"]["BACKEND"]}))
"""


def test_production_settings():
    result = run([PYTHON, "-c", SHOW_SETTINGS], production_env())
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["SESSION_COOKIE_HTTPONLY"]
    assert values["SECURE_SSL_REDIRECT"] and values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["AXES_HANDLER"] == "axes.handlers.database.AxesDatabaseHandler"
    assert values["TRUSTED_PROXIES"] == []  # not trusted unless the environment says so
    assert values["SESSION_COOKIE_AGE"] == 7200 and values["SESSION_ABSOLUTE_SECONDS"] == 12 * 3600
    assert values["LOG_FORMAT"] == "json"
    assert values["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert "^healthz$" in values["SECURE_REDIRECT_EXEMPT"]


LOG_SOMETHING = """
import logging, django
django.setup()
logging.getLogger("tracker.test").warning("后台任务服务暂不可用", extra={"job": 7})
"""


def test_production_logs_are_json_lines():
    result = run([PYTHON, "-c", LOG_SOMETHING], production_env())
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    record = json.loads(lines[-1])
    assert record["message"] == "后台任务服务暂不可用" and record["level"] == "WARNING"
    assert record["logger"] == "tracker.test" and record["job"] == 7 and "time" in record


def test_log_format_json_works_with_the_ordinary_settings_too():
    env = production_env(LOG_FORMAT="json", DJANGO_SETTINGS_MODULE="config.settings")
    result = run([PYTHON, "-c", LOG_SOMETHING], env)
    assert json.loads(result.stderr.strip().splitlines()[-1])["job"] == 7
    result = run([PYTHON, "-c", LOG_SOMETHING], production_env(LOG_FORMAT="text"))
    assert "WARNING tracker.test 后台任务服务暂不可用" in result.stderr


# ---- static files and gunicorn, end to end ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    static_root = tmp_path_factory.mktemp("static")
    result = run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], production_env(STATIC_ROOT=static_root),
                 timeout=300)
    assert result.returncode == 0, result.stderr
    return static_root


def test_static_files_collect_with_hashed_names(collected):
    manifest = json.loads((collected / "staticfiles.json").read_text())["paths"]
    for name in ("js/app.js", "js/print.js", "js/admin_csp.js", "css/app.css", "vendor/bootstrap/bootstrap.min.css"):
        assert re.fullmatch(rf"{re.escape(name.rsplit('.', 1)[0])}\.[0-9a-f]{{12}}\.\w+", manifest[name]), name


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 3xx itself is the answer


def get(url, host="example.org", **headers):
    request = urllib.request.Request(url, headers={"Host": host, **headers})
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.fixture
def gunicorn(collected, tmp_path_factory):
    """gunicorn with deploy/gunicorn.conf.py and the production settings, on an empty SQLite database."""
    port = free_port()
    database = tmp_path_factory.mktemp("db") / "db.sqlite3"
    env = production_env(
        STATIC_ROOT=collected, DATABASE_URL=f"sqlite:///{database}", GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY=1, TRUSTED_PROXIES="127.0.0.1",
    )
    gunicorn = str(Path(PYTHON).with_name("gunicorn"))
    process = subprocess.Popen([gunicorn, "-c", "deploy/gunicorn.conf.py"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail("gunicorn did not start: " + process.stderr.read())
            time.sleep(0.1)
    yield base, process
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_gunicorn_serves_healthz_and_pages_with_the_production_headers(gunicorn):
    base, process = gunicorn
    status, headers, body = get(f"{base}/healthz")  # plain HTTP: exempt from the HTTPS redirect
    assert status == 200 and json.loads(body) == {"status": "ok", "database": "ok", "broker": "not configured"}

    status, headers, _ = get(f"{base}/accounts/login/")  # plain HTTP elsewhere: sent to HTTPS
    assert status == 301 and headers["Location"] == "https://example.org/accounts/login/"

    status, headers, body = get(f"{base}/accounts/login/", **{"X-Forwarded-Proto": "https"})
    assert status == 200 and "登录" in body
    assert "max-age=31536000" in headers["Strict-Transport-Security"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert re.search(r"/static/js/app\.[0-9a-f]{12}\.js", body)  # hashed names from the manifest
    cookie = headers.get("Set-Cookie", "")
    assert "__Host-csrftoken" in cookie and "Secure" in cookie

    status, _, body = get(f"{base}/accounts/login/", host="evil.example.com", **{"X-Forwarded-Proto": "https"})
    assert status == 400 and "请求有误" in body


def test_gunicorn_access_log_is_json_lines(gunicorn):
    base, process = gunicorn
    get(f"{base}/healthz?probe=1", **{"X-Forwarded-For": "10.1.2.3", "User-Agent": "probe/1"})
    time.sleep(0.5)
    process.terminate()
    out, err = process.communicate(timeout=15)
    records = [json.loads(line) for line in out.splitlines() if line.strip()]
    probe = next(r for r in records if r.get("query") == "probe=1")
    assert probe["message"] == "request" and probe["logger"] == "gunicorn.access"
    assert (probe["method"], probe["path"], probe["status"]) == ("GET", "/healthz", 200)
    assert probe["forwarded_for"] == "10.1.2.3" and probe["user_agent"] == "probe/1"
    assert isinstance(probe["duration_ms"], float)
    errors = [json.loads(line) for line in err.splitlines() if line.strip()]
    assert any("Starting gunicorn" in r["message"] for r in errors)


# ---- the files in deploy/ --------------------------------------------------------------------------------------


def test_nginx_example_matches_the_upload_limits_and_sets_the_proxy_headers():
    conf = (DEPLOY / "nginx" / "tracker.conf").read_text()
    size = re.search(r"client_max_body_size\s+(\d+)m;", conf)
    assert size and int(size.group(1)) * 1024 * 1024 >= max(settings.ATTACHMENT_MAX_BYTES, settings.IMPORT_MAX_BYTES)
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in conf
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    assert "ssl_certificate " in conf and "listen 443 ssl" in conf
    assert "alias /opt/tracker/staticfiles/" in conf


def test_systemd_units_run_web_worker_and_beat_with_the_production_settings():
    units = {name: (DEPLOY / "systemd" / f"tracker-{name}.service").read_text() for name in ("web", "worker", "beat")}
    assert "gunicorn -c deploy/gunicorn.conf.py" in units["web"]
    assert "celery -A config worker" in units["worker"]
    assert "celery -A config beat" in units["beat"]
    for text in units.values():
        assert "Environment=DJANGO_SETTINGS_MODULE=config.settings_production" in text
        assert "EnvironmentFile=/etc/tracker/tracker.env" in text and "User=tracker" in text


def test_compose_file_has_the_five_services():
    text = (DEPLOY / "docker-compose.yml").read_text()
    services = re.search(r"^services:\n(.*?)^volumes:", text, re.S | re.M).group(1)
    names = re.findall(r"^  ([a-z]+):$", services, re.M)
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(names)
    assert "dockerfile: deploy/Dockerfile" in text
    assert (DEPLOY / "Dockerfile").is_file()
