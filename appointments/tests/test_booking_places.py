"""Booking places through the booking services (issue 8): capacity and the slot's rules, one person per
service, second doses."""

from datetime import timedelta

import pytest
from django.utils import timezone

from appointments import selectors
from appointments.follow_up import services as follow_up_services
from appointments.models import (
    Appointment,
    AppointmentStatus,
    Attendance,
    ClinicSettings,
    CommunicationKind,
    CommunicationRule,
    Slot,
)
from appointments.tests.conftest import book_person, open_online_booking
from appointments.tests.helpers import error_text, places_held
from portal.models import Message
from portal.workflow import ActionError

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def _online(world, slot, **values):
    values.setdefault("actor", None)
    return book_person(world, slot, online=True, **values)


# Capacity and the slot's rules ---------------------------------------------------------------------------


def test_a_time_never_holds_more_than_its_appointments_per_interval(world):
    slot = world.slot(per_interval=2)
    book_person(world, slot, name=("Anne", "Roy"))
    book_person(world, slot, name=("Marc", "Roy"))
    with pytest.raises(ActionError) as error:
        book_person(world, slot, name=("Luc", "Roy"))
    assert "no longer available" in error_text(error)
    assert error.value.code == "time_gone"
    assert places_held(slot) == 2
    # Staff are held to the same capacity; a cancellation frees one place.
    follow_up_services.cancel_appointment(actor=world.manager1, appointment=Appointment.objects.first())
    book_person(world, slot, name=("Luc", "Roy"))
    assert places_held(slot) == 2
    with pytest.raises(ActionError):
        book_person(world, slot, name=("Eve", "Roy"))
    assert Appointment.objects.filter(slot=slot).count() == 3


def test_a_locked_slot_is_refused_online_but_booked_by_staff(world):
    open_online_booking(world)
    slot = world.slot(locked=True)
    with pytest.raises(ActionError) as error:
        _online(world, slot)
    assert "no longer available" in error_text(error)
    assert not Appointment.objects.exists()
    appointment = book_person(world, slot)
    assert appointment.booked_online is False
    assert appointment.status == AppointmentStatus.BOOKED


def test_a_past_time_is_refused_for_everyone(world):
    open_online_booking(world)
    slot = world.slot(day=-1)
    for values in ({}, {"online": True, "actor": None}):
        with pytest.raises(ActionError) as error:
            book_person(world, slot, **values)
        assert "has passed" in error_text(error)
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(("hour", "minute"), [(9, 5), (8, 45), (10, 0), (9, 59)])
def test_a_time_that_is_not_one_of_the_slots_intervals_is_refused(world, hour, minute):
    slot = world.slot(start=9, end=10)
    with pytest.raises(ActionError) as error:
        book_person(world, slot, at=world.at(1, hour, minute))
    assert "not one of the slot's times" in error_text(error)
    assert not Appointment.objects.exists()


def test_the_last_interval_of_a_slot_is_bookable(world):
    slot = world.slot(start=9, end=10)
    appointment = book_person(world, slot, at=world.at(1, 9, 45))
    assert appointment.ends_at == world.at(1, 10)


def test_online_booking_closed_refuses_online_but_not_staff(world):
    slot = world.slot()
    with pytest.raises(ActionError) as error:  # no settings at all yet
        _online(world, slot)
    assert "closed" in error_text(error)
    ClinicSettings.objects.create(organization=world.clinic, online_booking_open=False)
    with pytest.raises(ActionError) as error:
        _online(world, slot)
    assert "closed" in error_text(error)
    assert not Appointment.objects.exists()
    assert book_person(world, slot).booked_online is False


def test_a_time_beyond_the_days_shown_is_refused_online_but_not_by_staff(world):
    open_online_booking(world, days_shown=3)
    far = world.slot(day=5)
    near = world.slot(day=3)
    with pytest.raises(ActionError) as error:
        _online(world, far)
    assert "no longer available" in error_text(error)
    assert _online(world, near, name=("Marc", "Roy")).booked_online is True
    assert book_person(world, far).booked_online is False
    # The times offered online stop at the same day.
    offered = selectors.open_times(
        Slot.objects.filter(organization=world.clinic),
        service=world.first,
        online=True,
        now=timezone.now(),
        last_day=timezone.localdate() + timedelta(days=3),
    )
    assert {slot.pk for slot, _moment, _left in offered} == {near.pk}


def test_an_inactive_service_is_refused_online(world):
    open_online_booking(world)
    slot = world.slot()
    world.first.is_active = False
    world.first.save()
    with pytest.raises(ActionError):
        _online(world, slot)
    assert not Appointment.objects.exists()


def test_a_service_the_slot_does_not_offer_is_refused(world):
    slot = world.slot()  # team A: first dose only
    with pytest.raises(ActionError) as error:
        book_person(world, slot, service=world.second)
    assert "does not offer" in error_text(error)


# One person, one active appointment per service --------------------------------------------------------


def test_the_same_person_cannot_hold_two_active_appointments_for_one_service(world):
    open_online_booking(world)
    slot = world.slot(per_interval=5)
    held = book_person(world, slot, name=("Anne", "Roy"))
    for name in [("Anne", "Roy"), ("  ANNE ", "roy"), ("anne", "ROY  ")]:
        with pytest.raises(ActionError) as error:
            book_person(world, slot, at=world.at(1, 9, 15), name=name)
        # Staff see which appointment to change instead.
        assert held.number in error_text(error)
        with pytest.raises(ActionError) as error:
            _online(world, slot, at=world.at(1, 9, 30), name=name)
        assert "already has an appointment for this service" in error_text(error)
        assert held.number not in error_text(error)  # the public is not told someone else's number
    assert Appointment.objects.count() == 1


def test_another_person_or_another_birth_date_may_book(world):
    slot = world.slot(per_interval=5)
    book_person(world, slot, name=("Anne", "Roy"))
    book_person(world, slot, name=("Anne", "Roy"), born="1990-05-06")
    book_person(world, slot, name=("Anne Marie", "Roy"))
    assert Appointment.objects.count() == 3


def test_the_same_person_may_book_another_service(world):
    book_person(world, world.slot(team=world.team_c, location=world.location_b), service=world.first)
    book_person(world, world.slot(team=world.team_b, day=30), service=world.second)
    assert Appointment.objects.count() == 2


def test_a_cancelled_appointment_does_not_block_a_new_one(world):
    slot = world.slot(per_interval=5)
    held = book_person(world, slot)
    follow_up_services.cancel_appointment(actor=world.manager1, appointment=held)
    assert book_person(world, slot, at=world.at(1, 9, 15)).status == AppointmentStatus.BOOKED


@pytest.mark.parametrize("attendance", [Attendance.PRESENT, Attendance.ABSENT, Attendance.NOT_ELIGIBLE])
def test_booking_again_after_the_attendance_is_recorded_is_allowed(world, attendance):
    slot = world.slot(per_interval=5)
    held = book_person(world, slot)
    follow_up_services.mark_attendance(actor=world.manager1, appointment=held, attendance=attendance)
    again = book_person(world, world.slot(day=20))
    assert again.status == AppointmentStatus.BOOKED
    held.refresh_from_db()
    assert held.attendance == attendance


def test_a_second_dose_booked_earlier_replaces_the_one_held_in_the_same_step(world):
    CommunicationRule.objects.create(
        organization=world.clinic,
        kind=CommunicationKind.CANCELLATION_RELAUNCH,
        is_active=True,
        delay_hours=2,
    )
    late = world.slot(team=world.team_b, day=20)
    early = world.slot(team=world.team_b, day=6)
    held = book_person(world, late, email="anne@example.com")
    new = book_person(world, early, name=("anne", " ROY"), email="anne@example.com")
    held.refresh_from_db()
    assert held.status == AppointmentStatus.CANCELLED
    assert new.status == AppointmentStatus.BOOKED
    assert held.events.filter(action="cancelled", note__icontains="earlier second dose").exists()
    # The person already has a new time: no "book again" relaunch for the replaced one, ever.
    assert follow_up_services.send_due_communications(now=world.at(25, 12)) == 0
    assert not Message.objects.filter(key__startswith=f"appointments:{held.pk}:relaunch").exists()
    assert held.relaunches == 0


def test_a_later_second_dose_does_not_replace_the_one_held(world):
    held = book_person(world, world.slot(team=world.team_b, day=6))
    with pytest.raises(ActionError) as error:
        book_person(world, world.slot(team=world.team_b, day=20))
    assert held.number in error_text(error)
    held.refresh_from_db()
    assert held.status == AppointmentStatus.BOOKED
    assert Appointment.objects.count() == 1


def test_a_first_dose_booked_earlier_does_not_replace_the_one_held(world):
    held = book_person(world, world.slot(day=20))
    with pytest.raises(ActionError):
        book_person(world, world.slot(day=6))
    held.refresh_from_db()
    assert held.status == AppointmentStatus.BOOKED


def test_a_second_dose_that_cannot_be_booked_keeps_the_one_held(world):
    held = book_person(world, world.slot(team=world.team_b, day=20))
    full = world.slot(team=world.team_b, day=6, per_interval=1)
    book_person(world, full, name=("Marc", "Roy"))
    with pytest.raises(ActionError):
        book_person(world, full)
    held.refresh_from_db()
    assert held.status == AppointmentStatus.BOOKED
