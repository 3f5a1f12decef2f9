"""Issue 8's load check, short: ``manage.py load_check`` under wrk with its own Redis stopped part way.

In about half a minute, the command starts gunicorn with the production settings against the test database
(PostgreSQL: another process cannot open SQLite's in-memory one) and a Redis of its own as broker and cache,
loads the demo, and reports the answers from gunicorn's access log. A 5xx anywhere (for example a cache that
raises while Redis is down) fails it. Needs wrk and redis-server; skipped, saying why, without them.
"""

import io
import json
import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.real_clock]


def test_load_check_gives_no_5xx_while_redis_stops_and_restarts(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("gunicorn's workers need the PostgreSQL test database")
    for tool in ("wrk", "redis-server"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} is not installed (apt-get install {tool}); load check skipped")

    out, err = io.StringIO(), io.StringIO()
    failure = None
    try:
        call_command("load_check", seconds=6, connections=8, stop_at=2, restart_at=4, broker_check_interval=1,
                     sessions=2, verbosity=2, stdout=out, stderr=err)
    except CommandError as error:
        failure = error
    figures = {line["name"]: line for line in map(json.loads, out.getvalue().splitlines())}
    report = f"{out.getvalue()}{err.getvalue()}{failure or ''}"
    assert "load_5xx" in figures, report  # the load ran

    assert figures["load_5xx"]["value"] == 0, report
    assert figures["load_5xx_during_outage"]["value"] == 0, report
    assert figures["load_non2xx"]["value"] == 0, report
    assert figures["load_answers_before_outage"]["value"] > 0, report
    assert figures["load_answers_during_outage"]["value"] > 0, report  # the outage really was under load
    assert figures["load_answers_after_outage"]["value"] > 0, report
    assert figures["outage_banner_shown_after"]["ok"], report
    assert figures["outage_banner_cleared_after"]["ok"], report
    assert failure is None, report
