"""What one public booking costs the database (issue 16): the statements of the booking POST are
pinned, so that a look-up added to the public path shows up here."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appointments.booking.forms import time_value
from appointments.booking.views import BOOKING_COOKIE, BOOKING_SALT
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
