import datetime
import os
import shutil
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import time_machine

from campaign.choices import PlanKind, Role, UnitKind
from campaign.models import Campaign, Plan, Unit
from tasks.models import Task

from .factories import ActionLineFactory, CampaignFactory, PlanFactory, UnitFactory, make_task, make_user


@dataclass
class World:
    """A small county: the office, two departments, a township, a master plan and a sub-plan each."""

    campaign: Campaign
    office: Unit
    dept_a: Unit
    dept_b: Unit
    township: Unit
    master: Plan
    plan_a: Plan
    plan_b: Plan
    task_a: Task  # master plan, led by dept_a
    task_b: Task  # master plan, led by dept_b
    sub_task_a: Task
    sub_task_b: Task


@pytest.fixture
def world(request) -> World:
    # Works under both `db` and `transactional_db` (the worker tests need committed rows).
    if "transactional_db" not in request.fixturenames and "live_server" not in request.fixturenames:
        request.getfixturevalue("db")
    with entered_on(ENTERED):
        return _build_world()


# The day the test worlds were entered: before the campaign's first month ended, so every past month counts them
# (a month is counted as it stood at its end, from the history tables: DESIGN §5).
ENTERED = datetime.date(2024, 1, 2)


def entered_on(day: datetime.date):
    """Make what is created inside the block dated ``day`` (its history records and creation times), as if it had
    been entered then."""
    moment = datetime.datetime(day.year, day.month, day.day, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    return time_machine.travel(moment, tick=True)


def _build_world() -> World:
    office = UnitFactory(code="office", name="某县安委会办公室", kind=UnitKind.OFFICE)
    dept_a = UnitFactory(code="dept-a", name="县住房和城乡建设局", short_name="县住建局", parent=office)
    dept_b = UnitFactory(code="dept-b", name="县应急管理局", short_name="县应急局", parent=office)
    township = UnitFactory(code="town", name="某某镇", kind=UnitKind.TOWNSHIP, parent=office)
    campaign = CampaignFactory(slug="test-2024", office=office)
    master = PlanFactory(campaign=campaign, unit=office, kind=PlanKind.MASTER, title="总方案")
    plan_a = PlanFactory(campaign=campaign, unit=dept_a, kind=PlanKind.SUB, title="住建局子方案")
    plan_b = PlanFactory(campaign=campaign, unit=dept_b, kind=PlanKind.SUB, title="应急局子方案")
    line = ActionLineFactory(plan=master, number=1, title="开展测试行动")
    task_a = make_task(master, 1, lead=[dept_a], coop=[township], action_line=line)
    dues = [datetime.date(2024, 6, 30), datetime.date(2025, 12, 31)]
    task_b = make_task(master, 2, lead=[dept_b], action_line=line, due=dues)
    sub_task_a = make_task(plan_a, 1, lead=[dept_a])
    sub_task_b = make_task(plan_b, 1, lead=[dept_b])
    return World(
        campaign, office, dept_a, dept_b, township, master, plan_a, plan_b, task_a, task_b, sub_task_a, sub_task_b
    )


@pytest.fixture
def users(world):
    return {
        "office": make_user("office", Role.OFFICE, world.office),
        "leader": make_user("leader", Role.LEADER, world.office),
        "liaison_a": make_user("liaison_a", Role.LIAISON, world.dept_a),
        "liaison_b": make_user("liaison_b", Role.LIAISON, world.dept_b),
        "liaison_town": make_user("liaison_town", Role.LIAISON, world.township),
        "norole": make_user("norole"),
    }


# Every test runs on a known day, whatever the machine's clock says (the suite must pass on any date, and under
# faketime): mid-November 2026, the campaign's last month but one, before the 25th's reporting deadline, so the
# month in progress has drafts and submissions. A test that needs another day says so with
# ``@pytest.mark.today("YYYY-MM-DD")``. The clock ticks on from there (timeouts and session ages still work). A test
# whose sessions are checked by a server it starts in another process (gunicorn, with the machine's clock) is marked
# ``real_clock``: the two processes must agree on the time; such a test must not depend on the date.
PINNED_TODAY = datetime.date(2026, 11, 18)


@pytest.fixture(autouse=True)
def pinned_clock(request):
    if request.node.get_closest_marker("real_clock"):
        yield None
        return
    marker = request.node.get_closest_marker("today")
    day = datetime.date.fromisoformat(marker.args[0]) if marker else PINNED_TODAY
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(10), ZoneInfo("Asia/Shanghai")), tick=True):
        yield day


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing costs ~0.3 s per user; tests that log in create several.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_page_cache():
    # Pages cache what they computed under marks of the tables behind them (campaign/pagecache.py); a test
    # database rolled back to the same ids must not find the previous test's pages.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def in_process_jobs():
    """Run Celery jobs in-process even when CI configures a broker (no worker runs beside these tests)."""
    from config.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("chromium is not installed (apt-get install chromium); browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture
def login(browser, live_server):
    """Open a fresh browser context logged in as ``username``."""
    contexts = []

    def _login(username, password="pw-123456-test", viewport=None):
        context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900}, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        # Forms that ask first (data-confirm: publishing, rebuilding) are confirmed, as the user would; the
        # messages are kept for tests that check them.
        page.confirmations = []
        page.on("dialog", lambda dialog: (page.confirmations.append(dialog.message), dialog.accept()))
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        return page

    yield _login
    for context in contexts:
        context.close()
