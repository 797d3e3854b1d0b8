"""The public rate limit (portal.ratelimit): one Redis round trip per post, the hour set once,
the limit reached after `limit` posts, fail-open when Redis is away; the same on the local cache."""

import os

import pytest
import redis
from django.core.cache import cache
from django.test import RequestFactory, override_settings

from portal import ratelimit

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def _request(address):
    return RequestFactory().post("/", REMOTE_ADDR=address)


def _redis_up():
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


def test_it_counts_on_the_local_cache_and_refuses_past_the_limit():
    cache.clear()
    request = _request("192.0.2.1")
    assert [ratelimit.over_limit(request, "test:local", 2) for _post in range(3)] == [False, False, True]
    # Another address, or another bucket, counts apart.
    assert not ratelimit.over_limit(_request("192.0.2.2"), "test:local", 2)
    assert not ratelimit.over_limit(request, "test:other", 2)


@pytest.mark.skipif(not _redis_up(), reason="needs a Redis server (REDIS_URL)")
def test_it_counts_in_one_redis_round_trip_with_the_hour_set_once(monkeypatch):
    caches = {
        "default": {
            "BACKEND": "portal.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "test-ratelimit",
        }
    }
    with override_settings(CACHES=caches):
        address = f"198.51.100.{os.getpid() % 250}"
        key = cache.make_and_validate_key(f"portal:rate:test:redis:{address}")
        client = redis.Redis.from_url(REDIS_URL)
        client.delete(key)
        executed = []
        real = redis.client.Pipeline.execute

        def counting(pipeline, *args, **kwargs):
            executed.append([command[0][0] for command in pipeline.command_stack])
            return real(pipeline, *args, **kwargs)

        monkeypatch.setattr(redis.client.Pipeline, "execute", counting)
        monkeypatch.setattr(type(cache._cache), "incr", lambda *args, **kwargs: pytest.fail("incr apart"))
        try:
            outcomes = [ratelimit.over_limit(_request(address), "test:redis", 2) for _post in range(3)]
            assert outcomes == [False, False, True]
            assert executed == [["SET", "INCRBY"]] * 3  # one pipeline (round trip) per post
            assert int(client.get(key)) == 3
            assert 3500 < client.ttl(key) <= 3600
            # Django's cache reads the same counter.
            assert cache.get(f"portal:rate:test:redis:{address}") == 3
        finally:
            client.delete(key)


def test_it_fails_open_when_redis_is_away():
    caches = {
        "default": {
            "BACKEND": "portal.cache.TolerantRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    with override_settings(CACHES=caches):
        request = _request("192.0.2.9")
        assert [ratelimit.over_limit(request, "test:away", 1) for _post in range(3)] == [False] * 3
