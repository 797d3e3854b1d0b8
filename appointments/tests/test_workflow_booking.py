"""Booking places through the appointment application's services: capacity, locks, the slot's times
and services."""

import pytest

from appointments.booking import services as booking_services
from appointments.configuration import services as configuration_services
from appointments.models import Appointment
from portal.workflow import ActionError

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


# Booking places ---------------------------------------------------------------------------------------


def test_a_place_is_never_booked_beyond_the_appointments_per_interval(world):
    slot = world.slot(per_interval=1)
    world.book(slot)
    with pytest.raises(ActionError) as error:
        world.book(slot, name=("Anne", "Leblanc"))
    assert "no longer available" in " ".join(error.value.messages)
    # Another time of the same slot is still free.
    world.book(slot, at=world.at(1, 9, 15), name=("Anne", "Leblanc"))
    assert Appointment.objects.filter(slot=slot).count() == 2


def test_a_locked_slot_is_not_booked_online_but_is_by_staff(world):
    configuration_services.set_online_booking(organization=world.clinic, is_open=True)
    slot = world.slot(locked=True)
    with pytest.raises(ActionError) as error:
        booking_services.book_place(
            actor=None,
            slot=slot,
            service=world.first,
            starts_at=slot.starts_at,
            first_name="Anne",
            last_name="Leblanc",
            online=True,
        )
    assert "no longer available" in " ".join(error.value.messages)
    assert not Appointment.objects.exists()
    appointment = world.book(slot)
    assert appointment.booked_online is False
    assert appointment.created_by == world.manager1


def test_a_booking_must_be_at_one_of_the_slots_times_for_one_of_its_services(world):
    slot = world.slot()
    with pytest.raises(ActionError) as error:
        world.book(slot, at=world.at(1, 9, 5))
    assert "slot's times" in " ".join(error.value.messages)
    with pytest.raises(ActionError) as error:
        world.book(slot, at=world.at(1, 10))
    with pytest.raises(ActionError) as error:
        world.book(slot, service=world.second)
    assert "does not offer" in " ".join(error.value.messages)
