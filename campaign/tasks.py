"""Celery jobs of the campaign app: thin wrappers that load by id and call the service."""

from celery import shared_task

from .importing.batches import import_batch_preview
from .models import ImportBatch


@shared_task(bind=True, max_retries=3, default_retry_delay=5, acks_late=True)
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
