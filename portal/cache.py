"""A cache that never turns a Redis outage into an error page.

The cache holds nothing that cannot be lost (rate-limit counters, cached pages): when Redis does
not answer, reads miss, writes are dropped and counters fail open, with a warning in the log.
Sign-in, public booking and every action keep working; their background work is recorded in the
database and queued again once the broker is back (portal.tasks).
"""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger("portal.cache")


def _tolerant(name, fallback):
    method = getattr(RedisCache, name)

    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except RedisError as error:
            logger.warning("Cache unavailable (%s.%s): %s", type(self).__name__, name, error)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    call.__name__ = name
    return call


def _default(key, default=None, *args, **kwargs):
    return default


def _counted(key, delta=1, *args, **kwargs):
    # A counter that cannot be read counts as its first use: limits fail open.
    return delta


class TolerantRedisCache(RedisCache):
    # "Added": a lock or a first count taken through the cache (allauth's rate limits) goes ahead.
    add = _tolerant("add", True)
    get = _tolerant("get", _default)
    set = _tolerant("set", None)
    touch = _tolerant("touch", False)
    delete = _tolerant("delete", False)
    get_many = _tolerant("get_many", lambda *args, **kwargs: {})
    has_key = _tolerant("has_key", False)
    incr = _tolerant("incr", _counted)
    set_many = _tolerant("set_many", lambda *args, **kwargs: [])
    delete_many = _tolerant("delete_many", None)
    clear = _tolerant("clear", False)
