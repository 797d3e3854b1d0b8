"""Messages through the real broker: Redis and a Celery worker, as in production."""

import os
import time

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
