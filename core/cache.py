"""A Redis cache that a Redis outage turns into cache misses, not into 500s.

Production uses it when CACHE_URL is set (config/settings_production.py). Django's ``RedisCache`` raises on
every connection error; the pages only keep numbers and fragments there that they can compute again
(campaign/pagecache.py), so a cache that cannot be reached is treated as an empty one:

- reads return the default (``get``, ``get_many``, ``has_key``; ``incr``/``decr`` raise ValueError as for a
  missing key), writes do nothing (``set``, ``add`` → False, ``delete``, ``touch``, ``clear``);
- after a failure the backend does not try Redis again for ``RETRY_AFTER`` seconds (default 5), so a page
  with several cache calls pays for at most one failed attempt, and a Redis that does not answer at all (a
  dropped route rather than a refused connection) costs at most the connect timeout once per interval;
- connect and read timeouts are short (0.25 s) unless OPTIONS says otherwise;
- one warning per failure interval goes to the log, not one per call.

Nothing security-relevant uses the cache: sessions are in the database, and so are django-axes' login
failures and lockouts (AXES_HANDLER), so an outage neither logs anyone out nor lifts a lockout.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

logger = logging.getLogger(__name__)

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)


class TolerantRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` that behaves like an empty cache while Redis is down.

    OPTIONS: ``RETRY_AFTER`` (seconds without trying Redis after a failure, default 5) plus anything
    redis-py's connection pool takes; ``socket_connect_timeout`` and ``socket_timeout`` default to 0.25 s.
    A connection that dropped (Redis restarted) is retried once at once, so the first call after a restart
    does not count as a failure.
    """

    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self.retry_after = float(options.pop("RETRY_AFTER", 5))
        options.setdefault("socket_connect_timeout", 0.25)
        options.setdefault("socket_timeout", 0.25)
        options.setdefault("retry", Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._down_until = 0.0

    def _available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, error: Exception) -> None:
        self._down_until = time.monotonic() + self.retry_after
        logger.warning("cache unavailable, pages compute without it for %.0f s: %s", self.retry_after, error)

    def _call(self, method, fallback, *args, **kwargs):
        if not self._available():
            return fallback()
        try:
            return method(*args, **kwargs)
        except UNAVAILABLE as error:
            self._failed(error)
            return fallback()

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().add, lambda: False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call(super().get, lambda: default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set, lambda: None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().touch, lambda: False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call(super().delete, lambda: False, key, version)

    def get_many(self, keys, version=None):
        return self._call(super().get_many, dict, keys, version)

    def has_key(self, key, version=None):
        return self._call(super().has_key, lambda: False, key, version)

    def incr(self, key, delta=1, version=None):
        def missing():
            raise ValueError(f"Key '{key}' not found (cache unavailable).")

        return self._call(super().incr, missing, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set_many, lambda: list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call(super().delete_many, lambda: None, keys, version)

    def clear(self):
        return self._call(super().clear, lambda: False)
