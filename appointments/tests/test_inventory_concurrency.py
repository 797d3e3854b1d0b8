"""The booking inventory under races, on PostgreSQL (threads, each its own connection): many bookers for
few places never oversell, one person never holds two appointments, and cancellations, moves and slot
edits racing with bookings leave the counts exact, with no deadlock or error page."""

import threading
from datetime import date

import pytest
from django.db import connection, connections
from django.utils import translation

from appointments.booking import services as booking_services
from appointments.follow_up import services as follow_up_services
from appointments.models import HOLDING_STATUSES, Appointment, ClinicSettings, SlotTime
from appointments.schedules import services as schedules_services
from portal.workflow import ActionError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

FULL = "This time is no longer available. Choose another time."


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("race tests need PostgreSQL (set DATABASE_URL)")


def _race(calls):
    """Run the calls at the same moment; each outcome is "done", a refusal's message, or "error: …"
    (anything else: a deadlock, an integrity error — what a person would see as an error page)."""
    barrier = threading.Barrier(len(calls))
    outcomes = []
    lock = threading.Lock()

    def run(call):
        with translation.override("en"):
            try:
                barrier.wait()
                call()
                result = "done"
            except ActionError as error:
                result = " ".join(error.messages)
            except Exception as error:  # noqa: BLE001 (the test reports it)
                result = f"error: {type(error).__name__}: {error}"
            finally:
                connections.close_all()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _book(world, slot, at, index, *, online=True, name=None):
    def call():
        booking_services.book_place(
            actor=None if online else world.manager1,
            slot=slot,
            service=world.first,
            starts_at=at,
            first_name=name or f"Person{index}",
            last_name="Roy",
            date_of_birth=date(1980, 1, 2),
            email=f"p{index}@example.com",
            online=online,
        )

    return call


def _held(slot):
    return dict(
        (moment, count)
        for moment, count in SlotTime.objects.filter(slot=slot).values_list("starts_at", "taken")
    )


def _appointments_by_time(slot):
    counts = {}
    for moment in Appointment.objects.filter(slot=slot, status__in=HOLDING_STATUSES).values_list(
        "starts_at", flat=True
    ):
        counts[moment] = counts.get(moment, 0) + 1
    return counts


def test_many_bookers_for_few_places_never_oversell(world):
    ClinicSettings.objects.create(organization=world.clinic, online_booking_open=True)
    slot = world.slot(day=1, start=9, end=10, per_interval=3)  # 4 times × 3 = 12 places
    times = slot.interval_starts()
    clients = 48

    outcomes = _race([_book(world, slot, times[index % 4], index) for index in range(clients)])

    assert [outcome for outcome in outcomes if outcome.startswith("error")] == []
    assert outcomes.count("done") == 12
    assert set(outcomes) - {"done"} == {FULL}
    assert _appointments_by_time(slot) == {moment: 3 for moment in times}
    assert _held(slot) == {moment: 3 for moment in times}
    assert schedules_services.recount_inventory()[2] == []


def test_the_same_person_racing_at_every_time_of_one_slot_gets_one_appointment(world):
    # The slot no longer serializes its bookings: the person's advisory lock does.
    slot = world.slot(day=1, start=9, end=12, per_interval=5)
    times = slot.interval_starts()  # 12 times

    outcomes = _race([_book(world, slot, moment, 0, online=False, name="Anne") for moment in times])

    assert [outcome for outcome in outcomes if outcome.startswith("error")] == []
    assert outcomes.count("done") == 1, outcomes
    assert all("already has an appointment" in outcome for outcome in outcomes if outcome != "done")
    assert Appointment.objects.filter(first_name="Anne", status__in=HOLDING_STATUSES).count() == 1
    assert sum(_held(slot).values()) == 1


def test_cancellations_and_bookings_racing_leave_the_counts_exact(world):
    ClinicSettings.objects.create(organization=world.clinic, online_booking_open=True)
    slot = world.slot(day=1, start=9, end=10, per_interval=4)
    moment = slot.starts_at
    booked = [_book(world, slot, moment, index) for index in range(4)]
    for call in booked:
        call()
    holders = list(Appointment.objects.filter(slot=slot))

    def cancel(appointment):
        return lambda: follow_up_services.cancel_appointment(
            actor=None, appointment=appointment, by_person=True
        )

    calls = [cancel(appointment) for appointment in holders[:2]]
    calls += [_book(world, slot, moment, 100 + index) for index in range(10)]
    outcomes = _race(calls)

    assert [outcome for outcome in outcomes if outcome.startswith("error")] == []
    # Never more than 4 held at once; the places given back may or may not be taken again in time.
    assert _appointments_by_time(slot).get(moment, 0) <= 4
    assert _held(slot)[moment] == _appointments_by_time(slot)[moment]
    assert schedules_services.recount_inventory()[2] == []


def test_moves_racing_with_bookings_never_wait_in_a_circle(world):
    # Staff move people between two slots in both directions while others book: the places are taken
    # and given back in (slot, time) order, so no deadlock; the counts stay exact.
    one = world.slot(day=1, start=9, end=10, per_interval=3)
    two = world.slot(day=2, start=9, end=10, per_interval=3)
    movers = []
    for index in range(3):
        _book(world, one, one.starts_at, index, online=False)()
        _book(world, two, two.starts_at, 10 + index, online=False)()
    movers = list(Appointment.objects.order_by("pk"))

    def move(appointment, slot):
        return lambda: follow_up_services.update_appointment(
            actor=world.manager1,
            appointment=appointment,
            details={},
            slot=slot,
            service=world.first,
            starts_at=slot.interval_starts()[1],
        )

    calls = [move(appointment, two if appointment.slot_id == one.pk else one) for appointment in movers]
    calls += [_book(world, one, one.interval_starts()[1], 50 + index, online=False) for index in range(4)]
    calls += [_book(world, two, two.interval_starts()[1], 60 + index, online=False) for index in range(4)]
    outcomes = _race(calls)

    assert [outcome for outcome in outcomes if outcome.startswith("error")] == []
    for slot in (one, two):
        assert all(count <= 3 for count in _appointments_by_time(slot).values())
        assert _held(slot) == {
            moment: _appointments_by_time(slot).get(moment, 0) for moment in slot.interval_starts()
        }
    assert schedules_services.recount_inventory()[2] == []


def test_a_capacity_edit_racing_with_bookings_keeps_the_places(world):
    # The pilot lowers the places while people book: whoever wins, never more bookings than places.
    ClinicSettings.objects.create(organization=world.clinic, online_booking_open=True)
    slot = world.slot(day=1, start=9, end=10, per_interval=6)
    moment = slot.starts_at

    def lower():
        schedules_services.update_slot(
            slot=slot,
            resource=slot.resource,
            services=[world.first],
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            per_interval=2,
            is_locked=False,
        )

    outcomes = _race([lower] + [_book(world, slot, moment, index) for index in range(12)])

    assert [outcome for outcome in outcomes if outcome.startswith("error")] == []
    slot.refresh_from_db()
    taken = _appointments_by_time(slot).get(moment, 0)
    assert taken <= slot.per_interval
    assert SlotTime.objects.get(slot=slot, starts_at=moment).capacity == slot.per_interval
    assert _held(slot)[moment] == taken
    assert schedules_services.recount_inventory()[2] == []
