"""Schedules of a location with 3 teams and 480 slots a day: week (calendar and list), day and
month views. Prints figures (and the query count for 1 slot a day against 480); asserts nothing
about time."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from appointments.models import Appointment, Location, Service, Slot, TeamResource
from tests.benchmarks.bench_portal import measure
from tests.factories import MembershipFactory, OrganizationFactory
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db

TEAMS = 3


def _clinic(slots_per_day):
    clinic = OrganizationFactory(kind="clinic_network")
    manager = MembershipFactory(organization=clinic, role="appointments.management_1")
    service = Service.objects.create(organization=clinic, name_fr="Dose", name_en="Dose", duration_minutes=5)
    location = Location.objects.create(
        organization=clinic,
        name_fr="Lieu",
        name_en="Location",
        address="1 rue Main",
        city="Moncton",
        postal_code="E1C 8K6",
        latitude=46.08,
        longitude=-64.79,
    )
    teams = []
    for index in range(TEAMS):
        team = TeamResource.objects.create(organization=clinic, name=f"Équipe {index + 1}", position=index)
        team.locations.set([location])
        team.services.set([service])
        teams.append(team)
    tz = timezone.get_current_timezone()
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    rows = []
    per_team = max(slots_per_day // TEAMS, 1)
    for offset in range(7):
        day = monday + timedelta(days=offset)
        for team in teams[: min(TEAMS, slots_per_day)]:
            start = timezone.make_aware(datetime.combine(day, time(8, 0)), tz)
            for index in range(per_team):
                rows.append(
                    Slot(
                        organization=clinic,
                        location=location,
                        resource=team,
                        starts_at=start + timedelta(minutes=5 * index),
                        ends_at=start + timedelta(minutes=5 * index + 5),
                        interval_minutes=5,
                        per_interval=2,
                        is_locked=index % 10 == 0,
                    )
                )
    slots = Slot.objects.bulk_create(rows, batch_size=2000)
    Slot.services.through.objects.bulk_create(
        [Slot.services.through(slot_id=slot.pk, service_id=service.pk) for slot in slots], batch_size=2000
    )
    Appointment.objects.bulk_create(
        [
            Appointment(
                organization=clinic,
                slot=slot,
                service=service,
                starts_at=slot.starts_at,
                number=f"B{index:07d}",
                first_name="A",
                last_name="B",
            )
            for index, slot in enumerate(slots[::3])
        ],
        batch_size=2000,
    )
    return manager, location, len(slots)


@pytest.mark.parametrize("slots_per_day", [1, 480])
def test_bench_schedules(slots_per_day):
    manager, location, count = _clinic(slots_per_day)
    client = verified_client(manager.user, membership=manager)
    base = reverse("appointments:calendar") + f"?location={location.pk}"
    for label, url in [
        ("week, calendar, 5-min grid", base + "&view=week&grid=5&first_hour=7&last_hour=22"),
        ("week, list", base + "&view=week&display=list"),
        ("day, calendar (3 team columns)", base + "&view=day&grid=5&first_hour=7&last_hour=22"),
        ("month", base + "&view=month"),
    ]:
        median, worst, queries = measure(client, url, repeat=5)
        print(
            f"\nschedule {label}, {slots_per_day:>3} slots a day ({count} in the week): "
            f"median {median:7.1f} ms, max {worst:7.1f} ms, {queries} queries"
        )


def test_bench_public_times_page_of_a_large_site():
    """Issue 16: the times page and the search page a booker sees on a site of 10 teams, 28 days of
    5-minute times (40,320 times in the inventory), nothing cached (every request reads the
    configuration and the 29 days shown), the configuration cached but not the open times (the
    state after a booking), and all cached. Target: <= 50 ms and <= 4 queries, cached or not."""
    import os
    import statistics
    import time as clock

    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from appointments.models import ClinicSettings, SlotTime
    from appointments.selectors import forget_availability

    clinic = OrganizationFactory(kind="clinic_network")
    ClinicSettings.objects.create(organization=clinic, online_booking_open=True, days_shown=28)
    service = Service.objects.create(organization=clinic, name_fr="Dose", name_en="Dose", duration_minutes=5)
    location = Location.objects.create(
        organization=clinic,
        name_fr="Lieu",
        name_en="Location",
        address="1 rue Main",
        city="Moncton",
        postal_code="E1C 8K6",
        latitude=46.08,
        longitude=-64.79,
    )
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    rows = []
    for index in range(10):
        team = TeamResource.objects.create(organization=clinic, name=f"Équipe {index + 1}", position=index)
        team.locations.set([location])
        team.services.set([service])
        for offset in range(1, 29):
            day = today + timedelta(days=offset)
            rows.append(
                Slot(
                    organization=clinic,
                    location=location,
                    resource=team,
                    starts_at=timezone.make_aware(datetime.combine(day, time(8, 0)), tz),
                    ends_at=timezone.make_aware(datetime.combine(day, time(20, 0)), tz),
                    interval_minutes=5,
                    per_interval=1,
                )
            )
    slots = Slot.objects.bulk_create(rows)
    Slot.services.through.objects.bulk_create(
        [Slot.services.through(slot_id=slot.pk, service_id=service.pk) for slot in slots]
    )
    # The inventory, as schedules.services builds it for new slots: one row per (slot, time).
    SlotTime.objects.bulk_create(
        [
            SlotTime(slot_id=slot.pk, starts_at=moment, capacity=slot.per_interval)
            for slot in slots
            for moment in slot.interval_starts()
        ],
        batch_size=5000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    times_url = reverse("appointments:public_times", args=[clinic.pk, service.pk, location.pk])
    search_url = reverse("appointments:public_search", args=[clinic.pk])
    day = (today + timedelta(days=3)).isoformat()
    pages = {
        "times page": (times_url, {"date": day}, lambda response: len(response.context["day_times"]) == 144),
        "search page": (
            search_url,
            {"service": service.pk, "postal_code": "E1C 4M2"},
            lambda response: response.context["results"][0].places_left == 40320,
        ),
    }
    client = Client()
    cold = {
        "nothing cached": cache.clear,
        "configuration cached, open times not": lambda: forget_availability(location_id=location.pk),
        "cached": None,
    }
    print(
        f"\npublic booking pages, 10 teams x 28 days of 5-minute times ({SlotTime.objects.count()} times, "
        f"{connection.vendor}); load average {os.getloadavg()}: indicative on a shared machine"
    )
    for page, (url, params, check) in pages.items():
        for label, clear in cold.items():
            client.get(url, params)
            timings, cpu = [], []
            for _index in range(15):
                if clear:
                    clear()
                start, start_cpu = clock.perf_counter(), clock.process_time()
                response = client.get(url, params)
                timings.append((clock.perf_counter() - start) * 1000)
                # This process's CPU (the page's Python work; the database's is apart): steadier
                # than the wall clock on a shared machine.
                cpu.append((clock.process_time() - start_cpu) * 1000)
                assert response.status_code == 200 and check(response)
            if clear:
                clear()
            with CaptureQueriesContext(connection) as queries:
                client.get(url, params)
            print(
                f"  {page:<11} {label:<37}: median {statistics.median(timings):6.1f} ms, "
                f"min {min(timings):6.1f} ms, max {max(timings):6.1f} ms, CPU median {statistics.median(cpu):5.1f} ms, "
                f"{len(queries)} queries "
                f"(target <= 50 ms, <= 4 queries)"
            )
