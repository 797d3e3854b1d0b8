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
