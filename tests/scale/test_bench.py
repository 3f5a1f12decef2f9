"""The task import benchmark's harness: its lines, and that emptying its plan touches nothing else."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from devtools.benchmarks.data import bench_campaign
from devtools.management.commands.bench import ROUNDS, Command, clear_bench_tasks
from imports.engine import run_import
from tasks.importers import TaskSheetImport
from tasks.models import Assignment, Milestone, QuantifiedTarget, TargetYearValue, Task

pytestmark = pytest.mark.django_db


def rows_of(plan) -> dict[str, int]:
    return {
        "tasks": Task.objects.filter(plan=plan).count(),
        "milestones": Milestone.objects.filter(task__plan=plan).count(),
        "assignments": Assignment.objects.filter(task__plan=plan).count(),
        "targets": QuantifiedTarget.objects.filter(task__plan=plan).count(),
        "values": TargetYearValue.objects.filter(target__task__plan=plan).count(),
        "lead": Task.lead_units.through.objects.filter(task__plan=plan).count(),
        "coop": Task.cooperating_units.through.objects.filter(task__plan=plan).count(),
        "history": Task.history.filter(plan_id=plan.pk).count(),
    }


def test_clearing_the_bench_plan_leaves_other_plans_alone(world):
    plan = bench_campaign()
    run_import(TaskSheetImport(plan), Command().workbook(60))
    world.task_a.text = "改过一次"  # a history record of another plan's task
    world.task_a.save()
    imported = rows_of(plan)
    assert all(imported.values()), imported
    others = rows_of(world.master), rows_of(world.plan_a)

    clear_bench_tasks(plan)
    assert set(rows_of(plan).values()) == {0}
    assert (rows_of(world.master), rows_of(world.plan_a)) == others
    assert others[0]["history"] >= 3


def test_task_import_benchmark_prints_medians_and_ratios():
    out = io.StringIO()
    call_command("bench", "--only", "import", "--rows", "40", stdout=out)
    lines = {line["name"]: line for line in map(json.loads, out.getvalue().splitlines())}
    vendor = "postgresql" if "import_40_tasks_engine_postgresql" in lines else "sqlite"
    engine = lines[f"import_40_tasks_engine_{vendor}"]["value"]
    cached = lines[f"import_40_tasks_django_import_export_cached_bulk_{vendor}"]["value"]
    ratio = lines[f"import_40_tasks_speedup_vs_cached_bulk_{vendor}"]["value"]
    assert ratio == pytest.approx(cached / engine, rel=0.1)  # the printed times are rounded to the millisecond
    assert lines[f"import_40_tasks_engine_slowest_of_{ROUNDS}_{vendor}"]["value"] >= engine
    assert lines[f"import_40_tasks_django_import_export_cached_bulk_fastest_of_{ROUNDS}_{vendor}"]["value"] <= cached
    assert set(rows_of(bench_campaign()).values()) == {0}  # nothing left behind
