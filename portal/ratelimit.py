"""One limit for public forms (no account): at most N posts an hour from one address per bucket.

Counters live in the cache, which fails open when Redis is away (portal.cache): a limit is a brake
on scripts, never a reason to refuse a person when the cache is down.
"""

from django.core.cache import cache

HOUR = 3600


def over_limit(request, bucket, limit):
    """Counts this post; True once the address has posted more than `limit` times this hour."""
    key = f"portal:rate:{bucket}:{request.META.get('REMOTE_ADDR', '')}"
    cache.add(key, 0, HOUR)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, HOUR)
        count = 1
    return count > limit
