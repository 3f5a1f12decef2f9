"""Import batches: keep the uploaded original, build its preview (in the request or a Celery job),
and save it when the user confirms."""

from __future__ import annotations

import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from campaign.models import Plan

from .engine import ImportFailed, build_preview, run_import
from .kinds import kind_of
from .models import ImportBatch
from .reader import ReadError
from .sheet import Problem

PREVIEW_ROW_LIMIT = 20000


def importer_for(batch: ImportBatch):
    return kind_of(batch.kind).importer(batch)


def import_batch_create(*, plan: Plan | None, upload, user, kind: str = "tasks", campaign=None) -> ImportBatch:
    """Keep the original file; refuse one over the size limit before storing it."""
    limit = settings.IMPORT_MAX_BYTES
    if upload.size > limit:
        raise ReadError(
            f"文件大小 {upload.size / 1024 / 1024:.1f} MB，超过 {limit / 1024 / 1024:.0f} MB 的上限。"
            "请删除无关的工作表或图片后再上传。"
        )
    return ImportBatch.objects.create(
        kind=kind, campaign=campaign or plan.campaign, plan=plan, file=upload, original_name=upload.name[:255],
        size=upload.size, uploaded_by=user,
    )


def runs_in_background(batch: ImportBatch) -> bool:
    return not settings.CELERY_TASK_ALWAYS_EAGER and batch.size > settings.IMPORT_BACKGROUND_BYTES


def _set(batch: ImportBatch, **fields) -> None:
    for key, value in fields.items():
        setattr(batch, key, value)
    ImportBatch.objects.filter(pk=batch.pk).update(**fields)


def import_batch_preview(*, batch: ImportBatch) -> ImportBatch:
    """Read and check the file; store what saving it would do. Idempotent: a finished preview is kept."""
    if batch.state not in (ImportBatch.State.QUEUED, ImportBatch.State.READING):
        return batch
    _set(batch, state=ImportBatch.State.READING, progress=10)
    with batch.file.open("rb") as handle:
        data = handle.read()
    _set(batch, progress=30)
    preview = build_preview(importer_for(batch), data)
    pause = getattr(settings, "IMPORT_PREVIEW_PAUSE", 0)
    if pause:  # lets the worker-kill test stop a job between computing the preview and storing it
        time.sleep(float(pause))
    stored = preview.as_dict()
    stored["rows"] = stored["rows"][:PREVIEW_ROW_LIMIT]
    state = ImportBatch.State.INVALID if preview.problems else ImportBatch.State.PREVIEW
    _set(batch, preview=stored, counts=preview.counts, state=state, progress=100,
         message=f"发现 {len(preview.problems)} 个问题，未导入。" if preview.problems else "")
    if preview.problems:
        _set(batch, finished_at=timezone.now())
    return batch


class AlreadyConfirmed(ImportFailed):
    """The upload was confirmed meanwhile (a double click, a second tab): nothing more to do."""


def import_batch_confirm(*, batch: ImportBatch, user, remove_missing: bool) -> ImportBatch:
    """Save the whole file in one transaction, re-checked against the plan as it is now.

    The batch's row is locked first: of two confirmations of one upload the second waits, then finds it saved
    (``AlreadyConfirmed``) instead of importing the file again and meeting the first one's rows.
    """
    with batch.file.open("rb") as handle:
        data = handle.read()
    failure = None
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update(of=("self",)).select_related("plan__campaign").get(pk=batch.pk)
        if batch.state == ImportBatch.State.SAVED:
            raise AlreadyConfirmed([Problem(None, None, f"该文件已经导入：{batch.message}")])
        if batch.state != ImportBatch.State.PREVIEW:
            raise ImportFailed([Problem(None, None, f"该导入当前为“{batch.get_state_display()}”，不能确认。")])
        try:
            with transaction.atomic():  # a refused file leaves nothing behind; the batch still records why
                preview = run_import(importer_for(batch), data, user=user, remove_missing=remove_missing,
                                     withdraw=batch.preview.get("withdrawals", []))
        except ImportFailed as failed:
            failure = failed
            _set(batch, state=ImportBatch.State.INVALID, finished_at=timezone.now(),
                 preview={**batch.preview, "problems": [p.as_dict() for p in failed.problems]})
        else:
            counts = preview.counts
            counts["removed"] = removed = preview.removed
            counts["withdrawn"] = withdrawn = len(preview.withdrawals)
            _set(batch, state=ImportBatch.State.SAVED, counts=counts, remove_missing=remove_missing,
                 finished_at=timezone.now(),
                 message=f"新增 {counts['new']} 项，修改 {counts['changed']} 项，未变 {counts['unchanged']} 项"
                         + (f"，删除 {removed} 项" if removed else "")
                         + (f"，撤销 {withdrawn} 项责任分解（其填报和督办记录均保留）" if withdrawn else "") + "。")
    if failure is not None:
        raise failure
    return batch


def import_batch_cancel(*, batch: ImportBatch) -> None:
    if batch.state in (ImportBatch.State.PREVIEW, ImportBatch.State.INVALID, ImportBatch.State.QUEUED):
        _set(batch, state=ImportBatch.State.CANCELLED, finished_at=timezone.now())
