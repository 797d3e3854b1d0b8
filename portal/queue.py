"""The one way to queue background work, importable by services and tasks alike.

Services record the work in a 'queued' row (a Message, an Export, a print) and call
`enqueue("portal.tasks.send_message", row.pk)`: the task is named, so a service never imports its
tasks module, and tasks modules (thin wrappers around services) import services at the top
without a cycle. A task object is accepted too (an app whose tasks import no service).

If the broker is away, the request that saved the work still answers normally; the periodic
re-queue tasks queue it again once the broker is back.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from celery import current_app
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# Errors of a broker that is down or unreachable, as publishing reports them.
BROKER_ERRORS = (OperationalError, OSError)


def _task(task: Any) -> Any:
    """A task by its registered name ("portal.tasks.send_message"), or the task itself."""
    return current_app.tasks[task] if isinstance(task, str) else task


def enqueue(task: Any, *ids: Any) -> None:
    """Queue `task(*ids)` once the surrounding transaction commits (at once outside one).

    The caller has already recorded the work in a 'queued' row: a broker error is logged, never
    raised, and the row waits for the next re-queue.
    """
    transaction.on_commit(lambda: publish(task, *ids), robust=True)


def publish(task: Any, *ids: Any) -> bool:
    """Send `task(*ids)` to the broker now; False when the broker is away (the row stays queued)."""
    task = _task(task)
    try:
        task.delay(*ids)
    except BROKER_ERRORS as error:
        logger.warning("Broker unavailable, %s%r stays queued for the re-queue: %s", task.name, ids, error)
        return False
    return True


def requeue_waiting(
    queryset: QuerySet[Any], *, since: str, task: Any, minutes: int = 10, days: int = 1, batch: int = 200
) -> int:
    """Queue `task` again for the rows of `queryset` still waiting after `minutes` (a broker
    outage, a lost task), oldest first; rows asked for more than `days` ago are left alone.
    `since` names the row's time of request. Returns how many rows were found."""
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
