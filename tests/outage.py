"""A broker that is away, for tests: publishing any task raises what kombu raises when Redis is down."""

from contextlib import ExitStack, contextmanager
from datetime import timedelta
from unittest import mock

import time_machine
from django.utils import timezone
from kombu.exceptions import OperationalError


def _tasks():
    from portal.tasks import build_export, send_message
    from referrals.tasks import build_plan_print

    return (send_message, build_export, build_plan_print)


@contextmanager
def broker_down():
    """Every .delay() and .apply_async() of the queued tasks fails as with Redis stopped."""
    error = OperationalError("Error 111 connecting to localhost:6379. Connection refused.")
    with ExitStack() as stack:
        mocks = [
            stack.enter_context(mock.patch.object(task, method, side_effect=error))
            for task in _tasks()
            for method in ("delay", "apply_async")
        ]
        yield mocks


def requeue_later(minutes=11):
    """The broker is back: the beat's re-queue tasks run a while later, as they would."""
    from portal.tasks import requeue_stale_exports, requeue_stale_messages
    from referrals.tasks import requeue_stale_prints

    with time_machine.travel(timezone.now() + timedelta(minutes=minutes), tick=False):
        return {
            "messages": requeue_stale_messages(),
            "exports": requeue_stale_exports(),
            "prints": requeue_stale_prints(),
        }


def closed_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cache_away(settings):
    """The cache is a Redis nobody answers at (as in production with Redis stopped)."""
    from django.core.cache import caches

    # (changing CACHES makes Django build its caches again)
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.TolerantRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    return caches["default"]
