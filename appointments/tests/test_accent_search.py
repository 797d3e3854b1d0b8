"""Appointments searches ignore accents and case; the access accounts sort by name as letters."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from appointments.models import AppointmentStatus
from appointments.tests.conftest import book_person
from tests.factories import MembershipFactory
from tests.helpers import search, verified_client

pytestmark = pytest.mark.django_db


def _client(world, key):
    return verified_client(getattr(world, key), membership=world.memberships[key])


def _follow_up(client, **query):
    response = search(client, reverse("appointments:follow_up"), query)
    return [appointment.number for appointment in response.context["rows"]]


def _day(offset):
    return (timezone.localdate() + timedelta(days=offset)).isoformat()


@pytest.mark.parametrize(
    "query",
    [
        {"last_name": "belanger"},
        {"last_name": "BÉLANGER"},
        {"first_name": "ELISE"},
        {"first_name": "elise", "last_name": "Belanger"},
    ],
)
def test_the_advanced_search_ignores_accents_and_case(world, query):
    slot = world.slot(day=2, per_interval=3)
    elise = book_person(world, slot, name=("Élise", "Bélanger"))
    book_person(world, slot, name=("Anne", "Roy"))
    assert _follow_up(_client(world, "manager1"), date=_day(2), **query) == [elise.number]


def test_cancelling_by_number_accepts_the_last_name_without_accents(world):
    appointment = book_person(world, world.slot(day=2), name=("Élise", "Bélanger"))
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        reverse("appointments:public_cancel", args=[world.clinic.pk]),
        {"number": appointment.number, "last_name": "BELANGER", "confirm": "yes"},
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED


def _account_names(response):
    return [row["account"].last_name for row in response.context["accounts"]]


def test_the_access_accounts_sort_by_name_as_letters_and_search_without_accents(world):
    for last_name in ["Gisèle", "Élise", "Gérard"]:
        MembershipFactory(
            organization=world.clinic,
            role="appointments.consultation_1",
            scope={"locations": [world.location_a.pk]},
            user__last_name=last_name,
            user__first_name="Zz",
        )
    pilot = _client(world, "pilot")
    names = [
        name
        for name in _account_names(pilot.get(reverse("appointments:resource_list")))
        if name in ("Gisèle", "Élise", "Gérard")
    ]
    assert names == ["Élise", "Gérard", "Gisèle"]
    found = _account_names(pilot.get(reverse("appointments:resource_list"), {"q": "ELISE zz"}))
    assert found == ["Élise"]
