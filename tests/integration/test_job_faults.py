"""Background jobs under faults: JSON only, late acknowledgement, and a worker killed in the middle of a job.

The options are checked on every job of the project (no broker needed). The kill test runs a real
Celery worker through Redis against PostgreSQL (CI): the worker dies while previewing a 12,000-row
upload, which must leave no half-stored preview; the job goes back to the queue, a second worker
completes it, and a duplicate delivery of the finished job changes nothing. The report job's kill
test is in ``test_report_job.py``.
"""

import os
import signal
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from config.celery import app
from imports.batches import import_batch_create
from imports.models import ImportBatch
from imports.tasks import build_import_preview
from tasks.models import Task

from .. import spreadsheets as books

HEADER = ["序号", "具体任务", "牵头单位", "完成时限"]
ROWS = 12_000  # a preview of a few seconds: long enough to be killed in the middle


def project_jobs() -> dict:
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_jobs_speak_json_only():
    conf = app.conf
    assert conf.task_serializer == "json"
    assert conf.result_serializer == "json"
    assert list(conf.accept_content) == ["json"]  # a pickled message is refused, never unpickled
    assert conf.result_accept_content in (None, ["json"])  # None: the same as accept_content


def test_every_job_acknowledges_late_and_is_rejected_when_its_worker_dies():
    jobs = project_jobs()
    assert {"imports.tasks.build_import_preview", "reporting.tasks.build_report_job",
            "reporting.tasks.build_previous_month_reports"} <= set(jobs)
    for name, job in jobs.items():
        # Declared on the job itself, so a change of the global settings cannot silently drop it.
        assert vars(type(job)).get("acks_late") is True, f"{name}: acks_late"
        assert vars(type(job)).get("reject_on_worker_lost") is True, f"{name}: reject_on_worker_lost"


def wait_for(batch, test, seconds, step=0.05):
    for _ in range(int(seconds / step)):
        batch.refresh_from_db()
        if test(batch):
            return batch
        time.sleep(step)
    raise AssertionError(f"batch stayed {batch.state} at {batch.progress}% ({batch.message})")


@pytest.mark.broker
def test_worker_killed_mid_preview_leaves_no_partial_result_and_the_redelivered_job_completes_once(
        worker_control, world, users, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path  # the workers get it too
    rows = [[str(n), f"第{n}项任务，覆盖率达到90%", "县住建局", "2025年底前"] for n in range(100, 100 + ROWS)]
    batch = import_batch_create(plan=world.master, user=users["office"],
                                upload=SimpleUploadedFile("big.xlsx", books.simple_xlsx(HEADER, rows)))
    tasks_before = Task.objects.count()

    # The first worker holds the finished preview before storing it (IMPORT_PREVIEW_PAUSE, where the
    # settings pass it on); without the pause the file is big enough to be caught while being read.
    first = worker_control(IMPORT_PREVIEW_PAUSE=30, CELERY_VISIBILITY_TIMEOUT=2)
    build_import_preview.delay(batch.pk)  # autocommit: sent at once
    wait_for(batch, lambda b: b.state == ImportBatch.State.READING and b.progress >= 30, seconds=60)
    time.sleep(0.3)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)

    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.READING, "the preview finished before the worker could be killed"
    assert batch.preview == {} and batch.counts == {}  # nothing half stored
    assert Task.objects.count() == tasks_before

    time.sleep(3)  # past the visibility timeout: the unacknowledged job goes back to the queue
    worker_control(CELERY_VISIBILITY_TIMEOUT=2)
    wait_for(batch, lambda b: b.state not in (ImportBatch.State.QUEUED, ImportBatch.State.READING), seconds=120,
             step=0.25)
    assert batch.state == ImportBatch.State.PREVIEW, (batch.state, batch.message)
    assert batch.counts == {"new": ROWS, "changed": 0, "unchanged": 0}
    assert batch.problems == [] and len(batch.preview["rows"]) == ROWS
    assert Task.objects.count() == tasks_before  # a preview writes no tasks

    # Delivered again (as after a second worker loss): the finished preview is kept, not computed again.
    ImportBatch.objects.filter(pk=batch.pk).update(counts={"marker": 1})
    assert build_import_preview.delay(batch.pk).get(timeout=60) == ImportBatch.State.PREVIEW
    batch.refresh_from_db()
    assert batch.counts == {"marker": 1}
