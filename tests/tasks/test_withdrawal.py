"""No import and no edit deletes a progress report, a follow-up or an extension request: a responsibility taken off
a task while it carries any is withdrawn (撤销) — kept with its records, out of lists, counts and scores."""

import datetime
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from core.errors import ServiceError
from core.xlsx import write_xlsx
from imports.engine import ImportFailed, run_import
from tasks.importers import TaskSheetImport, export_sheet
from tasks.models import Assignment, FollowUp, Milestone, ProgressReport, Task
from tasks.services import task_delete, task_sync_assignments

from ..factories import make_task

pytestmark = pytest.mark.django_db
MONTH = datetime.date(2024, 6, 1)


def report_on(assignment, state="accepted"):
    now = timezone.now()
    return ProgressReport.objects.create(assignment=assignment, month=MONTH, reported_status="in_progress",
                                         progress="已推进", state=state, first_submitted_at=now, submitted_at=now)


def exported(plan, edit) -> bytes:
    """The plan's own export with ``edit(rows_by_code, header)`` applied, as the office would edit it in Excel."""
    buffer = io.BytesIO()
    write_xlsx(buffer, [export_sheet(plan)])
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    sheet = book.active
    header_row = next(r for r in sheet.iter_rows() if any(c.value == "序号" for c in r))
    columns = {c.value: c.column for c in header_row}
    rows = {str(r[columns["序号"] - 1].value): r for r in sheet.iter_rows(min_row=header_row[0].row + 1)
            if r[columns["序号"] - 1].value is not None}
    edit(rows, columns)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def set_cell(rows, columns, code, header, value):
    rows[code][columns[header] - 1].value = value


@pytest.fixture
def reported(world):
    """task_a (lead 住建局, cooperating 某某镇) with an accepted report and a follow-up on the township's part."""
    township_part = Assignment.objects.get(task=world.task_a, unit=world.township)
    report_on(township_part)
    FollowUp.objects.create(assignment=township_part, kind="reminder", content="请按时推进")
    return township_part


def test_an_import_that_drops_a_reported_unit_is_refused_by_default_and_names_the_row(world, reported):
    data = exported(world.master, lambda rows, cols: set_cell(rows, cols, "1", "配合单位", ""))
    with pytest.raises(ImportFailed) as failed:
        run_import(TaskSheetImport(world.master), data, withdraw=False)
    messages = [str(p) for p in failed.value.problems]
    assert any("某某镇" in m and "将撤销" in m and "1 份进展填报" in m and m.startswith("row ") for m in messages)
    assert "--withdraw" in messages[-1]
    assert world.task_a.cooperating_units.filter(pk=world.township.pk).exists()  # nothing written
    assert Assignment.objects.filter(pk=reported.pk).exists()


def test_withdrawing_keeps_the_reports_and_takes_the_responsibility_out_of_force(world, reported):
    reports = ProgressReport.objects.count()
    data = exported(world.master, lambda rows, cols: set_cell(rows, cols, "1", "配合单位", ""))
    preview = run_import(TaskSheetImport(world.master), data, withdraw=True)
    assert len(preview.withdrawals) == 1
    assert ProgressReport.objects.count() == reports and FollowUp.objects.count() == 1
    withdrawn = Assignment.all_objects.get(pk=reported.pk)
    assert withdrawn.withdrawn_on == timezone.localdate()
    assert not Assignment.objects.filter(pk=reported.pk).exists()  # out of lists, counts and scores
    assert not world.task_a.assignments.filter(unit=world.township).exists()
    # Given back in a later file, the same responsibility is restored with its history.
    data = exported(world.master, lambda rows, cols: set_cell(rows, cols, "1", "配合单位", world.township.name))
    run_import(TaskSheetImport(world.master), data)
    assert Assignment.objects.get(task=world.task_a, unit=world.township).pk == reported.pk


def test_a_responsibility_with_nothing_recorded_is_simply_removed(world):
    data = exported(world.master, lambda rows, cols: set_cell(rows, cols, "1", "配合单位", ""))
    preview = run_import(TaskSheetImport(world.master), data, withdraw=False)  # nothing to withdraw: not refused
    assert preview.withdrawals == []
    assert not Assignment.all_objects.filter(task=world.task_a, unit=world.township).exists()


def test_a_dropped_deadline_with_reports_is_withdrawn_with_its_milestone(world):
    first = Assignment.objects.get(task=world.task_b, due_date=datetime.date(2024, 6, 30))
    report_on(first)
    reports = ProgressReport.objects.count()
    data = exported(world.master, lambda rows, cols: set_cell(rows, cols, "2", "完成时限", "2025年12月31日"))
    run_import(TaskSheetImport(world.master), data, withdraw=True)
    assert ProgressReport.objects.count() == reports
    assert Milestone.all_objects.get(pk=first.milestone_id).withdrawn_on is not None
    assert list(world.task_b.milestones.values_list("due_date", flat=True)) == [datetime.date(2025, 12, 31)]
    assert list(world.task_b.assignments.values_list("due_date", flat=True)) == [datetime.date(2025, 12, 31)]


def test_the_command_refuses_without_withdraw_and_withdraws_with_it(world, reported, tmp_path, capsys):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(exported(world.master, lambda rows, cols: set_cell(rows, cols, "1", "配合单位", "")))
    with pytest.raises(SystemExit) as exit_:
        call_command("import_tasks", str(path), campaign=world.campaign.slug)
    assert exit_.value.code == 1
    assert "某某镇" in capsys.readouterr().err
    assert Assignment.objects.filter(pk=reported.pk).exists()
    call_command("import_tasks", str(path), campaign=world.campaign.slug, withdraw=True)
    assert capsys.readouterr().out.strip().endswith("created=0 updated=1 unchanged=1")
    assert not Assignment.objects.filter(pk=reported.pk).exists() and ProgressReport.objects.count() == 1


def test_the_upload_page_lists_the_withdrawals_and_the_result_names_them(client, world, users, reported):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(users["office"])
    data = exported(world.master, lambda rows, cols: set_cell(rows, cols, "1", "配合单位", ""))
    upload = SimpleUploadedFile("plan.xlsx", data)
    response = client.post(reverse("import-upload", args=[world.campaign.slug, world.office.code]), {"file": upload})
    page = client.get(response["Location"]).content.decode()
    assert 'id="withdrawals"' in page and "确认导入并撤销 1 项责任分解" in page and "某某镇" in page
    response = client.post(response["Location"], {"action": "confirm"}, follow=True)
    assert "撤销 1 项责任分解（其填报和督办记录均保留）" in response.content.decode()
    assert ProgressReport.objects.count() == 1


def test_a_plan_changed_since_the_preview_withdraws_nothing_unseen(client, world, users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(users["office"])
    data = exported(world.master, lambda rows, cols: set_cell(rows, cols, "1", "配合单位", ""))
    response = client.post(reverse("import-upload", args=[world.campaign.slug, world.office.code]),
                           {"file": SimpleUploadedFile("plan.xlsx", data)})
    # After the preview (which withdrew nothing), the township reports on its part.
    report_on(Assignment.objects.get(task=world.task_a, unit=world.township))
    page = client.post(response["Location"], {"action": "confirm"}, follow=True).content.decode()
    assert "方案在预览之后又有变化" in page
    assert Assignment.objects.filter(task=world.task_a, unit=world.township).exists()


def test_removing_missing_tasks_keeps_those_with_records(world, reported):
    make_task(world.master, 3, lead=[world.dept_a])

    def keep_only_task_3(rows, cols):
        for code in ("2", "1"):  # bottom row first: deleting a row moves those below it up
            rows[code][0].parent.delete_rows(rows[code][0].row)

    preview = run_import(TaskSheetImport(world.master), exported(world.master, keep_only_task_3), remove_missing=True)
    assert {code for code, _ in preview.missing} == {"1", "2"} and preview.removed == 1
    assert dict(preview.missing)["1"].endswith("（已有填报或督办记录，不会删除）")
    assert Task.objects.filter(pk=world.task_a.pk).exists() and not Task.objects.filter(pk=world.task_b.pk).exists()


def test_a_task_with_records_cannot_be_deleted_on_its_page(client, world, users, reported):
    client.force_login(users["office"])
    url = reverse("task-delete", args=[world.campaign.slug, world.task_a.pk])
    page = client.post(url, follow=True).content.decode()
    assert "不能删除" in page and Task.objects.filter(pk=world.task_a.pk).exists()
    with pytest.raises(ServiceError):
        task_delete(task=world.task_a)
    task_delete(task=world.task_b)  # nothing recorded on it
    assert not Task.objects.filter(pk=world.task_b.pk).exists()


def test_the_task_form_withdraws_a_reported_unit_it_takes_off(world, reported):
    world.task_a.cooperating_units.set([])
    created, updated, withdrawn, deleted = task_sync_assignments(task=world.task_a)
    assert (withdrawn, deleted) == (1, 0)
    assert ProgressReport.objects.filter(assignment_id=reported.pk).count() == 1


def test_the_database_refuses_to_delete_records_with_their_responsibility(world, reported):
    with pytest.raises(ProtectedError):
        Assignment.objects.get(pk=reported.pk).delete()
    with pytest.raises(ProtectedError):
        Task.objects.get(pk=world.task_a.pk).delete()


def test_withdrawn_responsibilities_stay_readable_on_the_task_and_their_own_page(client, world, users, reported):
    world.task_a.cooperating_units.set([])
    task_sync_assignments(task=world.task_a)
    client.force_login(users["office"])
    page = client.get(reverse("task-detail", args=[world.campaign.slug, world.task_a.pk])).content.decode()
    assert 'id="withdrawn"' in page and "保留 1 份填报" in page
    page = client.get(reverse("assignment-detail", args=[world.campaign.slug, reported.pk])).content.decode()
    assert "已于" in page and "撤销" in page and "已推进" in page
    # Nothing can be done on it any more: follow-ups and close-out look in force only.
    url = reverse("follow-up-create", args=[world.campaign.slug, reported.pk])
    assert client.post(url, {"kind": "reminder", "content": "x"}).status_code == 404
    # The township's liaison still reads its own withdrawn part.
    client.force_login(users["liaison_town"])
    assert client.get(reverse("assignment-detail", args=[world.campaign.slug, reported.pk])).status_code == 200
