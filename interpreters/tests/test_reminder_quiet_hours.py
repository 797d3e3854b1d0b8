"""Day-before reminders respect quiet hours: one that reaches the worker at 22:00 (queued at 20:30,
the broker slow or away) waits for 8:00 the next morning, then goes out once."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone

from interpreters.requests import notices
from portal.models import Message, MessageStatus
from portal.tasks import requeue_stale_messages, send_message

pytestmark = pytest.mark.django_db


def _local(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def test_a_reminder_due_at_22_is_held_until_8(world, django_capture_on_commit_callbacks, mailoutbox):
    today = timezone.localdate() + timedelta(days=3)
    with time_machine.travel(_local(today, 20, 30), tick=False):
        world.confirmed(date=today + timedelta(days=1), start_time=time(14, 0))
        Message.objects.all().delete()  # the offer's and acceptance's messages: not what is tested
        with django_capture_on_commit_callbacks() as queued:  # not handed to a worker yet
            assert notices.send_reminders() == 1
    reminders = Message.objects.filter(key__contains=":reminder:")
    assert reminders.exists()
    assert all(message.context.get("_quiet_hours") for message in reminders)

    with time_machine.travel(_local(today, 22, 0), tick=False):
        for callback in queued:  # the worker gets them at 22:00
            callback()
        assert requeue_stale_messages(minutes=0) == reminders.count()  # and again: still night
    assert mailoutbox == []
    assert set(reminders.values_list("status", flat=True)) == {MessageStatus.QUEUED}

    with time_machine.travel(_local(today + timedelta(days=1), 7, 59), tick=False):
        requeue_stale_messages()
    assert mailoutbox == []
    with time_machine.travel(_local(today + timedelta(days=1), 8, 0), tick=False):
        requeue_stale_messages()
        requeue_stale_messages()
        for message in reminders.all():
            send_message(message.pk)  # a duplicated task: nothing more
    assert len(mailoutbox) == 1
    assert set(reminders.values_list("status", flat=True)) == {MessageStatus.SENT}
    assert set(reminders.values_list("sent_at", flat=True)) == {_local(today + timedelta(days=1), 8, 0)}
