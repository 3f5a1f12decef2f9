"""The report pages: build through the queue, publish, freeze, versions, bulletins and who sees what."""

import datetime
import re

import pytest
from django.urls import reverse
from kombu.exceptions import OperationalError

from reporting import tasks as jobs
from reporting.models import BuildJob, Bulletin, MonthlyReport
from reporting.services import build_report, publish_report
from tasks.models import Assignment

pytestmark = pytest.mark.django_db
JUNE = datetime.date(2024, 6, 1)
SLUG = "test-2024"


def url(name, *args):
    return reverse(name, args=[SLUG, *args])


def test_office_builds_a_month_from_the_page(client, world, users, in_process_jobs,
                                             django_capture_on_commit_callbacks):
    client.force_login(users["office"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("monthly-list"), {"month": "2024-06"})
    job = BuildJob.objects.get()
    assert response.status_code == 302 and response["Location"] == url("monthly-job", job.pk)
    assert job.state == BuildJob.State.DONE and job.progress == 100
    report = MonthlyReport.objects.get(campaign=world.campaign, month=JUNE)
    assert job.report == report and report.built_by == users["office"]
    page = client.get(url("monthly-job", job.pk)).content.decode()
    assert "月报已生成" in page and url("monthly-detail", "2024-06") in page


def test_a_month_outside_the_campaign_or_in_the_future_is_refused_plainly(client, world, users):
    client.force_login(users["office"])
    response = client.post(url("monthly-list"), {"month": "2023-12"})
    assert response.status_code == 200 and "month" in response.context["form"].errors
    response = client.post(url("monthly-rebuild", "2030-01"), follow=True)
    assert "不在" in response.content.decode()
    assert not BuildJob.objects.exists()


def test_broker_down_marks_the_job_failed_with_a_plain_message(
        client, world, users, monkeypatch, django_capture_on_commit_callbacks):
    def unavailable(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(jobs.build_report_job, "delay", unavailable)
    client.force_login(users["office"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("monthly-list"), {"month": "2024-06"})
    job = BuildJob.objects.get()
    assert job.state == BuildJob.State.FAILED and "后台任务服务暂不可用" in job.message
    assert "后台任务服务暂不可用" in client.get(url("monthly-job", job.pk)).content.decode()


def test_leaders_and_liaisons_see_only_published_reports(client, world, users):
    report = build_report(world.campaign, JUNE)
    client.force_login(users["leader"])
    assert client.get(url("monthly-detail", "2024-06")).status_code == 404
    assert "还没有已发布的月报" in client.get(url("scoreboard")).content.decode()
    publish_report(report, users["office"])
    assert client.get(url("monthly-detail", "2024-06")).status_code == 200
    page = client.get(url("scoreboard")).content.decode()
    assert "量化排名 · 2024年6月" in page and world.dept_a.name in page
    client.force_login(users["liaison_a"])
    assert client.get(url("scoreboard")).status_code == 200
    assert client.get(url("monthly-bulletin", "2024-06", "criticism")).status_code == 200
    assert client.get(url("monthly-detail", "2024-06")).status_code == 403
    assert client.get(url("monthly-dispatch-xlsx", "2024-06")).status_code == 403
    assert client.post(url("monthly-publish", "2024-06")).status_code == 403
    assert client.post(url("monthly-rebuild", "2024-06")).status_code == 403


def reviewed(report) -> dict:
    """What the dispatch page's publish form sends: the version and build the office looked at."""
    return {"version": str(report.version), "built_at": report.built_at.isoformat()}


def test_published_report_is_frozen_and_rebuilding_makes_a_new_version(client, world, users):
    first = build_report(world.campaign, JUNE, user=users["office"])
    client.force_login(users["office"])
    client.post(url("monthly-publish", "2024-06"), reviewed(first))
    first.refresh_from_db()
    assert first.is_published and first.published_by == users["office"]
    before = first.scores.get(unit=world.dept_b)
    # dept_b's task 2 was due 2024-06-30; completing it on time later changes live data, not the report.
    Assignment.objects.filter(unit=world.dept_b, due_date=datetime.date(2024, 6, 30)).update(
        completed_on=datetime.date(2024, 6, 20))
    assert first.scores.get(unit=world.dept_b).score == before.score

    second = build_report(world.campaign, JUNE, user=users["office"])
    first.refresh_from_db()
    assert second.version == 2 and second.is_current and not second.is_published
    assert first.is_published and not first.is_current
    assert second.scores.get(unit=world.dept_b).on_time_count == before.on_time_count + 1
    # Building again rebuilds version 2 in place.
    assert build_report(world.campaign, JUNE).pk == second.pk
    assert MonthlyReport.objects.filter(campaign=world.campaign, month=JUNE).count() == 2
    # The office reads the current draft and can open the published version; a leader reads the published one.
    page = client.get(url("monthly-detail", "2024-06")).content.decode()
    assert "第2版" in page and "?version=1" in page
    old = client.get(url("monthly-detail", "2024-06") + "?version=1")
    assert old.context["report"].pk == first.pk
    client.force_login(users["leader"])
    assert client.get(url("monthly-detail", "2024-06")).context["report"].pk == first.pk


def test_office_edits_a_bulletin_until_the_report_is_published(client, world, users):
    report = build_report(world.campaign, JUNE)
    bulletin = report.bulletins.get(kind="praise")
    client.force_login(users["office"])
    page = client.get(url("monthly-bulletin", "2024-06", "praise")).content.decode()
    assert bulletin.title in page and "修改通报" in page
    version = re.search(r'name="version" value="([^"]*)"', page).group(1)
    data = {"issuer": bulletin.issuer, "number": "安委办〔2024〕7号", "title": "关于表扬的通报",
            "addressee": bulletin.addressee, "body": "第一段。\n\n第二段。", "issued_on": "2024-07-05",
            "version": version}
    response = client.post(url("monthly-bulletin", "2024-06", "praise"), data)
    assert response.status_code == 302
    bulletin.refresh_from_db()
    assert bulletin.number == "安委办〔2024〕7号" and bulletin.paragraphs() == ["第一段。", "第二段。"]
    assert bulletin.updated_by == users["office"]
    # The form opened before that save is stale now: refused, what was typed kept.
    response = client.post(url("monthly-bulletin", "2024-06", "praise"), {**data, "title": "另一位同事的标题"})
    page = response.content.decode()
    assert response.status_code == 200 and "已被他人修改" in page and "另一位同事的标题" in page
    assert Bulletin.objects.get(pk=bulletin.pk).title == "关于表扬的通报"
    data["version"] = re.search(r'name="version" value="([^"]*)"', page).group(1)
    # A blank title keeps everything typed and says what is wrong.
    response = client.post(url("monthly-bulletin", "2024-06", "praise"), {**data, "title": "", "body": "新正文"})
    assert response.status_code == 200 and "新正文" in response.content.decode()
    publish_report(report, users["office"])
    response = client.post(url("monthly-bulletin", "2024-06", "praise"), {**data, "title": "再改"}, follow=True)
    assert "不能再修改" in response.content.decode()
    assert Bulletin.objects.get(pk=bulletin.pk).title == "关于表扬的通报"
    client.force_login(users["leader"])
    assert client.post(url("monthly-bulletin", "2024-06", "praise"), data).status_code == 403


def test_downloads(client, world, users):
    publish_report(build_report(world.campaign, JUNE))
    client.force_login(users["leader"])
    for name, args, kind in [("monthly-ranking-xlsx", ["2024-06"], "spreadsheetml"),
                             ("monthly-dispatch-xlsx", ["2024-06"], "spreadsheetml"),
                             ("monthly-bulletin-docx", ["2024-06", "criticism"], "wordprocessingml")]:
        response = client.get(url(name, *args))
        assert response.status_code == 200 and kind in response["Content-Type"]
        assert "attachment" in response["Content-Disposition"]


def test_scoreboard_and_dispatch_queries_do_not_grow_with_months(client, world, users, django_assert_max_num_queries):
    client.force_login(users["leader"])
    publish_report(build_report(world.campaign, JUNE))
    with django_assert_max_num_queries(20) as few:
        client.get(url("scoreboard"))
    for month in range(1, 6):
        publish_report(build_report(world.campaign, datetime.date(2024, month, 1)))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url("scoreboard"))
    with django_assert_max_num_queries(20):
        client.get(url("monthly-detail", "2024-06"))


def test_beat_job_builds_last_month_once(world, settings, monkeypatch, in_process_jobs,
                                        django_capture_on_commit_callbacks):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: datetime.date(2024, 7, 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.build_previous_month_reports() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.build_previous_month_reports() == 0
    assert MonthlyReport.objects.get(campaign=world.campaign).month == JUNE
    entry = settings.CELERY_BEAT_SCHEDULE["monthly-reports"]
    assert entry["task"] == "reporting.tasks.build_previous_month_reports" and entry["options"]["expires"] > 0


def test_publish_names_the_build_it_reviewed(client, world, users):
    report = build_report(world.campaign, JUNE, user=users["office"])
    client.force_login(users["office"])
    page = client.get(url("monthly-detail", "2024-06")).content.decode()
    assert f'name="built_at" value="{report.built_at.isoformat()}"' in page
    # A colleague rebuilds after this page was read: publishing the old figures is refused.
    seen = reviewed(report)
    build_report(world.campaign, JUNE, user=users["office"])
    response = client.post(url("monthly-publish", "2024-06"), seen, follow=True)
    assert "重新生成" in response.content.decode()
    assert not MonthlyReport.objects.get(pk=report.pk).is_published
    # Without the reviewed version nothing is published either.
    response = client.post(url("monthly-publish", "2024-06"), follow=True)
    assert "缺少所查看的版本" in response.content.decode()
    report.refresh_from_db()
    assert client.post(url("monthly-publish", "2024-06"), reviewed(report)).status_code == 302
    report.refresh_from_db()
    assert report.is_published


def test_odd_version_numbers_answer_404_not_500(client, world, users):
    build_report(world.campaign, JUNE, user=users["office"])
    client.force_login(users["office"])
    for odd in ("²", "٣", "1e3", "-1", "99999999999999999999"):
        assert client.get(url("monthly-detail", "2024-06") + f"?version={odd}").status_code in (200, 404), odd
