"""Large files are previewed by a Celery job; the page shows progress until the preview is ready."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.batches import import_batch_create, import_batch_preview
from imports.models import ImportBatch

from .. import spreadsheets as books

HEADER = ["序号", "具体任务", "牵头单位", "完成时限"]


def _rows(n):
    return [[str(i), f"第{i}项任务", "县住建局", "2025年底前"] for i in range(100, 100 + n)]


@pytest.mark.django_db
def test_progress_page_while_queued(client, world, users, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    batch = import_batch_create(plan=world.master, user=users["office"],
                                upload=SimpleUploadedFile("big.xlsx", books.simple_xlsx(HEADER, _rows(5))))
    client.force_login(users["office"])
    page = client.get(reverse("import-batch", args=[world.campaign.slug, batch.pk])).content.decode()
    assert 'http-equiv="refresh"' in page and "progress-bar" in page
    import_batch_preview(batch=batch)
    page = client.get(reverse("import-batch", args=[world.campaign.slug, batch.pk])).content.decode()
    assert "progress-bar" not in page and "确认导入" in page


@pytest.mark.broker
def test_big_file_is_previewed_by_a_real_worker(celery_worker_process, client, world, users, tmp_path, settings):
    settings.IMPORT_BACKGROUND_BYTES = 0  # every upload goes to the worker
    client.force_login(users["office"])
    url = reverse("import-upload", args=[world.campaign.slug, world.master.unit.code])
    data = books.simple_xlsx(HEADER, _rows(300))
    response = client.post(url, {"file": SimpleUploadedFile("big.xlsx", data)})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    for _ in range(60):
        batch.refresh_from_db()
        if batch.state not in ("queued", "reading"):
            break
        time.sleep(0.5)
    assert batch.state == "preview", (batch.state, batch.message)
    assert batch.counts["new"] == 300


@pytest.mark.django_db
def test_broker_down_fails_the_upload_plainly(client, world, users, settings, tmp_path, monkeypatch,
                                              django_capture_on_commit_callbacks):
    from kombu.exceptions import OperationalError

    from imports import tasks as jobs

    def unavailable(*args, **kwargs):
        raise OperationalError("connection refused")

    settings.MEDIA_ROOT = tmp_path
    settings.IMPORT_BACKGROUND_BYTES = 0
    settings.CELERY_TASK_ALWAYS_EAGER = False  # as with a broker configured: the upload is queued
    monkeypatch.setattr(jobs.build_import_preview, "delay", unavailable)
    client.force_login(users["office"])
    url = reverse("import-upload", args=[world.campaign.slug, world.master.unit.code])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"file": SimpleUploadedFile("big.xlsx", books.simple_xlsx(HEADER, _rows(5)))})
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.state == ImportBatch.State.FAILED and "后台任务服务暂不可用" in batch.message
    assert "后台任务服务暂不可用" in client.get(response["Location"]).content.decode()
