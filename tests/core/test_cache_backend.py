"""core.cache.TolerantRedisCache: while Redis cannot be reached the cache is empty, never an error."""

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from core.cache import TolerantRedisCache
from devtools.benchmarks.outage import RedisServer, free_port


def closed_port_cache(**options) -> TolerantRedisCache:
    return TolerantRedisCache(f"redis://127.0.0.1:{free_port()}/0", {"OPTIONS": options})


def test_a_cache_that_cannot_connect_behaves_like_an_empty_one():
    cache = closed_port_cache()
    started = time.monotonic()
    assert cache.get("k") is None
    assert cache.get("k", "default") == "default"
    assert cache.set("k", 1) is None
    assert cache.add("k", 1) is False
    assert cache.get_many(["k", "j"]) == {}
    assert cache.set_many({"k": 1, "j": 2}) == ["k", "j"]
    assert cache.has_key("k") is False
    assert cache.delete("k") is False
    assert cache.delete_many(["k", "j"]) is None
    assert cache.touch("k") is False
    assert cache.clear() is False
    assert cache.get_or_set("k", lambda: 42) == 42
    with pytest.raises(ValueError):
        cache.incr("k")
    with pytest.raises(ValueError):
        cache.decr("k")
    assert time.monotonic() - started < 2


def test_after_a_failure_redis_is_left_alone_for_a_while(caplog):
    cache = closed_port_cache(RETRY_AFTER=60)
    with mock.patch.object(cache._cache, "get", side_effect=RedisConnectionError("down")) as get:
        for _ in range(5):
            assert cache.get("k", "d") == "d"
    assert get.call_count == 1  # one attempt; the next calls within RETRY_AFTER do not try
    assert [r.levelname for r in caplog.records if r.name == "core.cache"] == ["WARNING"]


def test_short_timeouts_by_default_and_options_still_win():
    cache = closed_port_cache()
    assert cache._options["socket_connect_timeout"] == 0.25 and cache._options["socket_timeout"] == 0.25
    cache = closed_port_cache(socket_timeout=2, RETRY_AFTER=1)
    assert cache._options["socket_timeout"] == 2 and "RETRY_AFTER" not in cache._options
    assert cache.retry_after == 1


@pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed")
def test_a_real_redis_caches_and_the_cache_comes_back_after_a_restart():
    with RedisServer() as redis:
        cache = TolerantRedisCache(redis.url(0), {"OPTIONS": {"RETRY_AFTER": 0}})
        cache.set("k", {"a": 1})
        assert cache.get("k") == {"a": 1}
        assert cache.add("n", 1) is True and cache.add("n", 5) is False
        assert cache.incr("n") == 2
        redis.stop()
        assert cache.get("k", "miss") == "miss"
        cache.set("k", 2)  # no error
        redis.start()  # empty again (nothing is saved), reached through the same pool
        assert cache.get("k", "miss") == "miss"
        cache.set("k", 3)
        assert cache.get("k") == 3


@pytest.mark.django_db
def test_pages_that_use_the_cache_render_while_redis_is_down(client, settings, world, users):
    location = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    settings.CACHES = {"default": {"BACKEND": "core.cache.TolerantRedisCache", "LOCATION": location}}
    assert isinstance(caches["default"], TolerantRedisCache)
    client.force_login(users["office"])
    slug = world.campaign.slug
    for name in ("list-tasks", "list-problems", "hazard-list", "hazard-statistics", "scoreboard"):
        response = client.get(reverse(name, kwargs={"slug": slug}))
        assert response.status_code == 200, name


SHOW_CACHES = "import json, django; django.setup(); from django.conf import settings as s; print(json.dumps(s.CACHES))"


@pytest.mark.parametrize("url", ["", "redis://127.0.0.1:6379/1"])
def test_production_uses_the_tolerant_cache_when_cache_url_is_set(url):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CACHE_"))}
    env.update(DJANGO_SETTINGS_MODULE="config.settings_production", SECRET_KEY=secrets.token_urlsafe(50),
               ALLOWED_HOSTS="example.org", CACHE_URL=url, PYTHONPATH=str(django_settings.BASE_DIR))
    result = subprocess.run([sys.executable, "-c", SHOW_CACHES], env=env, cwd=django_settings.BASE_DIR,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    default = json.loads(result.stdout)["default"]
    if url:
        assert default["BACKEND"] == "core.cache.TolerantRedisCache" and default["LOCATION"] == url
    else:
        assert default["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
