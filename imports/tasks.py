"""Celery jobs of the imports app: thin wrappers that load by id and call the service.

Jobs take ids (JSON only), acknowledge late and are rejected when their worker dies, so a killed
preview is run again from the start; the preview is stored in one update, so a rerun never finds
half of one, and a finished preview is not computed again.
"""

import logging

from celery import shared_task
from django.db import transaction

from .batches import import_batch_preview
from .models import ImportBatch

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=3, default_retry_delay=5, acks_late=True, reject_on_worker_lost=True)
def build_import_preview(self, batch_id: int) -> str:
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        return "missing"
    try:
        import_batch_preview(batch=batch)
    except Exception as error:  # a broken run is retried; after the last try the batch says it failed
        if self.request.retries >= self.max_retries:
            ImportBatch.objects.filter(pk=batch_id).update(
                state=ImportBatch.State.FAILED, message="读取文件时出现系统错误，请稍后重新上传或联系管理员。"
            )
            raise
        ImportBatch.objects.filter(pk=batch_id).update(state=ImportBatch.State.QUEUED)
        raise self.retry(exc=error) from error
    return batch.state


BACKGROUND_UNAVAILABLE = "后台任务服务暂不可用，文件未能排队读取。请稍后重新上传，或联系管理员检查 Redis/Celery。"


def queue_preview(batch: ImportBatch) -> None:
    """Send the preview job once the upload is committed; if the broker is down, say so on the batch."""

    def send():
        try:
            build_import_preview.delay(batch.pk)
        except build_import_preview.OperationalError:
            logger.exception("import preview %s could not be queued", batch.pk)
            ImportBatch.objects.filter(pk=batch.pk).update(state=ImportBatch.State.FAILED,
                                                           message=BACKGROUND_UNAVAILABLE)

    transaction.on_commit(send)
