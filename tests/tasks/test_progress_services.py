"""The monthly routine's rules, called directly: submit, return, resubmit, accept, close out, extensions."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tasks.models import Assignment, ProgressReport, QuantifiedTarget, TargetYearValue
from tasks.selectors import with_status
from tasks.services import (
    ReportInput,
    ServiceError,
    assignment_close_out,
    extension_decide,
    extension_request,
    follow_up_issue,
    report_accept,
    report_return,
    reports_save,
)
from tasks.targets import attainment, expected_by

from ..factories import make_user

pytestmark = pytest.mark.django_db
MONTH = datetime.date(2024, 11, 1)


@pytest.fixture
def a(world):
    return world.task_a.assignments.get(unit=world.dept_a)


@pytest.fixture
def liaison(world):
    return make_user("l", "liaison", world.dept_a)


@pytest.fixture
def office(world):
    return make_user("o", "office", world.office)


def _state(assignment, on):
    row = with_status(Assignment.objects.filter(pk=assignment.pk), on).get()
    return row.state, row.warning, row.light


def submit(a, user, status="in_progress", text="已完成部署", submit=True, **kw):
    return reports_save(
        month=MONTH, entries=[ReportInput(assignment=a, reported_status=status, progress=text, **kw)], user=user,
        submit=submit,
    )[0]


def test_draft_then_submit_moves_to_in_progress(a, liaison):
    report = submit(a, liaison, submit=False)
    assert report.state == "draft" and report.first_submitted_at is None
    assert _state(a, datetime.date(2024, 11, 20))[0] == "not_started"
    report = submit(a, liaison)
    assert report.state == "submitted" and report.first_submitted_at is not None
    assert _state(a, datetime.date(2024, 11, 20))[0] == "in_progress"
    assert ProgressReport.objects.count() == 1


def test_submit_needs_progress_text_and_saves_nothing_on_error(world, a, liaison):
    other = world.task_a.assignments.get(unit=world.township)
    entries = [
        ReportInput(assignment=a, reported_status="in_progress", progress="有进展"),
        ReportInput(assignment=other, reported_status="in_progress", problems="只写了问题"),
    ]
    with pytest.raises(ServiceError, match="请填写进展情况"):
        reports_save(month=MONTH, entries=entries, user=liaison, submit=True)
    assert ProgressReport.objects.count() == 0


def test_blank_rows_are_skipped(a, liaison):
    assert reports_save(month=MONTH, entries=[ReportInput(assignment=a, reported_status="in_progress")],
                        user=liaison, submit=True) == []


def test_returned_keeps_state_then_resubmitted_and_accepted_completes(a, liaison, office):
    report = submit(a, liaison, status="completed")
    first = report.first_submitted_at
    report_return(report=report, user=office, reason="请补充佐证材料")
    report.refresh_from_db()
    assert report.state == "returned" and report.return_reason == "请补充佐证材料"
    # A returned report does not advance the assignment.
    assert _state(a, datetime.date(2024, 11, 20))[0] == "not_started"
    with pytest.raises(ServiceError):
        report_accept(report=report, user=office)
    report = submit(a, liaison, status="completed", text="已补充材料")
    assert report.first_submitted_at == first  # counts from the first submission
    report_accept(report=report, user=office)
    a.refresh_from_db()
    assert a.completed_on == timezone.localdate(report.submitted_at)
    assert _state(a, a.completed_on)[0] == "completed"


def test_return_needs_a_reason(a, liaison, office):
    report = submit(a, liaison)
    with pytest.raises(ServiceError, match="退回原因"):
        report_return(report=report, user=office, reason="  ")


def test_submitted_report_cannot_be_changed_by_the_unit(a, liaison):
    submit(a, liaison)
    with pytest.raises(ServiceError, match="不能再修改"):
        submit(a, liaison, text="改一下")


def test_completed_on_the_due_date_and_one_day_after(a):
    due = a.due_date
    Assignment.objects.filter(pk=a.pk).update(completed_on=due)
    assert _state(a, due + datetime.timedelta(days=30))[2] == "green"
    Assignment.objects.filter(pk=a.pk).update(completed_on=due + datetime.timedelta(days=1))
    assert _state(a, due + datetime.timedelta(days=30))[2] == "yellow"
    assert _state(a, due + datetime.timedelta(days=30))[1] == ""


def test_close_out_only_after_completion(a, office):
    with pytest.raises(ServiceError, match="尚未完成"):
        assignment_close_out(assignment=a, user=office)
    Assignment.objects.filter(pk=a.pk).update(completed_on=datetime.date(2024, 12, 1))
    assignment_close_out(assignment=a, user=office)
    a.refresh_from_db()
    assert a.closed_on is not None


def test_extension_approved_moves_due_date_and_keeps_both(a, liaison, office):
    original = a.due_date
    with pytest.raises(ServiceError, match="晚于当前时限"):
        extension_request(assignment=a, requested_due=original, reason="x", user=liaison)
    with pytest.raises(ServiceError, match="不能晚于三年行动结束日"):
        extension_request(assignment=a, requested_due=datetime.date(2027, 6, 30), reason="x", user=liaison)
    ext = extension_request(assignment=a, requested_due=datetime.date(2025, 3, 31), reason="资金未到位", user=liaison)
    with pytest.raises(ServiceError, match="待审批"):
        extension_request(assignment=a, requested_due=datetime.date(2025, 4, 30), reason="再延", user=liaison)
    # Overdue before approval, back in time after it.
    on = datetime.date(2025, 1, 10)
    assert _state(a, on)[1] == "overdue"
    extension_decide(extension=ext, approve=True, note="同意", user=office)
    a.refresh_from_db()
    ext.refresh_from_db()
    assert (ext.previous_due, ext.requested_due, a.due_date) == (original, datetime.date(2025, 3, 31),
                                                                datetime.date(2025, 3, 31))
    assert _state(a, on)[1] == ""
    with pytest.raises(ServiceError, match="不能重复审批"):
        extension_decide(extension=ext, approve=False, note="x", user=office)


def test_milestone_edit_does_not_undo_an_approved_extension(world, a, liaison, office):
    from tasks.services import task_sync_assignments

    ext = extension_request(assignment=a, requested_due=datetime.date(2025, 3, 31), reason="资金", user=liaison)
    extension_decide(extension=ext, approve=True, note="", user=office)
    world.task_a.milestones.update(due_date=datetime.date(2024, 11, 30))
    task_sync_assignments(task=world.task_a)
    a.refresh_from_db()
    assert a.due_date == datetime.date(2025, 3, 31)


def test_rejection_needs_a_note(a, liaison, office):
    ext = extension_request(assignment=a, requested_due=datetime.date(2025, 3, 31), reason="资金", user=liaison)
    with pytest.raises(ServiceError, match="审批意见"):
        extension_decide(extension=ext, approve=False, note="", user=office)


def test_follow_up_only_on_yellow_or_red(world, a, office):
    Assignment.objects.filter(pk=a.pk).update(due_date=timezone.localdate() + datetime.timedelta(days=60))
    # Green needs a report for last month.
    last = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    ProgressReport.objects.create(assignment=a, month=last, state="accepted", progress="x",
                                  first_submitted_at=timezone.now(), submitted_at=timezone.now())
    with pytest.raises(ServiceError, match="黄灯或红灯"):
        follow_up_issue(assignment=a, kind="reminder", content="请加快", user=office)
    Assignment.objects.filter(pk=a.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=1))
    follow_up = follow_up_issue(assignment=a, kind="notice", content="限期整改", number="督〔2025〕1号", user=office)
    assert follow_up.issued_by == office


def test_values_and_attachments_are_saved(world, a, liaison):
    target = QuantifiedTarget.objects.create(task=world.task_a, metric="覆盖率")
    pdf = SimpleUploadedFile("证明.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    report = submit(a, liaison, values={target.pk: Decimal("55")}, files=[pdf])
    assert report.values.get().value == Decimal("55")
    assert report.attachments.get().kind == "pdf"


def test_a_renamed_file_is_refused_by_content(a, liaison):
    fake = SimpleUploadedFile("照片.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    with pytest.raises(Exception, match="不是可接受的文件类型"):
        submit(a, liaison, files=[fake])
    assert ProgressReport.objects.count() == 0


def test_attachment_size_limit(a, liaison, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4 " + b"x" * 20)
    with pytest.raises(Exception, match="超过"):
        submit(a, liaison, files=[big])


def test_expected_by_now_and_attainment(world):
    target = QuantifiedTarget.objects.create(task=world.task_a, metric="演练占比", baseline=Decimal("10"))
    TargetYearValue.objects.create(target=target, year=2024, value=40)
    TargetYearValue.objects.create(target=target, year=2025, value=50)
    values = {2024: Decimal(40), 2025: Decimal(50)}
    assert expected_by(target, values, datetime.date(2024, 6, 15)) == Decimal("25.00")  # 10 + 30 × 6/12
    assert expected_by(target, values, datetime.date(2025, 3, 1)) == Decimal("42.50")  # 40 + 10 × 3/12
    assert expected_by(target, values, datetime.date(2026, 3, 1)) is None
    assert attainment("gte", Decimal(30), Decimal(40)) == Decimal("0.75")
    assert attainment("gte", Decimal(50), Decimal(40)) == 1
    assert attainment("lte", Decimal(5), Decimal(4)) == Decimal("0.8")
    assert attainment("lte", Decimal(3), Decimal(4)) == 1
    assert attainment("eq", Decimal(3), Decimal(4)) == 0


def test_attachments_are_stored_under_a_generated_name_with_the_extension_of_their_content(world, settings):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.errors import ServiceError
    from tasks.services import ReportInput, reports_save

    settings.MEDIA_ROOT = str(__import__("tempfile").mkdtemp())
    settings.ATTACHMENTS_PER_ITEM = 2
    a = world.task_a.assignments.get(unit=world.dept_a)
    pdf = SimpleUploadedFile("说明.html", b"%PDF-1.4\n<html><script>alert(1)</script></html>")
    month = timezone.localdate().replace(day=1)
    reports_save(month=month, entries=[ReportInput(assignment=a, reported_status="in_progress", progress="进展",
                                                   files=[pdf])], user=None, submit=False)
    stored = a.reports.get().attachments.get()
    assert stored.file.name.endswith(".pdf") and "说明" not in stored.file.name and stored.original_name == "说明.html"
    more = [SimpleUploadedFile(f"{n}.pdf", io.BytesIO(b"%PDF-1.4 x").getvalue()) for n in range(2)]
    with pytest.raises(ServiceError) as refused:
        reports_save(month=month, entries=[ReportInput(assignment=a, reported_status="in_progress", progress="进展",
                                                       files=more)], user=None, submit=False)
    assert "每项最多保留 2 个附件" in str(refused.value)
    assert a.reports.get().attachments.count() == 1
