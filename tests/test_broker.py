"""Messages through the real broker: Redis and a Celery worker, as in production."""

import os
import socket
import time
from unittest import mock

import pytest
from django.core import mail

from portal import services
from portal.models import Message, MessageStatus
from tests.factories import UserFactory

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker():
    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is not set: no broker to send through")
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    assert app.conf.task_always_eager is False
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as running:
        yield running


def wait_for(predicate, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_notification_travels_through_redis_to_a_worker_and_is_sent_once(worker):
    user = UserFactory(preferred_language="en", phone="+15065550123")
    services.notify(
        key="broker-test",
        template="portal/emails/task_assigned",
        recipient=user,
        link="/profile/",
        channels=("email", "sms"),
        context={"due_date": "2026-12-01"},
    )
    assert wait_for(lambda: Message.objects.filter(status=MessageStatus.SENT).count() == 2)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Liaison: a new task is waiting for you"
    # The same key again: nothing new is queued or sent.
    services.notify(
        key="broker-test", template="portal/emails/task_assigned", recipient=user, link="/profile/"
    )
    time.sleep(1)
    assert len(mail.outbox) == 1


def _closed_port():
    """A loopback port nothing listens on: a broker that is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_message_queued_while_the_broker_is_unreachable_is_sent_once_when_it_is_back(worker):
    from config.celery import app
    from portal.tasks import requeue_stale_messages, send_message

    user = UserFactory(preferred_language="en")
    unreachable = app.connection_for_write(f"redis://127.0.0.1:{_closed_port()}/0")
    # Publishing goes to a port nothing listens on: the real error a stopped Redis gives.
    with mock.patch.object(
        send_message, "delay", lambda *ids: send_message.apply_async(ids, connection=unreachable)
    ):
        services.notify(
            key="broker-down",
            template="portal/emails/task_assigned",
            recipient=user,
            link="/profile/",
            context={"due_date": "2026-12-01"},
        )
    unreachable.release()
    message = Message.objects.get(key="broker-down:email")
    time.sleep(1)
    message.refresh_from_db()
    assert (message.status, message.attempts, len(mail.outbox)) == (MessageStatus.QUEUED, 0, 0)
    # The broker is back: the beat's re-queue hands it to the real worker.
    assert requeue_stale_messages(minutes=0) == 1
    assert wait_for(lambda: Message.objects.filter(pk=message.pk, status=MessageStatus.SENT).exists())
    assert requeue_stale_messages(minutes=0) == 0
    time.sleep(1)
    assert len(mail.outbox) == 1
    assert Message.objects.get(pk=message.pk).attempts == 1
