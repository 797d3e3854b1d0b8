"""Issue 20, "reschedule by link": the email link's "Change the time" offers the open times of the
same service and location; the person's details stay, their place is kept until the new time is
claimed, and the old one is given back in the same commit (never two, never none; raced on
PostgreSQL)."""

from datetime import UTC, datetime
from functools import partial

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from appointments.booking.forms import time_value
from appointments.follow_up import services as follow_up_services
from appointments.models import Appointment, AppointmentStatus, SlotTime
from appointments.tests.conftest import book_person, open_online_booking
from appointments.tests.helpers import message_texts, places_held
from portal.models import Message
from tests.concurrency import race, require_postgres

# 2026-12-03 10:00 in Moncton: the slots are tomorrow's.
NOW = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)


def _either(text, *choices):
    assert any(choice in text for choice in choices), (choices, text[:3000])


def _change(appointment):
    return reverse("appointments:manage_change", args=[appointment.token])


def _day(moment):
    return timezone.localtime(moment).date().isoformat()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_person_moves_their_appointment_to_another_open_time_and_keeps_their_details(world, language):
    open_online_booking(world)
    slot = world.slot(day=1, start=9, end=10, per_interval=1)
    appointment = book_person(world, slot, email="anne@example.com", send_email=True, actor=None, online=True)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    manage = client.get(reverse("appointments:manage", args=[appointment.token])).content.decode()
    assert f'href="{_change(appointment)}"' in manage
    page = client.get(_change(appointment), {"date": _day(slot.starts_at)})
    assert page.status_code == 200
    values = [value for value, _moment, _left in page.context["day_times"]]
    # The person's own time is not offered again; the other open times of the day are.
    assert time_value(slot, slot.starts_at) not in values
    new_time = slot.interval_starts()[2]
    assert time_value(slot, new_time) in values
    response = client.post(_change(appointment), {"time": time_value(slot, new_time), "date": _day(new_time)})
    assert response.status_code == 302 and response["Location"].endswith(f"/r/{appointment.token}/")
    _either(
        " ".join(message_texts(response)), "Your appointment is moved to", "Votre rendez-vous est déplacé au"
    )
    moved = Appointment.objects.get(pk=appointment.pk)
    assert (moved.starts_at, moved.first_name, moved.email, moved.number) == (
        new_time,
        "Anne",
        "anne@example.com",
        appointment.number,
    )
    assert moved.status == AppointmentStatus.BOOKED
    # The old place is free again, the new one held: one place each way.
    assert places_held(slot, slot.starts_at) == 0 and places_held(slot, new_time) == 1
    assert SlotTime.objects.get(slot=slot, starts_at=slot.starts_at).taken == 0
    assert SlotTime.objects.get(slot=slot, starts_at=new_time).taken == 1
    # The new coupon says what changed.
    assert Message.objects.filter(key__startswith=f"appointments:{appointment.pk}:moved").count() == 1


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_full_or_made_up_time_is_refused_next_to_the_times_and_nothing_moves(world, public):
    open_online_booking(world)
    slot = world.slot(day=1, start=9, end=10, per_interval=1)
    appointment = book_person(world, slot, actor=None, online=True)
    taken = slot.interval_starts()[1]
    book_person(world, slot, at=taken, name=("Marc", "Roy"))
    for value in (time_value(slot, taken), f"{slot.pk}@20261204T0907", "nonsense", "999999@20261204T0930"):
        response = public.post(_change(appointment), {"time": value, "date": _day(slot.starts_at)})
        assert response.status_code == 200, value
        assert response.context["form"].errors, value
        assert Appointment.objects.get(pk=appointment.pk).starts_at == slot.starts_at
    assert places_held(slot, slot.starts_at) == 1


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_cancelled_or_past_appointment_or_closed_booking_is_not_moved_online(world, public):
    open_online_booking(world)
    slot = world.slot(day=1, start=9, end=10, per_interval=2)
    cancelled = book_person(world, slot, actor=None, online=True)
    follow_up_services.cancel_appointment(actor=None, appointment=cancelled, by_person=True)
    past = book_person(world, slot, name=("Marc", "Roy"), actor=None, online=True)
    Appointment.objects.filter(pk=past.pk).update(starts_at=world.at(-1, 9))
    for appointment in (cancelled, past):
        response = public.get(_change(appointment))
        assert response.status_code == 302
        _either(" ".join(message_texts(response)), "can no longer be changed online", "ne peut plus être")
    kept = book_person(world, slot, name=("Luc", "Roy"), actor=None, online=True)
    open_online_booking(world, online_booking_open=False)
    response = public.post(_change(kept), {"time": time_value(slot, slot.interval_starts()[1])})
    assert response.status_code == 302
    assert Appointment.objects.get(pk=kept.pk).starts_at == slot.starts_at
    assert public.get(reverse("appointments:manage_change", args=["nope"])).status_code == 404


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_people_moving_to_the_last_place_at_once_get_it_once_and_keep_theirs_otherwise(world):
    require_postgres()
    open_online_booking(world)
    source = world.slot(day=1, start=9, end=10, per_interval=6)
    target = world.slot(day=1, start=11, end=12, per_interval=1)
    people = [
        book_person(world, source, name=(f"Person{index}", "Roy"), actor=None, online=True)
        for index in range(6)
    ]
    outcomes = race(
        *[
            partial(
                follow_up_services.update_appointment,
                actor=None,
                appointment=appointment,
                details={},
                slot=target,
                service=world.first,
                starts_at=target.starts_at,
                online=True,
            )
            for appointment in people
        ]
    )
    assert outcomes.count("done") == 1, outcomes
    assert set(outcomes) - {"done"} == {"This time is no longer available. Choose another time."}
    # Never two, never none: everyone holds exactly one place, and the counters agree.
    assert places_held(target) == 1
    assert places_held(source) == len(people) - 1
    assert SlotTime.objects.get(slot=target, starts_at=target.starts_at).taken == 1
    assert SlotTime.objects.get(slot=source, starts_at=source.starts_at).taken == len(people) - 1
    assert Appointment.objects.filter(status=AppointmentStatus.BOOKED).count() == len(people)
