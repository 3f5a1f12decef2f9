"""Races against PostgreSQL with real threads and connections: publishing and rebuilding a month, saving a task."""

import datetime
import threading

import pytest
from django.db import close_old_connections, connection

from reporting.models import MonthlyReport
from reporting.services import ReportError, build_report, publish_report

pytestmark = pytest.mark.postgres
JUNE = datetime.date(2024, 6, 1)


@pytest.fixture(autouse=True)
def needs_postgres(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL (SQLite serialises every writer)")


def in_threads(*calls) -> list:
    """Run ``calls`` at the same moment, each on its own connection; their results (or the exception raised)."""
    results: list = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - the caller looks at what each thread met
            results[index] = error
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_of_concurrent_publishes_exactly_one_succeeds(world, users):
    report = build_report(world.campaign, JUNE, user=users["office"])
    results = in_threads(*[lambda: publish_report(report, users["office"], reviewed_build=report.built_at)] * 4)
    assert sum(isinstance(r, MonthlyReport) for r in results) == 1
    assert all(isinstance(r, (MonthlyReport, ReportError)) for r in results), results
    assert MonthlyReport.objects.get(pk=report.pk).is_published


def test_a_rebuild_racing_a_publish_never_loses_a_publication_it_reported(world, users):
    for _ in range(5):
        report = MonthlyReport.objects.filter(campaign=world.campaign, month=JUNE, is_current=True).first() \
            or build_report(world.campaign, JUNE, user=users["office"])
        if report.is_published:
            report = build_report(world.campaign, JUNE, user=users["office"])
        published, rebuilt = in_threads(
            lambda report=report: publish_report(report, users["office"], reviewed_build=report.built_at),
            lambda: build_report(world.campaign, JUNE, user=users["office"]),
        )
        assert isinstance(rebuilt, MonthlyReport), rebuilt
        if isinstance(published, MonthlyReport):
            # The office was told it was published: that version stays published, and a rebuild after it made a
            # new version instead of overwriting it.
            assert MonthlyReport.objects.get(pk=report.pk).is_published
        else:
            assert isinstance(published, ReportError)
    current = MonthlyReport.objects.filter(campaign=world.campaign, month=JUNE, is_current=True)
    assert current.count() == 1
