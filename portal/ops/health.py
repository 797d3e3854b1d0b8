"""/ready/: can this web process serve traffic? For load balancers and compose health checks.

Answers 200 when PostgreSQL (the configured database), Redis (cache and broker) and a Celery worker
(its heartbeat, portal.ops.heartbeat) all answer, 503 otherwise, with a small JSON body naming each
check's state. The body never carries an error message: those may hold host names or passwords.
/health/ (portal.views.health) stays the trivial liveness probe.
"""

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from portal.ops import heartbeat

OK = "ok"


def check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return "unavailable"
    return OK


def check_redis():
    if not settings.REDIS_URL:
        return "not_configured"  # the embedded set-up: no Redis, tasks in-process
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5)
    try:
        client.ping()
    except redis.RedisError:
        return "unavailable"
    finally:
        client.close()
    return OK


def check_worker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in_process", None
    age = heartbeat.heartbeat_age()
    if age is None:
        return "missing", None
    if age > heartbeat.max_age():
        return "stale", age
    return OK, age


# Results that do not make the site unready: nothing to wait for in the embedded set-up.
_FINE = {OK, "not_configured", "in_process"}


@login_not_required
@never_cache
def ready(request):
    worker, age = check_worker()
    checks = {"database": check_database(), "redis": check_redis(), "worker": worker}
    failing = sorted(name for name, state in checks.items() if state not in _FINE)
    body = {"status": "unready" if failing else "ready", "checks": checks, "failing": failing}
    if age is not None:
        body["worker_heartbeat_age_seconds"] = round(age, 1)
    response = JsonResponse(body, status=503 if failing else 200)
    # A probe every few seconds while a worker is away is not an error of the site: the request
    # line (status 503) says it, without Django's "Service Unavailable" ERROR line for each probe.
    response._has_been_logged = True
    return response
