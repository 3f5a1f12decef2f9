"""Backup and restore: the office must never lose a month's data.

The demo county with a built June 2025 report, its hazard register and an uploaded evidence file is
backed up with ``manage.py backup``, restored into a fresh empty database by ``manage.py restore`` in
another process, and read back there by ``export_report`` and ``export_hazards``: the report's numbers,
the register, the files and the row count of every data table are identical. The report is then
rebuilt from the restored tasks, progress and hazards and gives the same numbers again.

On SQLite the restore goes into a temporary file. On PostgreSQL a scratch database
``tracker_h8_restore_…`` is created for the test and dropped after it; the data must be committed
(``transactional_db``) for ``pg_dump`` to see it.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from core.backup import DUMP_NAMES, current_row_counts, data_tables
from demo.loader import load_demo
from hazards.importers import export_sheet as hazard_register
from hazards.models import HazardEvidence, MajorHazard
from reporting.exports import report_json
from reporting.services import build_report

MONTH = datetime.date(2025, 6, 1)
PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4 + b"\xff\xd9"
MANAGE = str(Path(settings.BASE_DIR) / "manage.py")


# ---------------------------------------------------------------------------------------------------------------
# The office's data, committed


@pytest.fixture
def office(transactional_db, settings, tmp_path):
    """The demo campaign as of mid-July 2025, June's report built, and one uploaded evidence photo."""
    settings.MEDIA_ROOT = tmp_path / "media"
    campaign = load_demo(today=datetime.date(2025, 7, 15), reports=False)
    report = build_report(campaign, MONTH)
    hazard = MajorHazard.objects.filter(campaign=campaign).order_by("pk").first()
    evidence = HazardEvidence.objects.create(hazard=hazard, file=SimpleUploadedFile("整改后照片.jpg", PHOTO),
                                             original_name="整改后照片.jpg", kind="jpg", size=len(PHOTO))
    return {
        "campaign": campaign,
        "report": json.loads(json.dumps(report_json(report), ensure_ascii=False)),
        "register": register_cells(hazard_register(campaign).rows),
        "counts": current_row_counts(),
        "evidence": evidence.file.name,
    }


def register_cells(rows) -> list[list[str]]:
    """Register rows as text, the way both sides can be compared (dates as ISO dates)."""
    def text(value):
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return "" if value is None else str(value)

    return [[text(v) for v in row] for row in rows]


def manage(*args, env, check=True) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, MANAGE, *args], env=env, cwd=settings.BASE_DIR, capture_output=True,
                            text=True, timeout=300)
    if check:
        assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result


def back_up(tmp_path) -> tuple[Path, dict]:
    out = io.StringIO()
    call_command("backup", output=str(tmp_path / "backups"), stdout=out)
    archive = Path(out.getvalue().strip().splitlines()[-1])
    assert re.fullmatch(r"tracker-backup-\d{8}-\d{6}\.tar\.gz", archive.name), archive.name
    assert archive.parent == tmp_path / "backups"
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # it holds password hashes
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert DUMP_NAMES[connection.vendor] in names
    return archive, manifest


def check_round_trip(office, tmp_path, env, restored_counts) -> None:
    """Back up, restore through ``env``'s database, and compare everything; then refuse a second restore."""
    archive, manifest = back_up(tmp_path)
    assert manifest["row_counts"] == office["counts"]
    assert manifest["row_counts"]["hazards_majorhazard"] > 0 and manifest["row_counts"]["reporting_unitscore"] > 0
    assert set(manifest["row_counts"]) <= set(data_tables())
    assert "0001_initial" in manifest["migrations"]["reporting"]
    assert manifest["media"]["files"] == 1

    restored = manage("restore", str(archive), env=env)
    assert "已恢复备份" in restored.stdout
    assert restored_counts() == office["counts"]
    media = Path(env["MEDIA_ROOT"]) / office["evidence"]
    assert media.read_bytes() == PHOTO

    slug, month = office["campaign"].slug, f"{MONTH:%Y-%m}"
    exported = manage("export_report", "--campaign", slug, "--month", month, "--format", "json", env=env)
    assert json.loads(exported.stdout) == office["report"]  # scores, ranks, components, weights, dates

    register = tmp_path / "register.xlsx"
    manage("export_hazards", "--campaign", slug, "--output", str(register), env=env)
    sheet = openpyxl.load_workbook(register).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3)]
    assert register_cells(rows) == office["register"]

    # The live data came back too: rebuilding the month from it gives the same numbers.
    manage("build_monthly_report", "--campaign", slug, "--month", month, env=env)
    rebuilt = json.loads(manage("export_report", "--campaign", slug, "--month", month, "--format", "json",
                                env=env).stdout)
    assert rebuilt["units"] == office["report"]["units"]

    # The target now holds data: a second restore is refused, in Chinese, unless forced.
    again = manage("restore", str(archive), env=env, check=False)
    assert again.returncode != 0
    assert "目标数据库已有数据" in again.stderr and "--force" in again.stderr
    manage("restore", str(archive), "--force", env=env)
    assert restored_counts() == office["counts"]


def child_env(database_url: str, media_root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(DATABASE_URL=database_url, MEDIA_ROOT=str(media_root), DJANGO_SETTINGS_MODULE="config.settings")
    env.pop("CELERY_BROKER_URL", None)  # restore and exports need no broker
    return env


# ---------------------------------------------------------------------------------------------------------------
# SQLite: the default database, always run


def test_backup_restores_into_an_empty_sqlite_file_with_identical_report_numbers(office, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the test database is PostgreSQL: see the PostgreSQL variant below")
    target = tmp_path / "restored" / "db.sqlite3"
    env = child_env(f"sqlite:///{target}", tmp_path / "restored-media")

    def restored_counts():
        with sqlite3.connect(target) as db:
            tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in data_tables() if t in tables}

    check_round_trip(office, tmp_path, env, restored_counts)


# ---------------------------------------------------------------------------------------------------------------
# PostgreSQL: a scratch database created and dropped by the test


@pytest.fixture
def scratch_postgres():
    """An empty database ``tracker_h8_restore_<random>`` on the test server, dropped afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL): pg_dump/pg_restore into a scratch database")
    import psycopg2

    params = connection.get_connection_params()
    name = f"tracker_h8_restore_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(**{**params, "dbname": "postgres"})
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        yield name
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()


@pytest.mark.postgres
def test_backup_restores_into_an_empty_postgres_database_with_identical_report_numbers(scratch_postgres, office,
                                                                                       tmp_path):
    import psycopg2

    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    url = (f"postgres://{quote(db['USER'] or '', safe='')}{password}@{db['HOST'] or '127.0.0.1'}:"
           f"{db['PORT'] or 5432}/{scratch_postgres}")
    env = child_env(url, tmp_path / "restored-media")

    def restored_counts():
        params = {**connection.get_connection_params(), "dbname": scratch_postgres}
        with psycopg2.connect(**params) as conn, conn.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            tables = {row[0] for row in cursor.fetchall()}
            counts = {}
            for table in data_tables():
                if table in tables:
                    cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
                    counts[table] = cursor.fetchone()[0]
        conn.close()
        return counts

    check_round_trip(office, tmp_path, env, restored_counts)


# ---------------------------------------------------------------------------------------------------------------
# Archives that must not be restored


def test_restore_refuses_a_damaged_or_foreign_archive_in_chinese(tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a backup")
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        for name, data in (("manifest.json", b"{}"), ("media/../../escape.txt", b"x")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    env = child_env(f"sqlite:///{tmp_path / 'target.sqlite3'}", tmp_path / "media")
    for archive in (junk, evil, tmp_path / "missing.tar.gz"):
        result = manage("restore", str(archive), env=env, check=False)
        assert result.returncode != 0
        assert re.search(r"备份文件.*(已损坏|不是本系统的备份|找不到)|找不到备份文件", result.stderr), result.stderr
    assert not (tmp_path.parent / "escape.txt").exists()
    assert not (tmp_path / "target.sqlite3").exists() or (tmp_path / "target.sqlite3").stat().st_size == 0
