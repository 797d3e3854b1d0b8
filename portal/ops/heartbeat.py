"""The worker's heartbeat: a timestamp a Celery worker writes in the cache (Redis), read by /ready/.

Celery beat queues `portal.ops.tasks.heartbeat` every HEARTBEAT_SECONDS and a worker runs it, so a
fresh heartbeat proves the whole chain — beat, broker, worker — is moving. A worker also writes one
as soon as it is ready (config.celery), so /ready/ turns green without waiting for beat.
"""

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

CACHE_KEY = "liaison:ops:worker-heartbeat"


def record_heartbeat(*, now=None):
    moment = now or timezone.now()
    # Kept well past the threshold: a stale value must read as stale, not as missing.
    cache.set(CACHE_KEY, moment.timestamp(), timeout=24 * 60 * 60)


def heartbeat_age(*, now=None):
    """Seconds since a worker last wrote its heartbeat, or None when there is none (or no cache)."""
    value = cache.get(CACHE_KEY)
    if value is None:
        return None
    moment = now or timezone.now()
    return max(moment.timestamp() - float(value), 0.0)


def max_age():
    return settings.READY_HEARTBEAT_MAX_AGE
