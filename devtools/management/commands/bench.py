"""Benchmarks printed as JSON lines: {"name", "value", "unit", "target", "ok"}.

Speed targets live here, never in timed tests. ``make bench`` calls this once on SQLite (the task import)
and once on PostgreSQL (everything): the task import against django-import-export, the hazard ledger
import, the province preset's monthly report, the pages under gunicorn and wrk, and the register export.
Where a figure is a comparison, both sides run in the same process or the same run and the ratio is printed.
"""

from __future__ import annotations

import datetime
import gc
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from simple_history.models import HistoricalRecords

from campaign.models import Campaign
from devtools.benchmarks.data import bench_campaign, hazard_ledger, task_rows
from hazards.importers import HazardSheetImport
from hazards.models import Enterprise, MajorHazard
from imports.engine import run_import
from reporting.models import MonthlyReport
from reporting.services import build_report
from tasks.importers import COLUMNS, TaskSheetImport
from tasks.models import Assignment, Milestone, QuantifiedTarget, TargetYearValue, Task
from tasks.resources import TaskResource

ROUNDS = 5  # turns of the engine and the cached bulk import (the median of each is compared)
GROUPS = ["import", "hazards", "seed", "report", "pages", "export"]
REPORT_MONTH = datetime.date(2026, 10, 1)
PAGES = [
    ("scoreboard", "/c/{slug}/scoreboard/"),
    ("task_list", "/c/{slug}/lists/tasks/"),
    ("hazard_list", "/c/{slug}/hazards/"),
    ("hazard_statistics", "/c/{slug}/hazards/statistics/"),
]

# The tables a task import writes besides the tasks' own, each with the column that leads to its task; rows
# before the rows they refer to.
IMPORTED_WITH_TASKS = {TargetYearValue: "target_id", QuantifiedTarget: "task_id", Assignment: "task_id",
                       Milestone: "task_id", Task.lead_units.through: "task_id",
                       Task.cooperating_units.through: "task_id"}


def clear_bench_tasks(plan) -> None:
    """Empty the benchmark's plan, with its tasks' history, in a few statements.

    Django's delete would write a history record for each of the 10,000 tasks and their links (a minute per
    round) and leave the history tables growing from round to round.
    """
    quote = connection.ops.quote_name
    tasks = f"SELECT id FROM {quote(Task._meta.db_table)} WHERE plan_id = %s"
    parent = {"task_id": tasks,
              "target_id": f"SELECT id FROM {quote(QuantifiedTarget._meta.db_table)} WHERE task_id IN ({tasks})"}
    history = Task.history.model
    records = f"SELECT history_id FROM {quote(history._meta.db_table)} WHERE plan_id = %s"
    with transaction.atomic(), connection.cursor() as cursor:
        for model, column in IMPORTED_WITH_TASKS.items():
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)} WHERE {column} IN ({parent[column]})",
                           [plan.pk])
        for snapshot in (HistoricalRecords.m2m_models[Task._meta.get_field(name)]
                         for name in ("lead_units", "cooperating_units")):
            cursor.execute(f"DELETE FROM {quote(snapshot._meta.db_table)} WHERE history_id IN ({records})", [plan.pk])
        cursor.execute(f"DELETE FROM {quote(history._meta.db_table)} WHERE plan_id = %s", [plan.pk])
        cursor.execute(f"DELETE FROM {quote(Task._meta.db_table)} WHERE plan_id = %s", [plan.pk])


def measured(command: list[str]) -> tuple[float, int, str]:
    """Run a management command in its own process; (seconds it took, its peak RSS in bytes, its output).

    ``devtools.benchmarks.peak`` runs the command and reports its own peak: measured from here, Linux would
    also count this process's memory, which a child carries over its fork and exec.
    """
    result = subprocess.run([sys.executable, "-m", "devtools.benchmarks.peak", *command], cwd=settings.BASE_DIR,
                            env=dict(os.environ), capture_output=True, text=True)
    if result.returncode != 0:
        raise CommandError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr}")
    lines = result.stdout.strip().splitlines()
    peak = json.loads(lines[-1].removeprefix("PEAK "))
    return peak["seconds"], peak["peak_rss"], "\n".join(lines[:-1])


class Command(BaseCommand):
    help = "运行基准测试并逐行输出 JSON 结果（速度指标只在这里检查，不在测试中）。"

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=10000, help="任务清单导入的行数")
        parser.add_argument("--hazard-rows", type=int, default=100_000, help="隐患台账导入的行数")
        parser.add_argument("--only", nargs="*", choices=GROUPS, help="只运行这些组（默认：SQLite 上只有 import）")
        parser.add_argument("--seed", choices=["always", "missing"], default="always",
                            help="always：每次重新生成规模数据（默认，结果可复现）；missing：已有则沿用")
        parser.add_argument("--seconds", type=int, default=20, help="每个页面的 wrk 时长")
        parser.add_argument("--child-hazard-import", help=argparse_hidden())

    def emit(self, name, value, unit, target, ok):
        self.stdout.write(json.dumps(
            {"name": name, "value": round(value, 3), "unit": unit, "target": target, "ok": bool(ok)},
            ensure_ascii=False,
        ))
        self.stdout.flush()

    def handle(self, *args, **options):
        if options["child_hazard_import"]:
            return self.child_hazard_import(options["child_hazard_import"])
        vendor = connection.vendor
        groups = options["only"] or (["import"] if vendor != "postgresql" else GROUPS)
        if vendor != "postgresql" and set(groups) - {"import"}:
            raise CommandError("除任务清单导入外，其余基准测试需要 PostgreSQL（DATABASE_URL）。")
        started = time.perf_counter()
        if "import" in groups:
            self.task_import(options["rows"], vendor)
        if "hazards" in groups:
            self.hazard_import(options["hazard_rows"])
        if {"seed", "report", "pages", "export"} & set(groups):
            self.seed(options["seed"])
        if "report" in groups or "pages" in groups:
            self.report(emit="report" in groups)
        if "pages" in groups:
            self.pages(options["seconds"])
        if "export" in groups:
            self.export()
        self.emit(f"bench_total_seconds_{vendor}", time.perf_counter() - started, "s", "reference", True)

    # ---- a 10,000-row task list, against django-import-export -------------------------------------------

    def task_import(self, count: int, vendor: str) -> None:
        plan = bench_campaign()
        data = self.workbook(count)
        # Both tools first import a small file once, untimed: a long-running worker has its modules loaded
        # and its code paths warm, and the first import in a fresh process would also time those.
        warm = self.workbook(100)
        for tool in (lambda: run_import(TaskSheetImport(plan), warm),
                     lambda: self.import_export(plan, warm, cached=False),
                     lambda: self.import_export(plan, warm, cached=True)):
            clear_bench_tasks(plan)
            tool()

        # The default import takes a minute or more: run once. The engine and the cached bulk import take a
        # second or two, where one run can be off by half a second on a busy machine (a checkpoint, autovacuum,
        # the other core's load): they run in turns, ROUNDS times each, and each side's median is compared.
        baseline = self.timed_import(plan, lambda: self.import_export(plan, data, cached=False))
        engine_runs, cached_runs = [], []
        for _ in range(ROUNDS):
            engine_runs.append(self.timed_import(plan, lambda: self.engine_import(plan, data, count)))
            cached_runs.append(self.timed_import(plan, lambda: self.import_export(plan, data, cached=True)))
        engine, cached = statistics.median(engine_runs), statistics.median(cached_runs)
        self.emit(f"import_{count}_tasks_engine_{vendor}", engine, "s", "< 2", engine < 2)
        self.emit(f"import_{count}_tasks_django_import_export_default_{vendor}", baseline, "s", "reference", True)
        ratio = baseline / engine
        self.emit(f"import_{count}_tasks_speedup_vs_default_{vendor}", ratio, "x", ">= 10", ratio >= 10)
        self.emit(f"import_{count}_tasks_django_import_export_cached_bulk_{vendor}", cached, "s", "reference", True)
        ratio = cached / engine
        self.emit(f"import_{count}_tasks_speedup_vs_cached_bulk_{vendor}", ratio, "x", "> 1", ratio > 1)
        self.emit(f"import_{count}_tasks_engine_slowest_of_{ROUNDS}_{vendor}", max(engine_runs), "s", "reference",
                  True)
        self.emit(f"import_{count}_tasks_django_import_export_cached_bulk_fastest_of_{ROUNDS}_{vendor}",
                  min(cached_runs), "s", "reference", True)

    @staticmethod
    def timed_import(plan, run) -> float:
        """Seconds ``run`` takes to import into an empty plan; the plan is emptied again afterwards."""
        clear_bench_tasks(plan)
        if connection.vendor == "postgresql" and not connection.in_atomic_block:  # (a test's transaction)
            # The dead rows of the previous round are cleared now rather than by autovacuum during the next.
            with connection.cursor() as cursor:
                for model in (Task, Task.history.model, *IMPORTED_WITH_TASKS):
                    cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        gc.collect()
        seconds = run()
        clear_bench_tasks(plan)
        return seconds

    @staticmethod
    def engine_import(plan, data: bytes, count: int) -> float:
        started = time.perf_counter()
        preview = run_import(TaskSheetImport(plan), data)
        seconds = time.perf_counter() - started
        assert preview.counts["new"] == count, preview.counts
        return seconds

    def workbook(self, count: int) -> bytes:
        import xlsxwriter

        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
        ws = book.add_worksheet("任务清单")
        date_format = book.add_format({"num_format": "yyyy-mm-dd"})
        headers = [c.label for c in COLUMNS if c.name != "targets"] + ["方案ID"]
        for col, name in enumerate(headers):
            ws.write_string(0, col, name)
        plan_id = bench_campaign().pk
        for r, row in enumerate(task_rows(count), start=1):
            for c, value in enumerate(row):
                if hasattr(value, "year") and not isinstance(value, str):
                    ws.write_datetime(r, c, datetime.datetime(value.year, value.month, value.day), date_format)
                else:
                    ws.write_string(r, c, value)
            ws.write_number(r, len(row), plan_id)
        book.close()
        return buffer.getvalue()

    def import_export(self, plan, data: bytes, *, cached: bool) -> float:
        """django-import-export on the same file (codes and texts only): its default row-by-row import, or with
        every speed option it has (bulk inserts, no diffs, no instance look-ups, cached foreign keys)."""
        import tablib

        from devtools.benchmarks.resources import CachedBulkTaskResource

        resource = CachedBulkTaskResource() if cached else TaskResource()
        started = time.perf_counter()
        dataset = tablib.Dataset().load(io.BytesIO(data), format="xlsx")
        with transaction.atomic():
            result = resource.import_data(dataset, dry_run=False, raise_errors=True)
        elapsed = time.perf_counter() - started
        assert not result.has_errors()
        assert Task.objects.filter(plan=plan).count() == len(dataset)
        return elapsed

    # ---- a 100,000-row hazard ledger, in its own process for its peak memory ------------------------------

    def hazard_import(self, count: int) -> None:
        campaign = bench_campaign().campaign
        with tempfile.NamedTemporaryFile(prefix="bench-ledger-", suffix=".xlsx", delete=False) as handle:
            handle.write(hazard_ledger(count))
        try:
            self.clear_bench_hazards(campaign)
            _, rss, output = measured(["bench", "--child-hazard-import", handle.name])
            result = json.loads(output.strip().splitlines()[-1])
            assert result["new"] == count, result
            seconds = result["seconds"]
            self.emit(f"import_{count}_hazards_postgresql", seconds, "s", "< 15", seconds < 15)
            mb = rss / 1024 / 1024
            self.emit(f"import_{count}_hazards_peak_rss_postgresql", mb, "MB", "< 500", mb < 500)
        finally:
            Path(handle.name).unlink(missing_ok=True)
            self.clear_bench_hazards(campaign)

    @staticmethod
    def clear_bench_hazards(campaign) -> None:
        """The benchmark's hazards and enterprises, removed in two statements (not 100,000 ORM deletions)."""
        with connection.cursor() as cursor:
            cursor.execute(f'DELETE FROM "{MajorHazard._meta.db_table}" WHERE "campaign_id" = %s', [campaign.pk])
            cursor.execute(f'DELETE FROM "{Enterprise._meta.db_table}" WHERE "credit_code" LIKE %s AND NOT EXISTS '
                           f'(SELECT 1 FROM "{MajorHazard._meta.db_table}" h WHERE h."enterprise_id" = '
                           f'"{Enterprise._meta.db_table}"."id")', ["91370899%"])

    def child_hazard_import(self, path: str) -> None:
        campaign = bench_campaign().campaign
        started = time.perf_counter()
        data = Path(path).read_bytes()
        # The office's upload limit is a setting for browsers; the benchmark imports the file as the job would.
        settings.IMPORT_MAX_BYTES = max(settings.IMPORT_MAX_BYTES, len(data))
        preview = run_import(HazardSheetImport(campaign), data)
        seconds = time.perf_counter() - started
        self.stdout.write(json.dumps({"seconds": seconds, **preview.counts}))

    # ---- the county and province presets ---------------------------------------------------------------------

    def seed(self, mode: str) -> None:
        from devtools.benchmarks.scale import seed, slug_of

        for preset in ("county", "province"):
            if mode == "missing" and Campaign.objects.filter(slug=slug_of(preset)).exists():
                continue
            started = time.perf_counter()
            seed(preset)
            elapsed = time.perf_counter() - started
            target = "< 600" if preset == "province" else "reference"
            self.emit(f"seed_scale_{preset}_postgresql", elapsed, "s", target, elapsed < 600)

    # ---- one month's report ------------------------------------------------------------------------------------

    def report(self, *, emit: bool) -> None:
        from devtools.benchmarks.scale import slug_of

        counts = {}
        for preset in ("county", "province"):
            campaign = Campaign.objects.get(slug=slug_of(preset))
            MonthlyReport.objects.filter(campaign=campaign, month=REPORT_MONTH).delete()
            gc.collect()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                build_report(campaign, REPORT_MONTH)
                elapsed = time.perf_counter() - started
            counts[preset] = len(queries.captured_queries)
            if emit and preset == "province":
                self.emit("report_build_province_postgresql", elapsed, "s", "< 10", elapsed < 10)
        if emit:
            for preset, count in counts.items():
                self.emit(f"report_build_queries_{preset}_postgresql", count, "queries", "reference", True)
            difference = counts["province"] - counts["county"]
            self.emit("report_build_queries_equal_postgresql", difference, "queries", "== 0 (province - county)",
                      difference == 0)

    # ---- pages under gunicorn and wrk ----------------------------------------------------------------------------

    def pages(self, seconds: int) -> None:
        from devtools.benchmarks.pages import Server, bench_sessions, check_page, run_wrk, write_script
        from devtools.benchmarks.scale import analyze, slug_of

        slug = slug_of("province")
        # What autovacuum would have done after the imports above (their rows were inserted and deleted): the
        # pages look up the newest ids of these tables, and dead index entries would slow that down.
        analyze()
        sessions = bench_sessions(Campaign.objects.get(slug=slug))
        script = write_script(sessions)
        connection.close()  # the server's workers open their own
        try:
            extra = os.environ.get("BENCH_GUNICORN_ARGS", "").split()
            with Server(workers=2, extra=extra) as server:
                for _, path in PAGES:
                    check_page(server.base, path.format(slug=slug), sessions[0])
                warm = max(2, seconds // 5)
                minimal_url = f"{server.base}/bench/minimal/"
                run_wrk(minimal_url, script, seconds=warm)
                # The minimal view runs before and after each page (half as long), and each page is compared with
                # the mean of its two neighbours: on a shared machine the background load drifts during a run.
                minimal = [run_wrk(minimal_url, script, seconds=max(2, seconds // 2)).throughput]
                for name, path in PAGES:
                    url = server.base + path.format(slug=slug)
                    run_wrk(url, script, seconds=warm)
                    server.non2xx()  # the warm-up's answers are not counted
                    result = run_wrk(url, script, seconds=seconds)
                    result.non2xx = server.non2xx()
                    minimal.append(run_wrk(minimal_url, script, seconds=max(2, seconds // 2)).throughput)
                    prefix = f"page_{name}_province"
                    self.emit(f"{prefix}_median", result.median_ms, "ms", "< 50", result.median_ms < 50)
                    self.emit(f"{prefix}_p99", result.p99_ms, "ms", "< 250", result.p99_ms < 250)
                    failed = result.errors + result.non2xx
                    self.emit(f"{prefix}_errors", failed, "responses", "== 0", failed == 0)
                    self.emit(f"{prefix}_throughput", result.throughput, "req/s", "reference", True)
                    around = (minimal[-2] + minimal[-1]) / 2
                    self.emit(f"{prefix}_minimal_view_throughput", around, "req/s", "reference", True)
                    ratio = result.throughput / around if around else 0
                    self.emit(f"{prefix}_throughput_vs_minimal", ratio, "x", ">= 0.25", ratio >= 0.25)
                self.emit("page_minimal_view_throughput_postgresql", sum(minimal) / len(minimal), "req/s",
                          "reference", True)
        finally:
            Path(script).unlink(missing_ok=True)

    # ---- the province register to .xlsx, in its own process for its peak memory ------------------------------

    def export(self) -> None:
        from devtools.benchmarks.scale import slug_of

        with tempfile.TemporaryDirectory(prefix="bench-export-") as folder:
            out = Path(folder) / "register.xlsx"
            elapsed, rss, output = measured(["export_hazards", "--campaign", slug_of("province"), "--output", str(out)])
            rows = int(output.split("exported=")[1].split()[0])
            self.emit(f"export_{rows}_hazards_xlsx_postgresql", elapsed, "s", "< 40", elapsed < 40)
            mb = rss / 1024 / 1024
            self.emit(f"export_{rows}_hazards_xlsx_peak_rss_postgresql", mb, "MB", "< 300", mb < 300)


def argparse_hidden():
    import argparse

    return argparse.SUPPRESS
