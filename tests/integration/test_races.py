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


def twice(client_of, method, *args):
    """The same request sent twice at once, each from its own client (a double click, two tabs)."""
    first, second = client_of(), client_of()
    return in_threads(lambda: getattr(first, method)(*args), lambda: getattr(second, method)(*args))


def logged_in(user):
    from django.test import Client

    def make():
        client = Client()
        client.force_login(user)
        return client
    return make


def test_a_double_submitted_monthly_entry_answers_both_without_a_500(world, users):
    from django.urls import reverse

    from tasks.models import Assignment, ProgressReport

    rows = list(Assignment.objects.filter(unit=world.dept_a).order_by("pk"))
    data = {"action": "submit"}
    for a in rows:
        data.update({f"a{a.pk}-reported_status": "in_progress", f"a{a.pk}-progress": "本月进展",
                     f"a{a.pk}-problems": "", f"a{a.pk}-next_steps": ""})
    url = reverse("monthly-entry", args=[world.campaign.slug])
    results = twice(logged_in(users["liaison_a"]), "post", url, data)
    assert all(not isinstance(r, Exception) and r.status_code in (200, 302) for r in results), results
    assert ProgressReport.objects.filter(assignment__in=rows).count() == len(rows)


def test_a_double_submitted_hazard_registration_makes_one_enterprise_and_one_hazard(world, users):
    from django.urls import reverse

    from hazards.models import Enterprise, MajorHazard
    from hazards.validators import make_credit_code

    data = {"enterprise_name": "某新材料有限公司", "credit_code": make_credit_code("9137082677777777"),
            "township": world.township.pk, "supervisor": world.dept_b.pk, "industry": "工贸",
            "channel": "企业自查上报", "found_on": "2024-05-01", "description": "粉尘涉爆除尘系统未设置锁气卸灰装置"}
    data["industry"], data["channel"] = "industry_trade", "self_report"
    results = twice(logged_in(users["office"]), "post", reverse("hazard-create", args=[world.campaign.slug]), data)
    assert all(not isinstance(r, Exception) and r.status_code in (200, 302) for r in results), results
    assert Enterprise.objects.filter(credit_code=data["credit_code"]).count() == 1
    assert MajorHazard.objects.filter(enterprise__credit_code=data["credit_code"]).count() == 1


def test_a_double_confirmed_import_saves_once_and_tells_the_second_it_is_done(world, users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from imports.batches import AlreadyConfirmed, import_batch_confirm, import_batch_create, import_batch_preview
    from tasks.models import Task

    from .. import spreadsheets as books

    data = books.simple_xlsx(["序号", "具体任务", "牵头单位", "完成时限"],
                             [[31, "新增一项任务", world.dept_a.name, "2026年底前"]])
    batch = import_batch_create(plan=world.master, upload=SimpleUploadedFile("a.xlsx", data), user=users["office"])
    import_batch_preview(batch=batch)
    results = in_threads(*[lambda: import_batch_confirm(batch=batch, user=users["office"], remove_missing=False)] * 2)
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert any(isinstance(r, AlreadyConfirmed) for r in results), results
    assert Task.objects.filter(plan=world.master, code="31").count() == 1
