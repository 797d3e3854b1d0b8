"""Two people (or two retried tasks) at the same moment: one wins, nothing is done twice.

Run on PostgreSQL (row locks); CI provides it.
"""

import threading

import pytest
from django.db import connection, connections
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import services
from portal.models import Message, MessageStatus, Task
from portal.tasks import send_message
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row-lock tests need PostgreSQL (set DATABASE_URL)")


def run_together(target, count=6):
    barrier = threading.Barrier(count)
    errors = []

    def worker():
        try:
            barrier.wait()
            target()
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_the_same_notification_queued_at_once_is_sent_once(mailoutbox):
    user = UserFactory()
    errors = run_together(
        lambda: services.notify(key="race", template="portal/emails/task_assigned", recipient=user, link="/")
    )
    assert errors == []
    assert Message.objects.count() == 1
    assert len(mailoutbox) == 1


def test_a_message_sent_by_several_workers_at_once_goes_out_once(mailoutbox):
    user = UserFactory()
    # Queued but not yet picked up (as if the broker delivered the task to several workers).
    message = Message.objects.create(
        key="workers",
        channel="email",
        template="portal/emails/task_assigned",
        recipient=user,
        to_address=user.email,
        language="fr",
        context={"due_date": "2026-12-01"},
    )
    errors = run_together(lambda: send_message.apply(args=[message.pk]))
    assert errors == []
    assert len(mailoutbox) == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.attempts == 1


def test_completing_a_task_twice_at_once_keeps_the_first_time():
    task = services.create_task(
        assignee=UserFactory(),
        title=_("Your access to Liaison is ready"),
        due_date=timezone.localdate(),
        link="/",
    )
    errors = run_together(lambda: services.complete_task(task=task))
    assert errors == []
    assert Task.objects.get().done_at is not None
