"""Backups: one archive with a database dump, the uploaded files and a manifest; and bringing it back.

An archive ``tracker-backup-YYYYMMDD-HHMMSS.tar.gz`` holds:

- ``manifest.json`` — when it was made, the Django version, the applied migrations, the row count of
  each main table and a checksum of the dump;
- ``database.dump`` (PostgreSQL, ``pg_dump --format=custom``) or ``database.sqlite3`` (SQLite, a
  consistent copy made with sqlite3's backup API);
- ``media/…`` — the uploaded files (MEDIA_ROOT): import originals, report attachments, hazard evidence.

On PostgreSQL the row counts are read in the very snapshot that ``pg_dump`` dumps (an exported
snapshot), so the manifest describes exactly the dump. ``restore`` refuses a database that already
holds data unless forced, checks the archive before touching anything, restores in one transaction
(PostgreSQL) or by replacing the file (SQLite), then puts the files back and checks the row counts
against the manifest.

The archive holds everything, password hashes included: it is written readable by its owner only.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.conf import settings
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT = 1
PREFIX = "tracker-backup-"
MANIFEST = "manifest.json"
DUMP_NAMES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
MEDIA_DIR = "media"
# Tables whose rows are the office's data: counted in the manifest, and a target holding any is "not empty".
DATA_APPS = ("campaign", "tasks", "hazards", "reporting", "audit")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in Chinese."""


@dataclass
class Snapshot:
    """What the manifest says about a database."""

    row_counts: dict[str, int]
    migrations: dict[str, list[str]]


@dataclass
class RestoreResult:
    archive: Path
    manifest: dict
    row_counts: dict[str, int]
    media_files: int
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------------------
# What is counted


def data_tables() -> list[str]:
    """The tables of the project's apps (history and many-to-many tables included) and the user tables."""
    tables = set()
    labels = [label for label in DATA_APPS if apps.is_installed(label)]
    configs = [apps.get_app_config(label) for label in labels] + [apps.get_app_config("auth")]
    for config in configs:
        for model in config.get_models(include_auto_created=True):
            meta = model._meta
            if meta.managed and not meta.proxy and not meta.swapped:
                tables.add(meta.db_table)
    tables.discard("auth_permission")  # made by migrate, not by the office
    tables.add(apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table)
    return sorted(tables)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _describe(cursor, existing: set[str]) -> Snapshot:
    """Row counts and applied migrations, read through a DB-API cursor (any vendor)."""
    counts = {}
    for table in data_tables():
        if table in existing:
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
            counts[table] = cursor.fetchone()[0]
    migrations: dict[str, list[str]] = {}
    if "django_migrations" in existing:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        for app, name in cursor.fetchall():
            migrations.setdefault(app, []).append(name)
    return Snapshot(counts, migrations)


def _pg_tables(cursor) -> set[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return {row[0] for row in cursor.fetchall()}


def _sqlite_tables(cursor) -> set[str]:
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {row[0] for row in cursor.fetchall()}


def current_row_counts(using: str = "default") -> dict[str, int]:
    """Row counts of the data tables in the database Django is connected to (tables that exist)."""
    conn = connections[using]
    with conn.cursor() as cursor:
        existing = set(conn.introspection.table_names(cursor))
        return _describe(cursor, existing).row_counts


# ---------------------------------------------------------------------------------------------------------------
# PostgreSQL and SQLite specifics


def _pg_command(program: str, db: dict) -> tuple[list[str], dict[str, str]]:
    """The client program's connection arguments and environment from the Django settings (password via env)."""
    binary = shutil.which(program)
    if binary is None:
        raise BackupError(f"找不到 PostgreSQL 客户端程序 {program}。请安装与数据库版本相同或更新的 postgresql-client。")
    args = [binary, "--no-password"]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    options = db.get("OPTIONS") or {}
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"), ("sslcert", "PGSSLCERT"),
                             ("sslkey", "PGSSLKEY"), ("options", "PGOPTIONS")):
        if options.get(option):
            env[variable] = str(options[option])
    return args, env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{what}失败：{detail[-1] if detail else f'退出码 {result.returncode}'}")


def _pg_dump(target: Path) -> Snapshot:
    """Dump the database and count its rows in one exported snapshot."""
    db = connection.settings_dict
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        raw.autocommit = False
        with raw.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot_id = cursor.fetchone()[0]
            described = _describe(cursor, _pg_tables(cursor))
        args, env = _pg_command("pg_dump", db)
        args += ["--format=custom", f"--snapshot={snapshot_id}", "--file", str(target), "--dbname", db["NAME"]]
        _run(args, env, "导出 PostgreSQL 数据库（pg_dump）")
    finally:
        raw.rollback()
        raw.close()
    return described


def _sqlite_copy(target: Path) -> Snapshot:
    """A consistent copy through sqlite3's backup API (safe while the site is running); counted from the copy."""
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        cursor = copy.cursor()
        return _describe(cursor, _sqlite_tables(cursor))
    finally:
        copy.close()


def _sqlite_path() -> Path:
    name = str(connection.settings_dict["NAME"])
    if connection.is_in_memory_db() or name.startswith("file:"):
        raise BackupError("当前 SQLite 数据库在内存中，无法恢复到文件。请用 DATABASE_URL 指定数据库文件。")
    return Path(name)


# ---------------------------------------------------------------------------------------------------------------
# Backup


def _archive_path(output_dir: Path, now: datetime.datetime) -> Path:
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M%S")
    path = output_dir / f"{PREFIX}{stamp}.tar.gz"
    n = 1
    while path.exists():
        n += 1
        path = output_dir / f"{PREFIX}{stamp}-{n}.tar.gz"
    return path


def _media_files(root: Path) -> list[tuple[Path, str]]:
    """Regular files under MEDIA_ROOT as (path, name in the archive); links are not followed."""
    found = []
    if not root.is_dir():
        return found
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not (Path(folder) / d).is_symlink())
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                continue
            found.append((path, str(PurePosixPath(MEDIA_DIR, *path.relative_to(root).parts))))
    return found


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def backup_create(*, output_dir: Path | str, now: datetime.datetime | None = None) -> Path:
    """Write one archive into ``output_dir`` and return its path; a failed run leaves no archive behind."""
    vendor = connection.vendor
    if vendor not in DUMP_NAMES:
        raise BackupError(f"不支持备份 {vendor} 数据库（支持 PostgreSQL 和 SQLite）。")
    now = now or timezone.now()
    output_dir = Path(output_dir)
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"无法创建备份目录“{output_dir}”：{error.strerror or error}") from error
    target = _archive_path(output_dir, now)
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix=".tracker-backup-", dir=output_dir) as work:
        dump = Path(work) / DUMP_NAMES[vendor]
        described = _pg_dump(dump) if vendor == "postgresql" else _sqlite_copy(dump)
        media = _media_files(media_root)
        manifest = {
            "format": FORMAT,
            "created_at": timezone.localtime(now).isoformat(),
            "django": django.get_version(),
            "database": {"vendor": vendor, "file": dump.name, "bytes": dump.stat().st_size, "sha256": _sha256(dump)},
            "migrations": described.migrations,
            "row_counts": described.row_counts,
            "media": {"files": len(media), "bytes": sum(path.stat().st_size for path, _ in media)},
        }
        partial = Path(work) / "archive.tar.gz"
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            text = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(text), int(now.timestamp()), 0o600
            archive.addfile(info, io.BytesIO(text))
            archive.add(dump, arcname=dump.name)
            for path, name in media:
                archive.add(path, arcname=name, recursive=False)
        os.replace(partial, target)  # the archive appears whole or not at all
    return target


# ---------------------------------------------------------------------------------------------------------------
# Restore


def _read_archive(archive: Path, into: Path) -> dict:
    """Unpack a checked archive into ``into`` and return its manifest."""
    if not archive.is_file():
        raise BackupError(f"找不到备份文件“{archive}”。")
    damaged = f"备份文件“{archive.name}”已损坏或不是本系统的备份，无法恢复。"
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = tar.getmembers()
            for member in members:
                name = PurePosixPath(member.name)
                allowed = member.name == MANIFEST or member.name in DUMP_NAMES.values() or (
                    name.parts and name.parts[0] == MEDIA_DIR)
                if not allowed or not (member.isfile() or member.isdir()):
                    raise BackupError(f"{damaged}（含有不应有的内容：{member.name}）")
            # "data": no absolute paths, no "..", no links or devices, no setuid bits.
            tar.extractall(into, members=members, filter="data")
    except BackupError:
        raise
    except (tarfile.TarError, OSError, EOFError, ValueError) as error:
        raise BackupError(f"{damaged}（{error}）") from None
    try:
        manifest = json.loads((into / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BackupError(f"{damaged}（缺少或无法读取 {MANIFEST}）") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{damaged}（备份格式版本不符）")
    database = manifest.get("database") or {}
    dump = into / str(database.get("file", ""))
    if database.get("file") not in DUMP_NAMES.values() or not dump.is_file():
        raise BackupError(f"{damaged}（缺少数据库文件）")
    if _sha256(dump) != database.get("sha256"):
        raise BackupError(f"{damaged}（数据库文件校验和不符）")
    return manifest


def _migration_notes(manifest: dict, force: bool) -> list[str]:
    """Refuse an archive made by newer code; say when this code has migrations the archive lacks."""
    in_archive = {(app, name) for app, names in (manifest.get("migrations") or {}).items() for name in names}
    known = set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)
    unknown = sorted(in_archive - known)
    if unknown and not force:
        listed = "、".join(f"{app}.{name}" for app, name in unknown[:5])
        raise BackupError(f"备份来自较新版本的系统（含本系统没有的数据库迁移：{listed}），请先升级系统代码再恢复；"
                          "如确需恢复，请加 --force。")
    notes = []
    if known - in_archive:
        notes.append("本系统比备份多出一些数据库迁移，请接着运行：python manage.py migrate")
    return notes


def _target_data() -> dict[str, int]:
    """Tables of the target database that hold rows (an empty or missing database has none)."""
    if connection.vendor == "sqlite":
        path = _sqlite_path()
        if not path.exists() or path.stat().st_size == 0:
            return {}
    return {table: n for table, n in current_row_counts().items() if n}


def _media_conflicts(source: Path, media_root: Path) -> list[str]:
    conflicts = []
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        existing = media_root / path.relative_to(source)
        if existing.exists() and (not existing.is_file() or _sha256(existing) != _sha256(path)):
            conflicts.append(str(path.relative_to(source)))
    return conflicts


def _restore_postgresql(dump: Path, clean: bool) -> None:
    db = connection.settings_dict
    connections.close_all()
    args, env = _pg_command("pg_restore", db)
    args += ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", "--dbname", db["NAME"]]
    if clean:
        args += ["--clean", "--if-exists"]
    _run(args + [str(dump)], env, "恢复 PostgreSQL 数据库（pg_restore）")


def _restore_sqlite(dump: Path) -> None:
    target = _sqlite_path()
    connections.close_all()
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(f".{target.name}.restoring")
    shutil.copyfile(dump, staged)
    os.replace(staged, target)
    for suffix in ("-wal", "-shm", "-journal"):  # left by the replaced database, they would corrupt the new one
        Path(f"{target}{suffix}").unlink(missing_ok=True)


def _put_media(source: Path, media_root: Path) -> int:
    count = 0
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        destination = media_root / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, destination)
        count += 1
    return count


def backup_restore(*, archive: Path | str, force: bool = False) -> RestoreResult:
    """Bring an archive back into the configured database and MEDIA_ROOT.

    Everything is checked first (archive, checksum, migrations, an empty target, no clashing files);
    only then is the database restored and the files put back. Stop the web server and the workers first.
    """
    archive = Path(archive)
    vendor = connection.vendor
    media_root = Path(settings.MEDIA_ROOT)
    scratch_parent = media_root.parent if media_root.parent.is_dir() else None
    with tempfile.TemporaryDirectory(prefix=".tracker-restore-", dir=scratch_parent) as work:
        work = Path(work)
        manifest = _read_archive(archive, work)
        source_vendor = manifest["database"]["vendor"]
        if source_vendor != vendor:
            names = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
            raise BackupError(f"备份来自 {names.get(source_vendor, source_vendor)} 数据库，当前数据库是 "
                              f"{names.get(vendor, vendor)}，不能直接恢复。")
        notes = _migration_notes(manifest, force)
        present = _target_data()
        if present and not force:
            listed = "、".join(f"{table}（{n} 行）" for table, n in sorted(present.items())[:5])
            raise BackupError(f"目标数据库已有数据：{listed}等。为防止覆盖现有数据，恢复已取消。"
                              "请恢复到一个空数据库；如确需覆盖，请加 --force。")
        media_source = work / MEDIA_DIR
        if media_source.is_dir() and not force:
            clashes = _media_conflicts(media_source, media_root)
            if clashes:
                raise BackupError(f"上传文件目录（{media_root}）中已有同名但内容不同的文件：{'、'.join(clashes[:5])}。"
                                  "恢复已取消；如确需覆盖，请加 --force。")

        dump = work / manifest["database"]["file"]
        if vendor == "postgresql":
            with connection.cursor() as cursor:
                has_tables = bool(_pg_tables(cursor))
            _restore_postgresql(dump, clean=has_tables)
        else:
            _restore_sqlite(dump)
        media_files = _put_media(media_source, media_root) if media_source.is_dir() else 0

    restored = current_row_counts()
    expected = manifest.get("row_counts") or {}
    differ = sorted(t for t in expected if restored.get(t) != expected[t])
    if differ:
        listed = "、".join(f"{t}（备份 {expected[t]} 行，恢复后 {restored.get(t, 0)} 行）" for t in differ[:5])
        raise BackupError(f"恢复后的行数与备份清单不一致：{listed}。请检查数据库后重新恢复。")
    return RestoreResult(archive, manifest, restored, media_files, notes)
