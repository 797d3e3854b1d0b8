"""Waitlist holds under races, on PostgreSQL (threads, each its own connection; the pattern of
test_inventory_concurrency): two people confirming one hold, a hold and a public booking of the last
place, a confirmation and the expiry — exactly one wins, never more bookings than places, and the
inventory's recount agrees."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection, connections
from django.utils import translation

from appointments.booking import services as booking_services
from appointments.models import Appointment, SlotTime, WaitlistEntry, WaitlistStatus
from appointments.schedules import services as schedules_services
from appointments.tests.conftest import open_online_booking
from appointments.waitlist import offers, services
from portal.workflow import ActionError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOW = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)  # 10:00 in Moncton
GONE = "This offer has expired or the place was given to someone else."
FULL = "This time is no longer available. Choose another time."


@pytest.fixture(autouse=True)
def postgresql_only(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("race tests need PostgreSQL (set DATABASE_URL)")
    # The offer task the inventory's listener queues after each commit: the tests run the offers.
    monkeypatch.setattr("portal.queue.publish", lambda task, *ids: True)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _race(calls):
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


def _last_place(world):
    """A slot tomorrow whose first time is the only free place; two people waiting."""
    open_online_booking(world)
    slot = world.slot(day=1, per_interval=1)
    for index, moment in enumerate(slot.interval_starts()[1:]):
        world.book(slot, at=moment, name=(f"P{index}", "Full"))
    first, _ = services.sign_up(service=world.first, email="first@example.com", area="E1C")
    second, _ = services.sign_up(service=world.first, email="second@example.com", area="E1C")
    return slot, first, second


def _confirm(world, slot, entry, index):
    def call():
        booking_services.book_place(
            actor=None,
            slot_id=slot.pk,
            service=world.first,
            starts_at=slot.starts_at,
            first_name=f"Person{index}",
            last_name="Roy",
            date_of_birth=date(1980, 1, 2 + index),
            email=entry.email,
            online=True,
            waitlist_entry_id=entry.pk,
        )

    return call


def _public(world, slot, index):
    def call():
        booking_services.book_place(
            actor=None,
            slot_id=slot.pk,
            service=world.first,
            starts_at=slot.starts_at,
            first_name=f"Public{index}",
            last_name="Roy",
            date_of_birth=date(1970, 1, 1 + index),
            online=True,
        )

    return call


def _holders(slot):
    """(appointments, holds) of the slot's first time, and its row's taken/capacity."""
    row = SlotTime.objects.get(slot=slot, starts_at=slot.starts_at)
    booked = Appointment.objects.filter(
        slot=slot, starts_at=slot.starts_at, status__in=["booked", "confirmed"]
    ).count()
    held = WaitlistEntry.objects.filter(status=WaitlistStatus.OFFERED, offered_time=row).count()
    return booked, held, row.taken, row.capacity


def _no_drift(world):
    _slots, _times, drift = schedules_services.recount_inventory(organization_id=world.clinic.pk)
    assert drift == []


def test_two_people_confirming_one_hold_make_one_booking(world):
    slot, first, _second = _last_place(world)
    assert offers.offer_places() == 1
    outcomes = _race([_confirm(world, slot, first, index) for index in range(4)])
    assert sorted(outcomes) == sorted(["done"] + [GONE] * 3), outcomes
    assert _holders(slot) == (1, 0, 1, 1)
    first.refresh_from_db()
    assert first.status == WaitlistStatus.BOOKED
    _no_drift(world)


def test_a_hold_and_public_bookings_of_the_last_place_leave_one_holder(world):
    slot, first, second = _last_place(world)
    for round_ in range(3):
        calls = [_public(world, slot, 10 * round_ + index) for index in range(3)]
        calls.append(lambda: offers.offer_places(slot_ids=[slot.pk]))
        outcomes = _race(calls)
        assert [outcome for outcome in outcomes if outcome.startswith("error")] == [], outcomes
        booked, held, taken, capacity = _holders(slot)
        assert booked + held == 1 == taken == capacity, (round_, outcomes)
        _no_drift(world)
        # Free the place again for the next round (cancel the booking, or end the hold).
        Appointment.objects.filter(slot=slot, starts_at=slot.starts_at).delete()
        WaitlistEntry.objects.filter(status=WaitlistStatus.OFFERED).update(
            status=WaitlistStatus.WAITING, offered_time=None, offer_expires_at=None
        )
        SlotTime.objects.filter(slot=slot, starts_at=slot.starts_at).update(taken=0)


def test_a_held_place_is_never_booked_by_the_public(world):
    slot, first, _second = _last_place(world)
    assert offers.offer_places() == 1
    outcomes = _race([_public(world, slot, index) for index in range(3)] + [_confirm(world, slot, first, 9)])
    assert sorted(outcomes) == sorted(["done"] + [FULL] * 3), outcomes
    assert Appointment.objects.get(slot=slot, starts_at=slot.starts_at).first_name == "Person9"
    assert _holders(slot) == (1, 0, 1, 1)
    _no_drift(world)


def test_a_confirmation_and_the_expiry_at_once_never_lose_or_double_the_place(world):
    slot, first, second = _last_place(world)
    for round_ in range(3):
        assert offers.offer_places(slot_ids=[slot.pk]) == 1
        held = WaitlistEntry.objects.get(status=WaitlistStatus.OFFERED)
        outcomes = _race(
            [
                _confirm(world, slot, held, round_),
                lambda held=held: offers.release_hold(entry_id=held.pk, status=WaitlistStatus.EXPIRED),
            ]
        )
        assert [outcome for outcome in outcomes if outcome.startswith("error")] == [], outcomes
        held.refresh_from_db()
        booked, holds, taken, capacity = _holders(slot)
        if held.status == WaitlistStatus.BOOKED:
            assert outcomes.count("done") == 2 and (booked, holds, taken) == (1, 0, 1)
        else:
            assert held.status == WaitlistStatus.EXPIRED and GONE in outcomes
            assert (booked, holds, taken) == (0, 0, 0)
        _no_drift(world)
        # The next round: the place free again, somebody waiting.
        Appointment.objects.filter(slot=slot, starts_at=slot.starts_at).delete()
        SlotTime.objects.filter(slot=slot, starts_at=slot.starts_at).update(taken=0)
        services.sign_up(service=world.first, email=f"round{round_}@example.com", area="E1C")
        WaitlistEntry.objects.filter(pk=second.pk).update(created_at=NOW - timedelta(days=1))
