"""One limit for public forms (no account): at most N posts an hour from one address per bucket.

Counters live in the cache, which fails open when Redis is away (portal.cache): a limit is a brake
on scripts, never a reason to refuse a person when the cache is down.
"""

import logging

from django.core.cache import cache
from redis.exceptions import RedisError

HOUR = 3600

logger = logging.getLogger("portal.ratelimit")


def _redis_count(key):
    """With Redis: the counter created with its hour (SET NX EX) and counted (INCR) in one round
    trip (a pipeline), instead of add, exists and incr apart. None: not a Redis cache."""
    redis_cache = getattr(cache, "_cache", None)
    get_client = getattr(redis_cache, "get_client", None)
    if get_client is None or not hasattr(cache, "make_and_validate_key"):
        return None
    name = cache.make_and_validate_key(key)
    try:
        pipeline = get_client(name, write=True).pipeline(transaction=False)
        pipeline.set(name, 0, ex=HOUR, nx=True)
        pipeline.incr(name)
        return int(pipeline.execute()[-1])
    except RedisError as error:
        logger.warning("Rate limit not counted (cache unavailable): %s", error)
        return 1


def over_limit(request, bucket, limit):
    """Counts this post; True once the address has posted more than `limit` times this hour."""
    key = f"portal:rate:{bucket}:{request.META.get('REMOTE_ADDR', '')}"
    count = _redis_count(key)
    if count is None:
        cache.add(key, 0, HOUR)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.set(key, 1, HOUR)
            count = 1
    return count > limit
