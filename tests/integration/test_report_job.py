"""Monthly reports built by a real Celery worker through Redis, against PostgreSQL (CI)."""

import datetime
import os
import signal
import time

import pytest

from reporting.models import BuildJob, MonthlyReport
from reporting.services import build_report
from reporting.tasks import queue_build

pytestmark = pytest.mark.broker
MONTH = datetime.date(2024, 6, 1)


def wait_for(job, states, seconds=60):
    for _ in range(int(seconds / 0.25)):
        job.refresh_from_db()
        if job.state in states:
            return job
        time.sleep(0.25)
    raise AssertionError(f"job stayed {job.state} ({job.message})")


def snapshot(report):
    rows = report.scores.order_by("unit_code").values_list(
        "unit_code", "score", "rank", "on_time", "reporting", "targets", "hazards", "penalty")
    return list(rows), report.summary


def test_report_built_by_the_worker_equals_the_one_built_in_process(celery_worker_process, world, users):
    job = queue_build(world.campaign, MONTH, users["office"])  # autocommit: sent at once
    wait_for(job, {BuildJob.State.DONE, BuildJob.State.FAILED})
    assert job.state == BuildJob.State.DONE, job.message
    queued = MonthlyReport.objects.get(campaign=world.campaign, month=MONTH)
    assert queued.built_by == users["office"]
    through_queue = snapshot(queued)

    in_process = build_report(world.campaign, MONTH)
    assert in_process.pk == queued.pk  # rebuilt in place: still one report
    assert snapshot(in_process) == through_queue
    assert MonthlyReport.objects.filter(campaign=world.campaign, month=MONTH).count() == 1


def test_worker_killed_mid_job_leaves_exactly_one_current_version(worker_control, world, users):
    # The first worker pauses between writing the report and committing; it is killed there.
    first = worker_control(REPORT_BUILD_PAUSE=30, CELERY_VISIBILITY_TIMEOUT=2)
    job = queue_build(world.campaign, MONTH, users["office"])
    wait_for(job, {BuildJob.State.RUNNING}, seconds=30)
    for _ in range(40):  # wait until the job is inside its final transaction (progress stops at 90)
        job.refresh_from_db()
        if job.progress >= 90:
            break
        time.sleep(0.25)
    time.sleep(1)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    assert not MonthlyReport.objects.filter(campaign=world.campaign, month=MONTH).exists()  # nothing half written

    time.sleep(3)  # past the visibility timeout: the unacknowledged job goes back to the queue
    worker_control(CELERY_VISIBILITY_TIMEOUT=2)
    wait_for(job, {BuildJob.State.DONE, BuildJob.State.FAILED}, seconds=90)
    assert job.state == BuildJob.State.DONE, job.message
    reports = MonthlyReport.objects.filter(campaign=world.campaign, month=MONTH)
    assert reports.count() == 1
    assert reports.get().is_current and reports.get().version == 1
    assert job.report_id == reports.get().pk
