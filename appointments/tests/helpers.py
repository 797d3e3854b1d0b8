"""Helpers shared by the appointments test modules (their fixtures are in conftest.py)."""

from datetime import timedelta

from django.contrib.messages import get_messages
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from appointments.booking.forms import time_value
from appointments.models import Appointment, Slot
from tests.helpers import verified_client

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def client_for(world, key):
    """A signed-in client for the world's person `key` ("pilot", "manager1"... or "limited")."""
    if key == "limited":
        return verified_client(world.limited, membership=world.limited_membership)
    return verified_client(getattr(world, key), membership=world.memberships[key])


def message_texts(response):
    """The messages (django.contrib.messages) the response's request left, as strings."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def in_days(offset):
    """Today + `offset` days (local date)."""
    return timezone.localdate() + timedelta(days=offset)


def calendar_page(client, world, **params):
    """The schedule's calendar, a week from tomorrow at location A unless `params` say otherwise."""
    query = {"date": in_days(1).isoformat(), "location": world.location_a.pk, "view": "week"}
    query.update(params)
    return client.get(reverse("appointments:calendar"), query)


def slot_form(world, **changes):
    """The slot form, filled in for team A tomorrow 9:00-10:00 (`changes` override; None drops a field)."""
    data = {
        "date": in_days(1).isoformat(),
        "start": "09:00",
        "end": "10:00",
        "resource": world.team_a.pk,
        "services": [world.first.pk],
        "per_interval": "2",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def field_errors(error, field):
    """The messages of an ActionError (pytest's ExceptionInfo) for one field, as one string."""
    return " ".join(error.value.message_dict[field])


def messages_text(response):
    """The messages the response's request left, joined into one string."""
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def iso_day(offset):
    """Today + `offset` days, as the ISO text a query string carries."""
    return (timezone.localdate() + timedelta(days=offset)).isoformat()


# The public path and staff booking -------------------------------------------------------------------

PERSON = {
    "first_name": "Anne",
    "last_name": "Roy",
    "date_of_birth": "1980-01-02",
    "email": "anne@example.com",
    "accept_terms": "on",
}


def public_url(world, name, service=None, location=None):
    """A step of the public path (public_eligibility, public_times, public_details) for a service and location."""
    service = service or world.first
    location = location or world.location_a
    return reverse(f"appointments:{name}", args=[world.clinic.pk, service.pk, location.pk])


def choose_time(client, world, slot, at=None, service=None):
    """Eligibility (when asked) then the time; returns the details page's URL."""
    service = service or world.first
    location = slot.location
    questions = list(service.questions.all())
    if questions:
        response = client.post(
            public_url(world, "public_eligibility", service, location),
            {f"q{question.pk}": question.eligible_answer for question in questions},
        )
        assert response.status_code == 302
    at = at or slot.starts_at
    response = client.post(
        public_url(world, "public_times", service, location),
        {"time": time_value(slot, at), "date": timezone.localtime(at).date().isoformat()},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return public_url(world, "public_details", service, location)


def book_online(client, world, slot, *, at=None, service=None, **person):
    """The whole public path for `slot` (PERSON's details, `person` overriding); returns the last response."""
    details = choose_time(client, world, slot, at=at, service=service)
    return client.post(details, {**PERSON, **person})


def book_url(world, slot, service=None, **extra):
    """The staff booking page for `slot`'s day and location."""
    query = {
        "service": (service or world.first).pk,
        "location": slot.location.pk,
        "date": timezone.localtime(slot.starts_at).date().isoformat(),
        **extra,
    }
    return reverse("appointments:book") + "?" + "&".join(f"{key}={value}" for key, value in query.items())


def staff_person(**changes):
    """The staff booking form's person (`changes` added or overriding)."""
    return {"first_name": "Anne", "last_name": "Roy", "date_of_birth": "1980-01-02", **changes}


# Booking and follow-up services --------------------------------------------------------------------


def error_text(error):
    """The messages of an ActionError (pytest's ExceptionInfo), as one string."""
    return " ".join(error.value.messages)


def places_held(slot, at=None):
    """How many active (booked or confirmed) appointments hold `slot`'s time `at` (its start by default)."""
    return Appointment.objects.filter(
        slot=slot, starts_at=at or slot.starts_at, status__in=["booked", "confirmed"]
    ).count()


def into_past(appointment, days):
    """Move a booked appointment (and its slot) `days` back: the services refuse to book the past."""
    shift = timedelta(days=days)
    Appointment.objects.filter(slot_id=appointment.slot_id).update(starts_at=F("starts_at") - shift)
    Slot.objects.filter(pk=appointment.slot_id).update(
        starts_at=F("starts_at") - shift, ends_at=F("ends_at") - shift
    )
    appointment.refresh_from_db()
    return appointment
