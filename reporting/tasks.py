"""Celery jobs for monthly reports: thin wrappers that load by id and call the services.

Jobs take ids (JSON only), acknowledge late and are rejected when their worker dies, so a
killed build is run again from the start; the build writes in one transaction together with
the job's "done" mark, so a rerun never finds half a report and never makes a second one.
"""

from __future__ import annotations

import logging
import time

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from campaign.models import Campaign
from tasks.selectors import month_start, previous_month

from .models import BuildJob, MonthlyReport
from .services import ReportError, build_report, check_month

logger = logging.getLogger(__name__)
BACKGROUND_UNAVAILABLE = "后台任务服务暂不可用，月报未能排队生成。请稍后重试，或联系管理员检查 Redis/Celery。"


def _update(job_id: int, **fields) -> None:
    BuildJob.objects.filter(pk=job_id).update(**fields)


@shared_task(bind=True, max_retries=3, default_retry_delay=10, acks_late=True, reject_on_worker_lost=True)
def build_report_job(self, job_id: int) -> str:
    job = BuildJob.objects.filter(pk=job_id).select_related("campaign__office", "requested_by").first()
    if job is None:
        return "missing"
    if job.finished:
        return job.state
    _update(job_id, state=BuildJob.State.RUNNING, progress=5)

    def saved(report: MonthlyReport) -> None:
        pause = getattr(settings, "REPORT_BUILD_PAUSE", 0)
        if pause:  # lets the worker-kill test stop a job between writing and committing
            time.sleep(pause)
        _update(job_id, state=BuildJob.State.DONE, progress=100, report=report, finished_at=timezone.now(),
                message="")

    try:
        build_report(job.campaign, job.month, user=job.requested_by, preview=job.preview,
                     on_progress=lambda pct: _update(job_id, progress=pct), on_saved=saved)
    except ReportError as error:
        _update(job_id, state=BuildJob.State.FAILED, message=str(error), finished_at=timezone.now())
        return BuildJob.State.FAILED
    except Exception as error:
        if self.request.retries >= self.max_retries:
            _update(job_id, state=BuildJob.State.FAILED, finished_at=timezone.now(),
                    message="生成月报时出现系统错误，已自动重试多次仍未成功，请联系管理员。")
            raise
        _update(job_id, state=BuildJob.State.QUEUED, progress=0)
        raise self.retry(exc=error) from error
    return BuildJob.State.DONE


def queue_build(campaign: Campaign, month, user=None, *, preview: bool = False) -> BuildJob:
    """Record a build job and send it to the workers once the surrounding transaction commits.

    With no broker configured, jobs run in-process (Celery's eager mode). If the broker cannot
    be reached, the job is marked failed with a plain message instead of breaking the page.
    """
    check_month(campaign, month, preview=preview)
    job = BuildJob.objects.create(campaign=campaign, month=month_start(month), preview=preview,
                                  requested_by=user if user is not None and user.is_authenticated else None)

    def send():
        try:
            build_report_job.delay(job.pk)
        except build_report_job.OperationalError:
            logger.exception("report job %s could not be queued", job.pk)
            _update(job.pk, state=BuildJob.State.FAILED, message=BACKGROUND_UNAVAILABLE, finished_at=timezone.now())

    transaction.on_commit(send)
    return job


@shared_task(acks_late=True, reject_on_worker_lost=True)
def build_previous_month_reports() -> int:
    """Beat, on the 1st: one build job per active campaign for last month, unless it already has a report."""
    month = previous_month(month_start(timezone.localdate()))
    queued = 0
    for campaign in Campaign.objects.filter(is_active=True, start_date__lte=month, end_date__gte=month):
        if MonthlyReport.objects.filter(campaign=campaign, month=month).exists():
            continue
        try:
            check_month(campaign, month)
        except ReportError:
            continue
        queue_build(campaign, month)
        queued += 1
    return queued
