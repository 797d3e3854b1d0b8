"""Background work of the shared layer: thin wrappers around services, and the one way to queue.

Every task is queued through `enqueue`, after the work it does was recorded in the database (a
queued Message, Export or print row). If the broker is away, the request that saved the work
still answers normally; the periodic re-queue tasks below queue it again once the broker is back.
"""

import logging

from celery import shared_task
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# Errors of a broker that is down or unreachable, as publishing reports them.
BROKER_ERRORS = (OperationalError, OSError)


def enqueue(task, *ids):
    """Queue `task(*ids)` once the surrounding transaction commits (at once outside one).

    The caller has already recorded the work in a 'queued' row: a broker error is logged, never
    raised, and the row waits for the next re-queue.
    """
    transaction.on_commit(lambda: publish(task, *ids), robust=True)


def publish(task, *ids):
    """Send `task(*ids)` to the broker now; False when the broker is away (the row stays queued)."""
    try:
        task.delay(*ids)
    except BROKER_ERRORS as error:
        logger.warning("Broker unavailable, %s%r stays queued for the re-queue: %s", task.name, ids, error)
        return False
    return True


def requeue_waiting(queryset, *, since, task, minutes=10, days=1, batch=200):
    """Queue `task` again for the rows of `queryset` still waiting after `minutes` (a broker
    outage, a lost task), oldest first; rows asked for more than `days` ago are left alone.
    `since` names the row's time of request. Returns how many rows were found."""
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    ids = list(
        queryset.filter(
            **{f"{since}__lt": now - timedelta(minutes=minutes), f"{since}__gte": now - timedelta(days=days)}
        )
        .order_by(since, "pk")
        .values_list("pk", flat=True)[:batch]
    )
    for row_id in ids:
        if not publish(task, row_id):
            break  # the broker is still away: the next run tries again
    return len(ids)


# MESSAGE_ATTEMPTS in portal.services: the first attempt and these retries.
SEND_RETRIES = 5


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=SEND_RETRIES)
def send_message(self, message_id):
    """Send one queued message (portal.services.send_queued_message; idempotent)."""
    from portal.services import send_queued_message

    return send_queued_message(message_id=message_id, last_try=self.request.retries >= self.max_retries)


@shared_task
def build_export(export_id):
    from portal.exports import run_export

    return run_export(export_id=export_id)


@shared_task
def requeue_stale_messages(minutes=10):
    """Queue again the messages still waiting after a while (a broker outage, a lost task)."""
    from portal.services import requeue_stale_messages as requeue

    return requeue(minutes=minutes)


@shared_task
def requeue_stale_exports(minutes=10):
    """Queue again the exports still waiting after a while (a broker outage, a lost task)."""
    from portal.exports import requeue_stale_exports as requeue

    return requeue(minutes=minutes)
