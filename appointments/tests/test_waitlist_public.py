"""Issue 20, the public waitlist pages: a search with no place offers the waitlist; sign-up (email
and/or mobile, postal code, consent) in both languages; bad input refused next to the field, nothing
saved, nothing typed lost; once per person; leaving by the signed link (a POST, never a GET)."""

import html
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from appointments.models import WaitlistEntry, WaitlistStatus
from appointments.tests.conftest import open_online_booking
from appointments.waitlist import services

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)


def _either(text, *choices):
    """The English text or its French (the catalogue gets the French of new strings later)."""
    assert any(choice in text for choice in choices), (choices, text[:3000])


def _url(world):
    return reverse("appointments:public_waitlist", args=[world.clinic.pk, world.first.pk])


def _form(**changes):
    data = {"email": "anne@example.com", "mobile_phone": "", "postal_code": "e1c 4m2", "accept_terms": "on"}
    data.update(changes)
    return data


@time_machine.travel(NOW, tick=False)
def test_a_search_without_places_offers_the_waitlist(world):
    open_online_booking(world)
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(
        reverse("appointments:public_search", args=[world.clinic.pk]),
        {"service": world.first.pk, "postal_code": "E1C 4M2"},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert _url(world) + "?postal_code=E1C%204M2" in text


@time_machine.travel(NOW, tick=False)
def test_the_sign_up_page_opened_directly_does_not_say_there_is_no_place(world):
    """Opened from a link, places may exist: the page says nothing false and links to the search
    of this service (with the postal code it was given)."""
    open_online_booking(world)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    text = html.unescape(client.get(_url(world)).content.decode())
    assert "There is no place" not in text
    assert "If you find no place that suits you" in text
    search = reverse("appointments:public_search", args=[world.clinic.pk])
    assert f'href="{search}?service={world.first.pk}"' in text
    text = html.unescape(client.get(_url(world), {"postal_code": "E1C 4M2"}).content.decode())
    assert f'href="{search}?service={world.first.pk}&postal_code=E1C%204M2"' in text


@pytest.mark.parametrize("language", ["en", "fr"])
@time_machine.travel(NOW, tick=False)
def test_sign_up_and_confirmation_in_both_languages(world, language):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    page = client.get(_url(world), {"postal_code": "E1C 4M2"})
    assert page.status_code == 200
    assert 'value="E1C 4M2"' in page.content.decode()
    response = client.post(_url(world), _form(), follow=True)
    assert response.status_code == 200
    entry = WaitlistEntry.objects.get(service=world.first)
    assert (entry.email, entry.area, entry.language, entry.created_at) == (
        "anne@example.com",
        "E1C",
        language,
        NOW,
    )
    name = world.first.name_en if language == "en" else world.first.name_fr
    _either(
        html.unescape(response.content.decode()),
        f"You are on the waitlist for {name}",
        f"Vous êtes sur la liste d'attente pour {name}",
    )


def test_the_same_person_is_on_the_list_once(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post(_url(world), _form())
    client.post(_url(world), _form(email="ANNE@example.com"))
    assert WaitlistEntry.objects.filter(service=world.first).count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "english", "french"),
    [
        ({"email": ""}, "email", "Enter an email or a mobile phone", "courriel ou un numéro"),
        ({"email": "not-an-email"}, "email", "valid email", "courriel valide"),
        ({"mobile_phone": "123"}, "mobile_phone", "valid phone number", "numéro de téléphone valide"),
        ({"postal_code": "12345"}, "postal_code", "Canadian postal code", "code postal canadien"),
        ({"accept_terms": ""}, "accept_terms", "Tick this box", "Cochez cette case"),
    ],
)
def test_bad_input_is_refused_next_to_the_field(world, changes, field, english, french):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(_url(world), _form(**changes))
    assert response.status_code == 200
    _either(" ".join(response.context["form"].errors[field]), english, french)
    assert not WaitlistEntry.objects.exists()
    # Nothing typed is lost.
    assert 'value="e1c 4m2"' in response.content.decode() or field == "postal_code"


def test_an_unknown_service_is_a_404_not_an_error(world):
    url = reverse("appointments:public_waitlist", args=[world.clinic.pk, world.other_service.pk])
    assert Client().get(url).status_code == 404


@pytest.mark.parametrize("language", ["en", "fr"])
def test_leave_by_the_signed_link(world, language):
    entry, _ = services.sign_up(service=world.first, email="a@example.com", area="E1C")
    url = reverse("appointments:public_waitlist_leave", args=[world.clinic.pk, services.leave_token(entry)])
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert client.get(url).status_code == 200
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.WAITING  # a GET (a mail scanner) changes nothing
    response = client.post(url)
    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.LEFT
    _either(response.content.decode(), "no longer on the waitlist", "plus sur la liste")


def test_a_bad_leave_link_says_so(world):
    url = reverse("appointments:public_waitlist_leave", args=[world.clinic.pk, "garbage"])
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(url)
    assert response.status_code == 200
    _either(response.content.decode(), "This link is not valid", "pas valide")


@time_machine.travel(NOW, tick=False)
def test_the_sign_up_is_hidden_when_the_waitlist_is_off(world, settings):
    """A network run without the waitlist (settings.APPOINTMENTS_WAITLIST = False): no link, and the
    sign-up page is a 404."""
    settings.APPOINTMENTS_WAITLIST = False
    open_online_booking(world)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    search = client.get(
        reverse("appointments:public_search", args=[world.clinic.pk]),
        {"service": world.first.pk, "postal_code": "E1C 4M2"},
    )
    assert search.status_code == 200
    assert "waitlist" not in search.content.decode()
    assert client.get(_url(world)).status_code == 404
    assert client.post(_url(world), _form()).status_code == 404
    assert not WaitlistEntry.objects.exists()


def test_the_waitlist_consent_links_the_terms_and_the_privacy_policy(world):
    # Browser walk: the sign-up's consent named both documents without linking them.
    from appointments.booking.views_notices import notice_urls

    open_online_booking(world)
    response = Client().get(_url(world))
    assert response.status_code == 200
    page = response.content.decode()
    for url in notice_urls(world.clinic):
        assert f'href="{url}" target="_blank"' in page
