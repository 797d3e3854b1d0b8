"""With the broker away, a public booking answers normally: the confirmation waits as a queued
message, and the re-queue sends it once the broker is back, exactly once."""

import pytest
from django.test import Client
from django.urls import reverse

from appointments.models import Appointment
from appointments.tests.conftest import open_online_booking
from appointments.tests.helpers import book_online
from portal.models import Message, MessageStatus
from tests.outage import broker_down, cache_away, requeue_later

pytestmark = pytest.mark.django_db


def test_a_booking_made_while_the_broker_is_down_is_confirmed_once_it_is_back(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    public = Client(HTTP_ACCEPT_LANGUAGE="en")
    open_online_booking(world)
    slot = world.slot(day=2)
    with broker_down() as publishing, django_capture_on_commit_callbacks(execute=True):
        response = book_online(public, world, slot, at=world.at(2, 9, 30))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert any(attempt.called for attempt in publishing)
    appointment = Appointment.objects.get()
    assert response["Location"] == reverse(
        "appointments:public_confirmation", args=[world.clinic.pk, appointment.number]
    )
    assert public.get(response["Location"]).status_code == 200
    message = Message.objects.get()
    assert (message.status, message.to_address) == (MessageStatus.QUEUED, "anne@example.com")
    assert mailoutbox == []

    assert requeue_later()["messages"] == 1
    assert len(mailoutbox) == 1
    assert appointment.number in mailoutbox[0].subject
    assert {name for name, _content, _type in mailoutbox[0].attachments} == {
        f"appointment-{appointment.number}.ics"
    }
    assert requeue_later(minutes=30)["messages"] == 0
    assert len(mailoutbox) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 1)


def test_a_public_booking_works_with_redis_stopped_broker_and_cache_alike(
    world, settings, django_capture_on_commit_callbacks, mailoutbox
):
    """The public path's rate limit reads the cache: with Redis away it fails open."""
    cache_away(settings)
    public = Client(HTTP_ACCEPT_LANGUAGE="en")
    open_online_booking(world)
    slot = world.slot(day=2)
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        response = book_online(public, world, slot, at=world.at(2, 9, 30))
    assert response.status_code == 302
    assert Appointment.objects.count() == 1
    assert requeue_later()["messages"] == 1
    assert len(mailoutbox) == 1
