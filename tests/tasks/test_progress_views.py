"""The monthly routine through the pages: liaison entry, office review, extensions, follow-ups, home pages."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tasks.models import Assignment, Attachment, ExtensionRequest, FollowUp, ProgressReport
from tasks.selectors import month_start

from ..factories import make_task

pytestmark = pytest.mark.django_db


def url(world, name, *args, query=""):
    return reverse(name, args=[world.campaign.slug, *args]) + query


def open_assignments(world, unit):
    return list(Assignment.objects.filter(unit=unit, completed_on__isnull=True).order_by("pk"))


def entry_payload(assignments, action="submit", **per_row):
    data = {"action": action}
    for a in assignments:
        p = f"a{a.pk}"
        data.update({f"{p}-reported_status": "in_progress", f"{p}-progress": f"任务{a.task.code}本月进展",
                     f"{p}-problems": "", f"{p}-next_steps": "继续推进"})
    data.update(per_row)
    return data


def test_liaison_fills_and_submits_all_rows_on_one_page(client, world, users):
    client.force_login(users["liaison_a"])
    page = client.get(url(world, "monthly-entry"))
    assert page.status_code == 200
    rows = open_assignments(world, world.dept_a)
    assert len(rows) == 2  # task_a and sub_task_a
    for a in rows:
        assert f'id="row-{a.pk}"' in page.content.decode()
    response = client.post(url(world, "monthly-entry"), entry_payload(rows))
    assert response.status_code == 302
    reports = ProgressReport.objects.filter(month=month_start(timezone.localdate()))
    assert reports.count() == 2 and set(reports.values_list("state", flat=True)) == {"submitted"}
    assert set(reports.values_list("submitted_by__username", flat=True)) == {"liaison_a"}


def test_draft_keeps_text_and_a_bad_row_loses_nothing(client, world, users):
    client.force_login(users["liaison_a"])
    rows = open_assignments(world, world.dept_a)
    client.post(url(world, "monthly-entry"), entry_payload(rows, action="draft"))
    assert set(ProgressReport.objects.values_list("state", flat=True)) == {"draft"}
    fake = SimpleUploadedFile("scan.pdf", b"not a pdf at all")
    data = entry_payload(rows)
    data[f"a{rows[0].pk}-progress"] = "改过的进展"
    data[f"a{rows[0].pk}-files"] = fake
    response = client.post(url(world, "monthly-entry"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "不是可接受的文件类型" in page
    assert "改过的进展" in page  # what was typed is still there
    assert set(ProgressReport.objects.values_list("state", flat=True)) == {"draft"}


def test_entry_page_query_count_is_constant(client, world, users):
    client.force_login(users["liaison_a"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(world, "monthly-entry")).status_code == 200
        return len(ctx.captured_queries)

    ProgressReport.objects.create(assignment=open_assignments(world, world.dept_a)[0],
                                  month=month_start(timezone.localdate()), progress="草稿")
    small = count()
    for n in range(10, 30):
        task = make_task(world.master, n, lead=[world.dept_a], due=[datetime.date(2026, 6, 30)])
        ProgressReport.objects.create(assignment=task.assignments.get(), month=month_start(timezone.localdate()),
                                      progress="草稿")
    assert count() == small


def test_liaison_cannot_fill_for_another_unit(client, world, users):
    client.force_login(users["liaison_a"])
    other = world.task_b.assignments.first()
    data = entry_payload([other])
    client.post(url(world, "monthly-entry"), data)
    assert not ProgressReport.objects.filter(assignment=other).exists()


def test_leader_cannot_fill(client, world, users):
    client.force_login(users["leader"])
    assert client.get(url(world, "monthly-entry")).status_code == 403


def test_office_reviews_many_at_once(client, world, users):
    client.force_login(users["liaison_a"])
    rows = open_assignments(world, world.dept_a)
    client.post(url(world, "monthly-entry"), entry_payload(rows))
    first, second = ProgressReport.objects.order_by("pk")
    client.force_login(users["office"])
    assert client.get(url(world, "review-queue")).status_code == 200
    response = client.post(url(world, "review-queue"), {"action": "return", "report": [first.pk], "reason": ""})
    assert "退回时请填写退回原因" in response.content.decode()
    client.post(url(world, "review-queue"), {"action": "return", "report": [first.pk], "reason": "请补充数据"})
    client.post(url(world, "review-queue"), {"action": "accept", "report": [second.pk]})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, first.return_reason, second.state) == ("returned", "请补充数据", "accepted")
    # The liaison sees the returned one on its home page with the reason.
    client.force_login(users["liaison_a"])
    home = client.get(url(world, "campaign-detail")).content.decode()
    assert "请补充数据" in home


@pytest.mark.parametrize("name", ["review-queue", "extension-queue"])
def test_liaison_cannot_review(client, world, users, name):
    client.force_login(users["liaison_a"])
    assert client.get(url(world, name)).status_code == 403
    assert client.post(url(world, name), {"action": "accept"}).status_code == 403


def test_report_detail_accept(client, world, users):
    a = world.task_a.assignments.get(unit=world.dept_a)
    report = ProgressReport.objects.create(
        assignment=a, month=datetime.date(2024, 12, 1), state="submitted", reported_status="completed",
        progress="完成", first_submitted_at=timezone.now(), submitted_at=timezone.now(),
    )
    client.force_login(users["liaison_b"])
    assert client.get(url(world, "report-detail", report.pk)).status_code == 404
    client.force_login(users["liaison_a"])
    assert client.post(url(world, "report-detail", report.pk), {"action": "accept"}).status_code == 403
    client.force_login(users["office"])
    client.post(url(world, "report-detail", report.pk), {"action": "accept"})
    a.refresh_from_db()
    assert a.completed_on == timezone.localdate()
    client.post(url(world, "assignment-close", a.pk))
    a.refresh_from_db()
    assert a.closed_on is not None


def test_liaison_asks_for_an_extension_and_office_decides(client, world, users):
    a = world.task_a.assignments.get(unit=world.dept_a)
    client.force_login(users["liaison_a"])
    client.post(url(world, "extension-request", a.pk), {"requested_due": "2025-06-30", "reason": "资金未到位"})
    ext = ExtensionRequest.objects.get()
    assert ext.state == "pending"
    client.force_login(users["liaison_b"])
    assert client.post(url(world, "extension-request", a.pk),
                       {"requested_due": "2025-07-30", "reason": "x"}).status_code == 404
    client.force_login(users["office"])
    assert "资金未到位" in client.get(url(world, "extension-queue")).content.decode()
    client.post(url(world, "extension-decide", ext.pk), {"action": "approve", "note": "同意"})
    a.refresh_from_db()
    assert a.due_date == datetime.date(2025, 6, 30)
    page = client.get(url(world, "assignment-detail", a.pk)).content.decode()
    assert "2024-12-31" in page and "2025-06-30" in page  # both dates shown


def test_office_issues_follow_ups_and_prints_the_notice(client, world, users):
    a = world.task_a.assignments.get(unit=world.dept_a)  # due 2024-12-31: red today
    client.force_login(users["office"])
    client.post(url(world, "follow-up-create", a.pk),
                {"kind": "notice", "number": "督〔2025〕1号", "content": "限期完成", "respond_by": ""})
    client.post(url(world, "follow-up-create", a.pk), {"kind": "reminder", "content": "请加快"})
    notice = FollowUp.objects.get(kind="notice")
    assert FollowUp.objects.count() == 2
    page = client.get(url(world, "follow-up-print", notice.pk)).content.decode()
    assert "督〔2025〕1号" in page and world.dept_a.name in page
    home = client.get(url(world, "campaign-detail")).content.decode()
    assert "本月督办" in home


def test_home_pages_per_role(client, world, users):
    client.force_login(users["liaison_a"])
    page = client.get(url(world, "campaign-detail")).content.decode()
    assert "本月未填报" in page and "逾期事项" in page and "临期事项" in page
    client.force_login(users["office"])
    page = client.get(url(world, "campaign-detail")).content.decode()
    assert "待审核填报" in page and world.dept_a.name in page and "本月未填报" in page
    client.force_login(users["leader"])
    page = client.get(url(world, "campaign-detail")).content.decode()
    assert "逾期未完成" in page and "已报送进展" in page


def test_attachments_are_served_only_to_those_who_may_see_them(client, world, users, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(users["liaison_a"])
    rows = open_assignments(world, world.dept_a)[:1]
    png = SimpleUploadedFile("现场.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20)
    data = entry_payload(rows, action="draft", **{f"a{rows[0].pk}-files": png})
    response = client.post(url(world, "monthly-entry"), data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    attachment = Attachment.objects.get()
    assert client.get(url(world, "attachment-download", attachment.pk)).status_code == 200
    client.force_login(users["leader"])
    assert client.get(url(world, "attachment-download", attachment.pk)).status_code == 200
    client.force_login(users["liaison_b"])
    assert client.get(url(world, "attachment-download", attachment.pk)).status_code == 404


def test_task_page_shows_report_and_extension_history(client, world, users):
    client.force_login(users["liaison_a"])
    rows = open_assignments(world, world.dept_a)
    client.post(url(world, "monthly-entry"), entry_payload(rows))
    a = world.task_a.assignments.get(unit=world.dept_a)
    client.post(url(world, "extension-request", a.pk), {"requested_due": "2025-06-30", "reason": "资金未到位"})
    client.force_login(users["office"])
    page = client.get(url(world, "task-detail", world.task_a.pk)).content.decode()
    history = page[page.index("变更记录"):]
    assert "填报" in history and "延期申请" in history and "liaison_a" in history


def test_workbook_cells_are_text(client, world, users):
    a = world.task_a.assignments.get(unit=world.dept_a)
    ProgressReport.objects.create(assignment=a, month=datetime.date(2024, 11, 1), state="accepted",
                                  progress="=HYPERLINK(\"http://x\")", first_submitted_at=timezone.now(),
                                  submitted_at=timezone.now())
    client.force_login(users["office"])
    response = client.get(url(world, "list-tasks", query="?export=xlsx"))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [c for row in book.active.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)


@pytest.mark.parametrize("name", ["review-queue", "extension-queue"])
def test_office_queues_query_count_is_constant(client, world, users, name):
    client.force_login(users["office"])
    now = timezone.now()

    def grow(start, count):
        for n in range(start, start + count):
            task = make_task(world.master, n, lead=[world.dept_a], due=[datetime.date(2026, 6, 30)])
            a = task.assignments.get()
            ProgressReport.objects.create(assignment=a, month=datetime.date(2026, 1, 1), state="submitted",
                                          progress="p", first_submitted_at=now, submitted_at=now)
            ExtensionRequest.objects.create(assignment=a, previous_due=a.due_date,
                                            requested_due=datetime.date(2026, 9, 30), reason="r")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(world, name)).status_code == 200
        return len(ctx.captured_queries)

    grow(100, 2)
    small = count()
    grow(200, 20)
    assert count() == small


def test_assignment_page_query_count_is_constant(client, world, users):
    client.force_login(users["office"])
    a = world.task_a.assignments.get(unit=world.dept_a)
    now = timezone.now()

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(world, "assignment-detail", a.pk)).status_code == 200
        return len(ctx.captured_queries)

    ProgressReport.objects.create(assignment=a, month=datetime.date(2024, 1, 1), state="accepted", progress="p",
                                  first_submitted_at=now, submitted_at=now)
    FollowUp.objects.create(assignment=a, kind="reminder", content="c")
    small = count()
    for month in range(2, 12):
        ProgressReport.objects.create(assignment=a, month=datetime.date(2024, month, 1), state="accepted",
                                      progress="p", first_submitted_at=now, submitted_at=now)
        FollowUp.objects.create(assignment=a, kind="reminder", content="c")
    assert count() == small


@pytest.mark.parametrize("target", ["https://evil.example/phish", "//evil.example/x", "javascript:alert(1)"])
def test_deciding_an_extension_never_redirects_off_the_site(client, world, users, target):
    a = world.task_a.assignments.get(unit=world.dept_a)
    client.force_login(users["liaison_a"])
    client.post(url(world, "extension-request", a.pk), {"requested_due": "2025-06-30", "reason": "资金未到位"})
    client.force_login(users["office"])
    ext = ExtensionRequest.objects.get()
    response = client.post(url(world, "extension-decide", ext.pk), {"action": "reject", "note": "不同意",
                                                                   "next": target})
    assert response["Location"] == url(world, "extension-queue")
    assert client.post(url(world, "extension-decide", ext.pk),
                       {"action": "reject", "note": "x", "next": "/c/x/"})["Location"] == "/c/x/"
