"""Benchmarks printed as JSON lines: {"name", "value", "unit", "target", "ok"}.

Speed targets live here, never in timed tests. Run through `make bench`, which calls this
once on SQLite and once on PostgreSQL.
"""

import datetime
import gc
import io
import json
import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from campaign.benchmarks.data import bench_campaign, task_rows
from campaign.importing.engine import run_import
from tasks.importers import COLUMNS, TaskSheetImport
from tasks.models import Task


class Command(BaseCommand):
    help = "运行基准测试并逐行输出 JSON 结果。"

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=10000)
        parser.add_argument("--only", choices=["import"], default="import")

    def emit(self, name, value, unit, target, ok):
        self.stdout.write(json.dumps(
            {"name": name, "value": round(value, 3), "unit": unit, "target": target, "ok": bool(ok)},
            ensure_ascii=False,
        ))

    def handle(self, *args, **options):
        vendor = connection.vendor
        count = options["rows"]
        plan = bench_campaign()
        data = self.workbook(count)

        Task.objects.filter(plan=plan).delete()
        gc.collect()
        started = time.perf_counter()
        preview = run_import(TaskSheetImport(plan), data)
        engine = time.perf_counter() - started
        assert preview.counts["new"] == count, preview.counts
        self.emit(f"import_{count}_tasks_engine_{vendor}", engine, "s", "< 2", engine < 2)

        Task.objects.filter(plan=plan).delete()
        gc.collect()
        baseline = self.import_export_default(plan, data)
        self.emit(f"import_{count}_tasks_django_import_export_{vendor}", baseline, "s", "reference", True)
        ratio = baseline / engine
        self.emit(f"import_{count}_tasks_speedup_{vendor}", ratio, "x", ">= 10", ratio >= 10)
        Task.objects.filter(plan=plan).delete()

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

    def import_export_default(self, plan, data: bytes) -> float:
        """django-import-export's default row-by-row import of the same file (codes and texts only)."""
        import tablib

        from tasks.resources import TaskResource

        started = time.perf_counter()
        dataset = tablib.Dataset().load(io.BytesIO(data), format="xlsx")
        with transaction.atomic():
            result = TaskResource().import_data(dataset, dry_run=False, raise_errors=True)
        elapsed = time.perf_counter() - started
        assert not result.has_errors()
        return elapsed
