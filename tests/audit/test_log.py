"""The operations log (操作日志): changes with old → new, logins, failed logins, denied requests; office only."""

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent, EventKind
from audit.selectors import LogFilters, log_page
from core.db import history_user
from hazards.models import MajorHazard
from tasks.models import Assignment, Task

from ..conftest import ENTERED

pytestmark = pytest.mark.django_db
DENIED_MIDDLEWARE = "audit.middleware.DeniedRequestMiddleware"
URL = "/audit/"


@pytest.fixture
def with_denied_middleware(settings):
    """Where the middleware will sit in config/settings.py: after authentication, before django-axes."""
    middleware = list(settings.MIDDLEWARE)
    if DENIED_MIDDLEWARE not in middleware:
        at = middleware.index("axes.middleware.AxesMiddleware") if "axes.middleware.AxesMiddleware" in middleware \
            else len(middleware)
        middleware.insert(at, DENIED_MIDDLEWARE)
    settings.MIDDLEWARE = middleware


def page_text(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def test_url_name():
    assert reverse("audit-log") == URL


def test_only_the_office_may_read_it(client, users):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    for name in ("leader", "liaison_a", "norole"):
        client.force_login(users[name])
        assert client.get(URL).status_code == 403, name
        assert client.get(reverse("audit-log-export")).status_code == 403, name
    client.force_login(users["office"])
    assert client.get(URL).status_code == 200


def test_a_change_shows_who_when_what_and_old_to_new(client, world, users):
    client.force_login(users["office"])
    task = world.task_a
    with history_user(users["liaison_a"]):
        task.text = "修订后的任务内容。"
        task.save()
        task.cooperating_units.set([])
    users["liaison_a"].first_name = "张三"
    users["liaison_a"].save()
    page = page_text(client)
    row = page[page.index("修订后的任务内容"):]
    assert "修改" in page and "具体任务" in page
    assert "第1项任务的内容。" in page and "修订后的任务内容。" in page  # old → new
    assert "张三" in page and "县住建局" in page  # who, and the unit they belong to
    # The unit set kept with the task's history: 某某镇 was taken off the cooperating units.
    assert "配合单位" in row and "某某镇" in row


def test_foreign_keys_and_choices_are_shown_by_name(world, users):
    assignment = Assignment.objects.get(task=world.task_a, unit=world.dept_a)
    with history_user(users["office"]):
        assignment.unit = world.dept_b
        assignment.role = "coop"
        assignment.save()
    entry = log_page(LogFilters(model="tasks.assignment"), size=1).entries[0]
    assert entry.action == "修改" and entry.who == "office"
    changes = {name: (old, new) for name, old, new in entry.changes}
    assert changes["责任单位"] == ("县住房和城乡建设局", "县应急管理局")
    assert changes["责任类别"] == ("牵头", "配合")


def test_creations_and_deletions_are_listed(client, world, users):
    client.force_login(users["office"])
    with history_user(users["office"]):
        task = Task.objects.create(plan=world.master, code="77", position=77, text="临时任务。")
        task.delete()
    entries = log_page(LogFilters(model="tasks.task"), size=2).entries
    assert [e.action for e in entries] == ["删除", "新建"]
    assert all(e.object.startswith("77.") and e.who == "office" for e in entries)


def test_logins_failed_logins_and_logouts_are_recorded(client, users):
    login = reverse("login")
    client.post(login, {"username": "liaison_a", "password": "wrong-password"},
                HTTP_USER_AGENT="Mozilla/5.0 " + "x" * 500, REMOTE_ADDR="10.1.2.3")
    client.post(login, {"username": "liaison_a", "password": "pw-123456-test"}, REMOTE_ADDR="10.1.2.4")
    client.post(reverse("logout"))
    failed, ok, out = AuditEvent.objects.order_by("at", "id")
    assert (failed.kind, failed.username, failed.user, failed.ip) == (
        EventKind.LOGIN_FAILED, "liaison_a", None, "10.1.2.3")
    assert len(failed.user_agent) == 200 and failed.user_agent.startswith("Mozilla/5.0")
    assert (ok.kind, ok.user, ok.ip) == (EventKind.LOGIN, users["liaison_a"], "10.1.2.4")
    assert (out.kind, out.user) == (EventKind.LOGOUT, users["liaison_a"])
    client.force_login(users["office"])
    page = page_text(client, kind="login")
    assert "登录失败" in page and "10.1.2.3" in page and "退出登录" in page
    assert "第1项任务的内容" not in page  # the kind filter keeps changes out


def test_denied_requests_are_recorded(client, world, users, with_denied_middleware):
    client.force_login(users["liaison_a"])
    assert client.get(URL).status_code == 403
    other_plan = reverse("plan-tree", args=[world.campaign.slug, world.dept_b.code])
    assert client.get(other_plan).status_code == 404  # another unit's plan: the policy answers 404
    client.logout()
    assert client.get("/c/no-such-campaign/").status_code in (302, 404)  # anonymous: not recorded
    denied = list(AuditEvent.objects.filter(kind=EventKind.DENIED).order_by("at", "id"))
    assert [(e.path, e.status, e.user) for e in denied] == [
        (URL, 403, users["liaison_a"]), (other_plan, 404, users["liaison_a"])]
    client.force_login(users["office"])
    page = page_text(client, kind="denied")
    assert "拒绝访问" in page and other_plan in page and "状态码 403" in page and "liaison_a" in page


def test_filters_by_user_model_and_date(client, world, users):
    with history_user(users["liaison_b"]):
        world.task_b.text = "乙改的内容。"
        world.task_b.save()
    with history_user(users["office"]):
        world.task_a.text = "安办改的内容。"
        world.task_a.save()
    AuditEvent.objects.create(kind=EventKind.LOGIN_FAILED, username="liaison_b")
    AuditEvent.objects.create(kind=EventKind.LOGIN, user=users["office"], username="office")

    mine = log_page(LogFilters(username="liaison_b")).entries
    assert {e.action for e in mine} == {"修改", "登录失败"} and all(e.username == "liaison_b" for e in mine)
    assert log_page(LogFilters(username="nobody")).entries == []
    AuditEvent.objects.create(kind=EventKind.LOGIN_FAILED, username="nobody")  # a name no account has
    assert [e.action for e in log_page(LogFilters(username="nobody")).entries] == ["登录失败"]

    hazards_only = log_page(LogFilters(model="hazards.majorhazard")).entries
    assert hazards_only == [] and not MajorHazard.history.exists()
    tasks_only = log_page(LogFilters(model="tasks.task")).entries
    assert tasks_only and {e.subject for e in tasks_only} == {"具体任务"}

    today = timezone.localdate()
    assert log_page(LogFilters(since=today, until=today)).entries
    # Before today: only the world's creation, entered on the campaign's second day (tests/conftest.py).
    earlier = log_page(LogFilters(until=today - datetime.timedelta(days=1))).entries
    assert earlier and "新建" in {e.action for e in earlier}
    assert all(timezone.localtime(e.at).date() == ENTERED for e in earlier)
    assert log_page(LogFilters(since=today + datetime.timedelta(days=1))).entries == []

    client.force_login(users["office"])
    page = page_text(client, user="liaison_b", since=str(today), until=str(today), kind="change")
    assert "乙改的内容" in page and "安办改的内容" not in page and "登录失败" not in page
    bad = page_text(client, since=str(today), until=str(today - datetime.timedelta(days=3)))
    assert "截止日期不能早于起始日期" in bad


def grow(world, users, rounds: int) -> None:
    """Per round: a task change by a liaison, an assignment change by the office, a failed login, a denied request.
    The page's newest rows then have the same mix at every size."""
    task, assignment = world.task_a, Assignment.objects.filter(task=world.task_a).first()
    events = []
    for n in range(rounds):
        with history_user(users["liaison_a"]):
            task.text = f"第{n}次修改。"
            task.save()
        with history_user(users["office"]):
            assignment.due_date = datetime.date(2025, 1, 1) + datetime.timedelta(days=n)
            assignment.save()
        events += [AuditEvent(kind=EventKind.LOGIN_FAILED, username=f"guess{n}", ip="10.0.0.1"),
                   AuditEvent(kind=EventKind.DENIED, user=users["liaison_b"], path=f"/c/x/{n}/", status=404)]
    AuditEvent.objects.bulk_create(events)


def queries_for_page(client, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL, params).status_code == 200
    return len(ctx.captured_queries)


def test_a_page_costs_the_same_number_of_queries_whatever_the_size(client, world, users, django_assert_num_queries):
    client.force_login(users["office"])
    grow(world, users, 40)  # 160 entries: the first two pages hold the same mix as they will at 1,000
    client.get(URL)  # the session's first request stores its start time; measure the ones after it
    small = queries_for_page(client)
    small_second = queries_for_page(client, page=2)
    small_filtered = queries_for_page(client, user="liaison_a", kind="change")
    assert small <= 20  # one merged query, one per source on the page, one per kind of related row, the layout's
    grow(world, users, 250)
    with django_assert_num_queries(small):
        client.get(URL)
    with django_assert_num_queries(small_second):
        client.get(URL, {"page": 2})
    with django_assert_num_queries(small_filtered):
        client.get(URL, {"user": "liaison_a", "kind": "change"})
    # And the selector alone: the same count at two sizes, and a page never loads more than it shows.
    with CaptureQueriesContext(connection) as ctx:
        page = log_page(LogFilters(), number=3, size=50)
    assert len(page.entries) == 50 and page.has_next and len(ctx.captured_queries) <= 10


def test_pages_follow_each_other_without_gaps_or_repeats(world, users):
    grow(world, users, 30)  # 120 entries besides the world's own history
    seen, number = [], 1
    while True:
        page = log_page(LogFilters(kind="login"), number=number, size=7)
        seen += [(e.at, e.who) for e in page.entries]
        if not page.has_next:
            break
        number += 1
    assert len(seen) == 30 and len(set(seen)) == 30
    assert seen == sorted(seen, key=lambda s: s[0], reverse=True)


def test_export_is_the_filtered_log_as_xlsx(client, world, users):
    with history_user(users["office"]):
        world.task_a.text = "=HYPERLINK(\"http://evil\")"
        world.task_a.save()
    AuditEvent.objects.create(kind=EventKind.LOGIN_FAILED, username="liaison_a", ip="10.9.9.9")
    client.force_login(users["office"])
    response = client.get(reverse("audit-log-export"), {"kind": "change", "model": "tasks.task"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:2] == ("时间", "操作人")
    assert rows[2][4] == "修改" and rows[2][5] == "具体任务"
    assert "=HYPERLINK" in rows[2][7] and sheet.cell(3, 8).data_type == "s"  # text, not a formula
    assert all(row[4] != "登录失败" for row in rows[2:])


def test_paging_stops_at_the_limit_and_says_how_to_see_older_entries(client, world, users, monkeypatch):
    monkeypatch.setattr("audit.selectors.MAX_PAGES", 2)
    grow(world, users, 30)  # 120 entries, more than two pages of 50
    last = log_page(LogFilters(kind="login"), number=5, size=3)
    assert last.number == 2 and not last.has_next and last.beyond_last_page
    client.force_login(users["office"])
    page = client.get(URL, {"page": "9"}).content.decode()
    assert "更早的记录请缩小日期范围查看" in page and "下一页" not in page
    assert client.get(URL, {"page": "abc"}).status_code == 200


def test_building_and_publishing_a_month_are_in_the_log(client, world, users):
    import datetime

    from reporting.services import build_report, publish_report

    report = build_report(world.campaign, datetime.date(2024, 6, 1), user=users["office"])
    publish_report(report, users["office"], reviewed_build=report.built_at)
    entries = log_page(LogFilters(model="reporting.monthlyreport")).entries
    assert [e.action for e in entries] == ["修改", "新建"] and all(e.who == "office" for e in entries)
    assert any(label == "状态" and new == "已发布" for label, old, new in entries[0].changes)


def test_every_tracked_model_says_whose_jurisdiction_its_records_are_in():
    from audit.selectors import SCOPES, sources

    assert {source.key for source in sources()} <= set(SCOPES)


def test_an_office_reads_only_its_own_jurisdictions_log(client, world, users):
    from campaign.choices import Role, UnitKind

    from ..factories import UnitFactory, make_user

    with history_user(users["liaison_b"]):
        world.task_b.text = "乙改的内容。"
        world.task_b.save()
    AuditEvent.objects.create(kind=EventKind.LOGIN, user=users["liaison_b"], username="liaison_b")
    county2 = UnitFactory(code="county2", name="邻县安委会办公室", kind=UnitKind.OFFICE)
    foreign = make_user("foreign", Role.OFFICE, county2)

    client.force_login(users["office"])
    own = client.get(reverse("audit-log")).content.decode()
    assert "乙改的内容" in own and "liaison_b" in own
    client.force_login(foreign)
    other = client.get(reverse("audit-log")).content.decode()
    assert "乙改的内容" not in other and "liaison_b" not in other
    # Nothing of the world's campaign, units or accounts is in the other county's log: only its own unit, account and
    # logins.
    theirs = log_page(LogFilters(jurisdiction=(county2.pk,))).entries
    assert theirs and all(e.username in ("", "foreign") for e in theirs)
    assert {e.subject for e in theirs} <= {"", "单位", "用户角色"}, {e.subject for e in theirs}
    assert log_page(LogFilters(jurisdiction=(world.office.pk, world.dept_b.pk))).entries
