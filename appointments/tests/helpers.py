"""Helpers shared by the appointments test modules (their fixtures are in conftest.py)."""

from datetime import timedelta

from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

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
