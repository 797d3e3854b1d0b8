"""A cache that never turns a Redis outage into an error page.

The cache holds nothing that cannot be lost (rate-limit counters, cached pages): when Redis does
not answer, reads miss, writes are dropped and counters fail open, with a warning in the log.
Sign-in, public booking and every action keep working; their background work is recorded in the
database and queued again once the broker is back (portal.tasks).
"""

import logging

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
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


class ReusedRedisClient(RedisCacheClient):
    """Django's client builds a new redis.Redis (its response-callback table of some 200 entries)
    for every cache call: about 0.2 ms each, a dozen times per public booking. One per connection
    pool is enough: redis.Redis is thread-safe and takes a pooled connection per command."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class TolerantRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedRedisClient

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
