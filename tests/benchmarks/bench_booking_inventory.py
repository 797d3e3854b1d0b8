"""Bookings in one slot from many threads at once, on PostgreSQL (the booking inventory, issue 16): 16
threads book 192 places spread over the 48 times of one 12-hour slot through book_place. With the
slot's row lock every booking waited for the one before it; with a row per (slot, time) claimed
last, bookings at different times do not wait. Prints the rate and latency; asserts only that every
place is booked once and the counts are exact."""

import threading
import time
from datetime import date

import pytest
from django.db import connection, connections

from appointments.booking import services as booking_services
from appointments.models import Appointment, SlotTime
from appointments.schedules import services as schedules_services
from appointments.tests.conftest import World
from portal.workflow import ActionError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS, EACH = 16, 12


def test_bookings_at_different_times_of_one_slot_do_not_wait_for_each_other():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    world = World()
    slot = world.slot(day=1, start=9, end=21, per_interval=4)  # 48 times × 4 places
    times = slot.interval_starts()
    barrier = threading.Barrier(THREADS)
    latencies, refused = [], []

    def run(thread):
        barrier.wait()
        for step in range(EACH):
            index = thread * EACH + step
            start = time.perf_counter()
            try:
                booking_services.book_place(
                    actor=world.manager1,
                    slot=slot,
                    service=world.first,
                    starts_at=times[index % len(times)],
                    first_name=f"Person{index}",
                    last_name="Roy",
                    date_of_birth=date(1980, 1, 2),
                )
            except ActionError:
                refused.append(index)
            latencies.append(time.perf_counter() - start)
        connections.close_all()

    threads = [threading.Thread(target=run, args=(thread,)) for thread in range(THREADS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    booked = THREADS * EACH - len(refused)
    print(
        f"\n[inventory] {booked} bookings by {THREADS} threads in one slot of {len(times)} times: "
        f"{wall:.2f} s, {booked / wall:.1f} bookings/s, p50 {latencies[len(latencies) // 2] * 1000:.1f} ms, "
        f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.1f} ms, refused {len(refused)}"
    )
    assert refused == []
    assert Appointment.objects.filter(slot=slot).count() == THREADS * EACH
    assert set(SlotTime.objects.filter(slot=slot).values_list("taken", flat=True)) == {4}
    assert schedules_services.recount_inventory()[2] == []
