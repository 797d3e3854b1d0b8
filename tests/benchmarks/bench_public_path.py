"""The public path one booker walks (issue 16): the search page, the day's times, the details form,
the booking and the confirmation, on a clinic of 3 teams x 24 times (as scripts/booking_rush.py
sets it up). Prints the CPU-ms of this process (the Python work; the database's is apart) and the
queries of each step, median of the visitors; asserts nothing about time."""

import os
import statistics
import time as clock
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from appointments.booking.forms import time_value
from appointments.models import ClinicSettings, Location, Service, TeamResource
from appointments.schedules import services as schedules_services
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

VISITORS = 60


@override_settings(APPOINTMENTS_PUBLIC_ATTEMPTS_PER_HOUR=1_000_000)
def test_bench_public_path():
    clinic = OrganizationFactory(kind="clinic_network")
    ClinicSettings.objects.create(organization=clinic, online_booking_open=True, days_shown=14)
    fields = {"date_of_birth": "optional", "email": "off", "mobile_phone": "off", "postal_code": "off"}
    service = Service.objects.create(
        organization=clinic, name_fr="Dose", name_en="Dose", duration_minutes=10, personal_fields=fields
    )
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
    day = timezone.localdate() + timedelta(days=1)
    start = timezone.make_aware(datetime.combine(day, time(8, 0)))
    times = []
    for index in range(3):
        team = TeamResource.objects.create(organization=clinic, name=f"Team {index}")
        team.locations.set([location])
        team.services.set([service])
        slot = schedules_services.create_slot(
            actor=None,
            organization=clinic,
            location=location,
            resource=team,
            services=[service],
            starts_at=start,
            ends_at=start + timedelta(minutes=240),
            per_interval=40,
            is_locked=False,
        )
        times += [time_value(slot, moment) for moment in slot.interval_starts()]
    search = reverse("appointments:public_search", args=[clinic.pk])
    times_url = reverse("appointments:public_times", args=[clinic.pk, service.pk, location.pk])
    details = reverse("appointments:public_details", args=[clinic.pk, service.pk, location.pk])
    client = Client(HTTP_ACCEPT_LANGUAGE="fr", enforce_csrf_checks=True)
    figures: dict[str, list[tuple[float, int]]] = {}

    def step(name, method, url, data):
        with CaptureQueriesContext(connection) as queries:
            started = clock.process_time()
            response = method(url, data)
            elapsed = (clock.process_time() - started) * 1000
        assert response.status_code in (200, 302), (name, response.status_code)
        figures.setdefault(name, []).append((elapsed, len(queries)))
        return response

    for index in range(VISITORS + 5):
        client.cookies.clear()
        step("search page", client.get, search, {"service": service.pk, "postal_code": "E1C 4M2"})
        step("times page", client.get, times_url, {"date": day.isoformat()})
        chosen = times[index % len(times)]
        step("details form", client.get, details, {"time": chosen})
        person = {
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
            "first_name": f"P{index}",
            "last_name": "Rush",
            "date_of_birth": "1980-01-01",
            "accept_terms": "on",
        }
        booked = step("booking POST", client.post, details, person)
        assert "/confirmation/" in booked["Location"]
        step("confirmation", client.get, booked["Location"], {})
        if index == 4:
            figures.clear()  # the first visitors fill the caches
    print(
        f"\npublic path, {VISITORS} visitors one after the other ({connection.vendor}); load average {os.getloadavg()}"
    )
    for name, values in figures.items():
        print(
            f"  {name:<13}: CPU median {statistics.median(ms for ms, _ in values):5.2f} ms, "
            f"max {max(ms for ms, _ in values):6.2f} ms, queries {max(count for _, count in values)}"
        )
    print(
        f"  whole path   : CPU median {sum(statistics.median(ms for ms, _ in v) for v in figures.values()):5.2f} ms"
    )
