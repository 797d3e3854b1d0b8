"""Issue 20, browser walk of the appointments portal: the staff booking form's lists start with a
prompt in words (or the only choice), clinic names are never put after a French "à" that needs an
article, and places left agree with their number ("1/24 place left", "24/24 places restantes")."""

import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from appointments.booking.forms import StaffBookingForm
from appointments.models import Location, Service
from appointments.tests.conftest import open_online_booking
from appointments.tests.helpers import book_url, calendar_page, client_for, in_days

pytestmark = pytest.mark.django_db

LEFT = re.compile(r"(\d+)/(\d+) (place|places) left")


# The staff booking form's lists ----------------------------------------------------------------------


def test_it_prompts_for_a_service_and_a_location_in_words(world, in_english):
    client = client_for(world, "manager1")
    page = client.get(reverse("appointments:book")).content.decode()
    assert "---------" not in page
    assert '<option value="" selected>Choose a service</option>' in page
    assert '<option value="" selected>Choose a location</option>' in page


def test_the_prompt_is_not_a_choice(world, in_english):
    client = client_for(world, "manager1")
    response = client.get(
        reverse("appointments:book"), {"service": "", "location": "", "date": in_days(1).isoformat()}
    )
    assert response.status_code == 200
    errors = response.context["choice"].errors
    assert set(errors) == {"service", "location"}
    assert "times" not in response.context


def test_the_only_choice_is_chosen(world):
    form = StaffBookingForm(
        services=Service.objects.for_organization(world.clinic).filter(pk=world.first.pk),
        locations=Location.objects.for_organization(world.clinic).filter(is_active=True),
    )
    assert [value for value, _label in form.fields["service"].choices] == [world.first.pk]
    assert "" in [value for value, _label in form.fields["location"].choices]  # two locations: a prompt


# No French "à" before a clinic's name --------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_staff_booking_heading_needs_no_article(world, language):
    client = client_for(world, "manager1")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    from portal.models import User

    User.objects.filter(pk=world.manager1.pk).update(preferred_language=language)
    slot = world.slot(day=1)
    page = html.unescape(client.get(book_url(world, slot)).content.decode())
    heading = re.search(r"<h2>([^<]*Lieu A[^<]*)</h2>", page).group(1)
    assert " à Lieu A" not in heading and " at Lieu A" not in heading
    assert f"— {world.location_a.name}," in heading


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_search_results_name_the_location_without_a_preposition(world, language):
    open_online_booking(world)
    world.slot(day=2)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    page = client.get(
        reverse("appointments:public_search", args=[world.clinic.pk]),
        {"service": world.first.pk, "postal_code": "E1C 4M2"},
    ).content.decode()
    page = html.unescape(page)
    assert " à Lieu A" not in page and " at Lieu A" not in page
    assert re.search(r'<span class="visually-hidden">, (location|lieu) ?: Lieu A</span>', page)


# Places left agree with their number ------------------------------------------------------------------------


def _lefts(page):
    return [(int(left), kind) for left, _capacity, kind in LEFT.findall(html.unescape(page))]


def test_places_left_agree_with_their_number(world, in_english):
    client = client_for(world, "manager1")
    full = world.slot(day=1, start=9, end=10, per_interval=1)
    world.slot(day=1, start=13, end=15, per_interval=2)
    from appointments.tests.conftest import book_person

    book_person(world, full)
    page = client.get(
        reverse("appointments:clone"), {"location": world.location_a.pk, "date": in_days(1).isoformat()}
    ).content.decode()
    lefts = _lefts(page)
    assert lefts and all(kind == ("place" if left <= 1 else "places") for left, kind in lefts)
    week = _lefts(calendar_page(client, world).content.decode())
    assert week and all(kind == ("place" if left <= 1 else "places") for left, kind in week)
    month = _lefts(calendar_page(client, world, view="month").content.decode())
    assert month and all(kind == ("place" if left <= 1 else "places") for left, kind in month)


def test_places_left_are_feminine_in_french(world):
    """Needs the French catalogue (the coordinator fills it): "places restantes", never "restants"."""
    client = client_for(world, "manager1")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    from portal.models import User

    User.objects.filter(pk=world.manager1.pk).update(preferred_language="fr")
    world.slot(day=1, start=13, end=15, per_interval=2)
    page = html.unescape(
        client.get(
            reverse("appointments:clone"), {"location": world.location_a.pk, "date": in_days(1).isoformat()}
        ).content.decode()
    )
    assert "restants" not in page
    assert re.search(r"\d+/\d+ places restantes", page)
