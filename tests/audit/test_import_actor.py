"""Bulk imports in the operations log: the history rows they write name the person who uploaded the file."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from simple_history.models import HistoricalRecords

from audit.selectors import LogFilters, log_page
from core.db import allocate_ids, history_user, insert_with_history
from imports.engine import run_import
from imports.models import ImportBatch
from tasks.importers import TaskSheetImport
from tasks.models import Assignment, Milestone, QuantifiedTarget, TargetYearValue, Task

from .. import spreadsheets as books

pytestmark = pytest.mark.django_db
HEADER = ["序号", "具体任务", "牵头单位", "配合单位", "完成时限"]


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def upload_and_confirm(client, world, plan, rows):
    url = reverse("import-upload", args=[world.campaign.slug, plan.unit.code])
    response = client.post(url, {"file": SimpleUploadedFile("任务清单.xlsx", books.simple_xlsx(HEADER, rows))})
    assert response.status_code == 302
    client.post(response["Location"], {"action": "confirm"})
    batch = ImportBatch.objects.latest("pk")
    assert batch.state == "saved", batch.message


def test_an_uploaded_task_list_appears_with_its_uploader(client, world, users):
    client.force_login(users["liaison_a"])
    upload_and_confirm(client, world, world.plan_a, [["5", "开展燃气安全专项整治。", "县住建局", "", "2026年12月底前"]])
    task = Task.objects.get(plan=world.plan_a, code="5")
    created = task.history.get(history_type="+")
    assert created.history_user == users["liaison_a"]  # written by insert_with_history, below the ORM

    # A second upload changes the task through the ORM: the change, too, names the uploader.
    upload_and_confirm(client, world, world.plan_a, [["5", "开展燃气安全专项整治，覆盖率达到100%。", "县住建局", "",
                                                       "2026年12月底前"]])
    client.force_login(users["office"])
    entries = [e for e in log_page(LogFilters(username="liaison_a")).entries if e.subject == "具体任务"]
    assert [e.action for e in entries] == ["修改", "新建"]
    assert all(e.who == "liaison_a" and e.unit == "县住建局" for e in entries)
    assert ("任务内容", "开展燃气安全专项整治。", "开展燃气安全专项整治，覆盖率达到100%。") in entries[0].changes
    page = client.get(reverse("audit-log"), {"user": "liaison_a"}).content.decode()
    assert "开展燃气安全专项整治" in page and "新建" in page


def test_every_history_row_of_an_import_names_the_uploader_outside_a_request(world, users):
    """A job or a command has no request for HistoryRequestMiddleware to read; ``history_user`` stands in."""
    rows = [["1", "第1项任务，覆盖率达到100%。", "县应急局", "某某镇", "2025年6月底前"],  # changes task 1
            ["9", "新的任务，知晓率80%以上。", "县住建局", "", "2024年底前"]]  # a new task
    marks = {m: m.history.model.objects.order_by("history_id").values_list("history_id", flat=True).last() or 0
             for m in (Task, Milestone, Assignment, QuantifiedTarget, TargetYearValue)}
    with history_user(users["office"]):
        run_import(TaskSheetImport(world.master), books.simple_xlsx(HEADER, rows), user=users["office"])
    assert not hasattr(HistoricalRecords.context, "request")  # left as it was found
    written = {m.__name__: list(m.history.filter(history_id__gt=mark).values_list("history_user__username", flat=True))
               for m, mark in marks.items()}
    assert written["Task"] and written["Assignment"] and written["QuantifiedTarget"]
    assert {name for names in written.values() for name in names} == {"office"}


def test_history_user_restores_the_request_it_found():
    marker = object()
    HistoricalRecords.context.request = marker
    try:
        class Office:
            is_authenticated = True

        with history_user(Office()):
            assert HistoricalRecords.context.request is not marker
        assert HistoricalRecords.context.request is marker
        with history_user(None):
            assert HistoricalRecords.context.request is marker
    finally:
        del HistoricalRecords.context.request


def test_insert_with_history_keeps_the_units_with_the_created_record(world, users):
    """The first later change of an imported task is compared with the units the import gave it."""
    task_id = allocate_ids(Task, 1)[0]
    columns = ["id", "plan_id", "action_line_id", "key_task_id", "code", "position", "text", "master_task_id"]
    insert_with_history(Task, columns, [(task_id, world.master.pk, None, None, "31", 31, "导入的任务。", None)],
                        user=users["office"], m2m={"lead_units": [(task_id, world.dept_a.pk)],
                                                   "cooperating_units": [(task_id, world.township.pk),
                                                                         (task_id, world.dept_b.pk)]})
    task = Task.objects.get(pk=task_id)
    assert set(task.lead_units.values_list("code", flat=True)) == {"dept-a"}
    assert set(task.cooperating_units.values_list("code", flat=True)) == {"town", "dept-b"}
    created = task.history.get()
    assert created.history_user == users["office"]
    assert {m.unit_id for m in created.cooperating_units.all()} == {world.township.pk, world.dept_b.pk}

    with history_user(users["liaison_a"]):
        task.text = "改过的任务。"
        task.save()
        task.cooperating_units.remove(world.dept_b)
    removal, edit = log_page(LogFilters(model="tasks.task"), size=2).entries
    assert edit.changes == [("任务内容", "导入的任务。", "改过的任务。")]  # no spurious unit change
    assert removal.changes == [("配合单位", "县应急管理局、某某镇", "某某镇")]


def test_allocate_ids_works_for_history_tables(world):
    history = Task.history.model
    top = history.objects.order_by("-history_id").values_list("history_id", flat=True).first()
    assert allocate_ids(history, 3) == [top + 1, top + 2, top + 3]
