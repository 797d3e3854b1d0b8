"""Issue 20: the public page and its search offer only what a person can book — services that an
active location offers with an active team, and those locations; the service list opens on a prompt
in words, not "---------"."""

import html

import pytest
from django.test import Client
from django.urls import reverse

from appointments.models import Location, Service
from appointments.tests.conftest import open_online_booking

pytestmark = pytest.mark.django_db


def _page(client, world):
    response = client.get(reverse("appointments:public_page", args=[world.clinic.pk]))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


@pytest.mark.parametrize(
    ("language", "prompt"), [("en", "Choose a service"), ("fr", "Choisissez un service")]
)
def test_services_and_locations_nobody_offers_are_not_shown(world, language, prompt):
    open_online_booking(world)
    Service.objects.create(
        organization=world.clinic, name_fr="Sans équipe", name_en="No team", duration_minutes=10
    )
    world.location("Lieu sans équipe", "E1A 1A1")
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    page = _page(client, world)
    assert str(world.first) in page and str(world.second) in page
    assert "Sans équipe" not in page and "No team" not in page
    assert "Lieu A" in page and "Lieu B" in page
    assert "Lieu sans équipe" not in page
    assert "---------" not in page
    assert (
        f'<option value="">{prompt}</option>' in page
        or f'<option value="" selected>{prompt}</option>' in page
    )

    # A team offering the service makes it appear (the cached configuration is forgotten).
    team = world.team("Équipe D", [Location.objects.get(name_fr="Lieu sans équipe")], [])
    team.services.add(Service.objects.get(name_fr="Sans équipe"))
    page = _page(client, world)
    assert ("Sans équipe" in page) or ("No team" in page)
    assert "Lieu sans équipe" in page


def test_the_search_refuses_a_service_no_location_offers(world):
    open_online_booking(world)
    lonely = Service.objects.create(
        organization=world.clinic, name_fr="Seul", name_en="Alone", duration_minutes=10
    )
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(
        reverse("appointments:public_search", args=[world.clinic.pk]),
        {"service": lonely.pk, "postal_code": "E1C 4M2"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["service"]
    assert "Alone" not in html.unescape(response.content.decode())
