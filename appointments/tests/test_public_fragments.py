"""The public booking pages' fragments rendered once per process (issue 16: {% memo %}): what a page
shows still follows the places, the input typed and the errors, as without them."""

import html

import pytest
from django.test import Client
from django.urls import reverse

from appointments.booking.forms import time_value
from appointments.tests.conftest import book_person, open_online_booking
from portal.templatetags import portal_tags

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_fragments():
    portal_tags._FRAGMENTS.clear()


def _times_page(client, world, slot, **data):
    url = reverse("appointments:public_times", args=[world.clinic.pk, world.first.pk, world.location_a.pk])
    day = slot.starts_at.astimezone(world.at(1, 9).tzinfo).date().isoformat()
    if data:
        return client.post(url, {"date": day, **data})
    return client.get(url, {"date": day})


def test_it_no_longer_shows_a_time_once_its_last_place_is_taken(world):
    open_online_booking(world)
    slot = world.slot(day=2, per_interval=1)
    first = time_value(slot, slot.starts_at)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert f'value="{first}"' in _times_page(client, world, slot).content.decode()
    assert f'value="{first}"' in _times_page(client, world, slot).content.decode()
    book_person(world, slot, at=slot.starts_at)
    page = _times_page(client, world, slot).content.decode()
    assert f'value="{first}"' not in page
    assert f'value="{time_value(slot, slot.interval_starts()[1])}"' in page


def test_it_keeps_the_time_chosen_ticked_when_the_form_comes_back(world):
    open_online_booking(world)
    slot = world.slot(day=2, per_interval=1)
    second = time_value(slot, slot.interval_starts()[1])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    _times_page(client, world, slot)  # the fragment with nothing ticked is kept
    page = _times_page(client, world, slot, time=second, unknown="x")
    # A valid choice moves on; a time of the list that is then taken comes back ticked.
    assert page.status_code == 302
    book_person(world, slot, at=slot.interval_starts()[1])
    again = _times_page(client, world, slot, time=second).content.decode()
    assert "no longer available" in again
    assert f'value="{second}" checked' not in again  # no longer in the list at all
    plain = _times_page(client, world, slot).content.decode()
    assert " checked" not in plain


def test_the_search_form_shows_what_each_person_typed_and_their_errors(world):
    open_online_booking(world)
    world.slot(day=2)
    url = reverse("appointments:public_search", args=[world.clinic.pk])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    first = client.get(url, {"service": world.first.pk, "postal_code": "E1C 4M2"}).content.decode()
    second = client.get(url, {"service": world.first.pk, "postal_code": "E1A 1A1"}).content.decode()
    assert 'value="E1C 4M2"' in first and 'value="E1A 1A1"' in second and 'value="E1C 4M2"' not in second
    again = client.get(url, {"service": world.first.pk, "postal_code": "E1C 4M2"}).content.decode()
    assert 'value="E1C 4M2"' in again
    wrong = html.unescape(client.get(url, {"service": world.first.pk, "postal_code": "12345"}).content.decode())
    assert 'value="12345"' in wrong and 'aria-invalid="true"' in wrong
