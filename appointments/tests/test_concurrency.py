"""Many people racing for the last places of a slot on PostgreSQL: exactly as many bookings as there
were places, a clear "no longer available" for everyone else, never an overbooked slot."""

import threading

import pytest
from django.db import connection, connections
from django.utils import translation

from appointments.booking import services as booking_services
from appointments.models import Appointment, ClinicSettings
from portal.workflow import ActionError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIENTS = 24


def _race(world, slot, *, online, clients=CLIENTS, same_person=False):
    barrier = threading.Barrier(clients)
    outcomes = []
    lock = threading.Lock()

    def book(index):
        with translation.override("en"):
            try:
                barrier.wait()
                booking_services.book_place(
                    actor=None if online else world.manager1,
                    slot=slot,
                    service=world.first,
                    starts_at=slot.starts_at,
                    first_name="Anne" if same_person else f"Person{index}",
                    last_name="Roy",
                    date_of_birth=world.at(0, 0).date().replace(year=1980),
                    online=online,
                )
                result = "booked"
            except ActionError as error:
                result = " ".join(error.messages)
            finally:
                connections.close_all()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=book, args=(index,)) for index in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_a_rush_books_exactly_the_places_there_were(world):
    if connection.vendor != "postgresql":
        pytest.skip("row-lock tests need PostgreSQL (set DATABASE_URL)")
    ClinicSettings.objects.create(organization=world.clinic, online_booking_open=True)
    slot = world.slot(day=1, start=9, end=10, per_interval=3)

    outcomes = _race(world, slot, online=True)

    assert len(outcomes) == CLIENTS
    assert outcomes.count("booked") == 3
    refusals = [outcome for outcome in outcomes if outcome != "booked"]
    assert set(refusals) == {"This time is no longer available. Choose another time."}
    assert Appointment.objects.filter(slot=slot, starts_at=slot.starts_at).count() == 3


def test_the_same_person_racing_gets_one_appointment(world):
    if connection.vendor != "postgresql":
        pytest.skip("row-lock tests need PostgreSQL (set DATABASE_URL)")
    # Different slots (so the slot lock does not serialize them): the person rule still holds.
    slots = [world.slot(day=1, start=9 + index, end=10 + index, per_interval=5) for index in range(4)]
    barrier = threading.Barrier(len(slots))
    outcomes = []

    def book(slot):
        with translation.override("en"):
            try:
                barrier.wait()
                booking_services.book_place(
                    actor=world.manager1,
                    slot=slot,
                    service=world.first,
                    starts_at=slot.starts_at,
                    first_name="Anne",
                    last_name="Roy",
                    date_of_birth=world.at(0, 0).date().replace(year=1980),
                )
                outcomes.append("booked")
            except ActionError as error:
                outcomes.append(" ".join(error.messages))
            finally:
                connections.close_all()

    threads = [threading.Thread(target=book, args=(slot,)) for slot in slots]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("booked") == 1, outcomes
    assert all("already has an appointment" in outcome for outcome in outcomes if outcome != "booked")
    assert Appointment.objects.filter(last_name="Roy", status="booked").count() == 1
