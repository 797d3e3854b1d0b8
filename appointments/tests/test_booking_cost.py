"""What one public booking costs the database (issue 16): the statements of the booking POST are
pinned, so that a look-up added to the public path shows up here."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from appointments.booking.forms import time_value
from appointments.booking.views_common import BOOKING_COOKIE, BOOKING_SALT
from appointments.models import Appointment
from appointments.tests.conftest import open_online_booking

pytestmark = pytest.mark.django_db

PERSON = {"first_name": "Anne", "last_name": "Roy", "date_of_birth": "1980-01-02", "accept_terms": "on"}


def _details(world):
    return reverse("appointments:public_details", args=[world.clinic.pk, world.first.pk, world.location_a.pk])


def _book(world, client, slot, person=PERSON):
    # The audit's content type, cached per process in production.
    ContentType.objects.get_for_model(Appointment)
    client.get(_details(world), {"time": time_value(slot, slot.starts_at)})
    with CaptureQueriesContext(connection) as queries:
        response = client.post(_details(world), person)
    return response, [query["sql"] for query in queries.captured_queries]


def test_it_books_online_in_a_fixed_few_statements(world):
    open_online_booking(world)
    slot = world.slot(day=2, per_interval=2)
    response, statements = _book(world, Client(), slot)
    assert response.status_code == 302 and "/confirmation/" in response["Location"]
    # The time's row with its slot, service offer and the network's switch (1); the person's other
    # appointments for the service (1, and its advisory lock on PostgreSQL); the appointment, its
    # audit entry and scope, its history row (4); the claim (1); the savepoint of the test's
    # transaction (2; BEGIN and COMMIT in production).
    expected = 9 + (1 if connection.vendor == "postgresql" else 0)
    assert len(statements) <= expected, "\n".join(sql[:90] for sql in statements)
    # No look-up of the confirmation number before the insert (the unique constraint decides).
    assert not [sql for sql in statements if "SELECT" in sql and '"number" =' in sql]
    # The slot is not read apart from its time's row.
    assert not [sql for sql in statements if sql.startswith('SELECT "appointments_slot"."id"')]


def test_it_books_again_with_a_new_number_when_the_number_is_taken(world, monkeypatch):
    open_online_booking(world)
    slot = world.slot(day=2, per_interval=2)
    first, _statements = _book(world, Client(), slot)
    taken = Appointment.objects.get().number
    numbers = iter([taken, "NEW234"])
    monkeypatch.setattr("appointments.booking.services._new_number", lambda: next(numbers))
    response, _statements = _book(world, Client(), slot, {**PERSON, "first_name": "Marc"})
    assert response.status_code == 302 and response["Location"].endswith("/NEW234/")
    assert sorted(Appointment.objects.values_list("number", flat=True)) == sorted([taken, "NEW234"])


def test_it_refuses_a_slot_of_another_location_without_booking(world):
    open_online_booking(world)
    elsewhere = world.slot(day=2, location=world.location_b, team=world.team_c)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    details = _details(world)
    # A time of location B sent to location A's form (a tampered cookie or link).
    client.get(details, {"time": time_value(elsewhere, elsewhere.starts_at)})
    client.cookies[BOOKING_COOKIE] = signing.dumps(
        {str(world.clinic.pk): {"time": time_value(elsewhere, elsewhere.starts_at)}},
        salt=BOOKING_SALT,
        compress=True,
    )
    response = client.post(details, PERSON)
    times = reverse("appointments:public_times", args=[world.clinic.pk, world.first.pk, world.location_a.pk])
    assert response.status_code == 302 and response["Location"] == times
    assert not Appointment.objects.exists()


def _version_writes(monkeypatch):
    """The availability versions written through the cache (each write: one Redis round trip)."""
    from django.core.cache import caches

    target = caches["default"]  # the cache itself (availability.cache is a proxy to it)
    writes = []
    real = target.set_many

    def counting(data, *args, **kwargs):
        if any(key.startswith("appointments:availability:v:") for key in data):
            writes.append(sorted(data))
        return real(data, *args, **kwargs)

    monkeypatch.setattr(target, "set_many", counting)
    return writes


@pytest.mark.django_db(transaction=True)
def test_a_committed_booking_bumps_its_days_version_once(world, monkeypatch):
    # Committed for real (commit hooks run): the inventory's listener retires the day, once.
    open_online_booking(world)
    slot = world.slot(day=2, per_interval=2)
    client = Client()
    client.get(_details(world), {"time": time_value(slot, slot.starts_at)})
    writes = _version_writes(monkeypatch)
    response = client.post(_details(world), PERSON)
    assert response.status_code == 302 and "/confirmation/" in response["Location"]
    day = slot.starts_at.astimezone(timezone.get_current_timezone()).date()
    assert writes == [[f"appointments:availability:v:{world.location_a.pk}:{day.isoformat()}"]]
    # ... and the times page shows the place taken.
    times = client.get(
        reverse("appointments:public_times", args=[world.clinic.pk, world.first.pk, world.location_a.pk]),
        {"date": day.isoformat()},
    )
    first = [left for _value, moment, left in times.context["day_times"] if moment == slot.starts_at]
    assert first == [1]


def test_the_form_of_a_time_checks_that_time_only_once_its_day_is_retired(world):
    open_online_booking(world)
    slot = world.slot(day=2, per_interval=2)
    times = reverse("appointments:public_times", args=[world.clinic.pk, world.first.pk, world.location_a.pk])
    day = slot.starts_at.astimezone(timezone.get_current_timezone()).date()
    Client().get(times, {"date": day.isoformat()})
    _book(world, Client(), slot)  # retires the day's cached times
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_details(world), {"time": time_value(slot, slot.starts_at)})
    assert response.status_code == 200
    statements = [query["sql"] for query in queries.captured_queries]
    # One small statement on the time's row, not the day's times grouped again.
    assert len(statements) == 1 and '"appointments_slottime"' in statements[0], statements
    assert "SUM(" not in statements[0] and "GROUP BY" not in statements[0]
    # The last place taken: the form is not opened, the person goes back to the times.
    _book(world, Client(), slot, {**PERSON, "first_name": "Marc"})
    full = Client().get(_details(world), {"time": time_value(slot, slot.starts_at)})
    assert full.status_code == 302 and full["Location"] == times
