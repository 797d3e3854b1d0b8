"""Background work of the shared layer: thin wrappers around services.

Every task is queued through portal.queue (`enqueue`), after the work it does was recorded in the
database (a queued Message, Export or print row); services name the task and never import this
module, so it imports them at the top. If the broker is away, the request that saved the work
still answers normally; the periodic re-queue tasks below queue it again once the broker is back.
"""

from celery import shared_task

from portal import exports, services

# Kept here under their old names for the apps' tasks modules (portal.queue holds them).
from portal.queue import BROKER_ERRORS, enqueue, publish, requeue_waiting  # noqa: F401

# MESSAGE_ATTEMPTS in portal.services: the first attempt and these retries.
SEND_RETRIES = 5


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=SEND_RETRIES)
def send_message(self, message_id):
    """Send one queued message (portal.services.send_queued_message; idempotent)."""
    return services.send_queued_message(message_id=message_id, last_try=self.request.retries >= self.max_retries)


@shared_task
def build_export(export_id):
    return exports.run_export(export_id=export_id)


@shared_task
def requeue_stale_messages(minutes=10):
    """Queue again the messages still waiting after a while (a broker outage, a lost task)."""
    return services.requeue_stale_messages(minutes=minutes)


@shared_task
def requeue_stale_exports(minutes=10):
    """Queue again the exports still waiting after a while (a broker outage, a lost task)."""
    return exports.requeue_stale_exports(minutes=minutes)
