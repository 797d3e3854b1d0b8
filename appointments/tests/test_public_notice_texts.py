"""Issue 20: the terms of use and the privacy policy linked from the booking consent are the clinic
network's to write, per language, on the public page settings; an empty text leaves the default one.
Each language reads its own text (never the other language's)."""

import html

import pytest
from django.test import Client
from django.urls import reverse

from appointments.models import ClinicSettings
from appointments.tests.conftest import open_online_booking
from appointments.tests.test_pages_configuration import _public_form

pytestmark = pytest.mark.django_db

OWN = {
    "terms_text_fr": "Conditions du réseau.\n\nDeuxième paragraphe <b>gras</b>.",
    "terms_text_en": "The network's terms.",
    "privacy_text_fr": "Confidentialité du réseau.",
    "privacy_text_en": "",
}


def _notice(world, name, language):
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get(
        reverse(f"appointments:{name}", args=[world.clinic.pk])
    )
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_pilot_edits_the_terms_and_privacy_texts_per_language(world, pilot):
    open_online_booking(world)
    page = pilot.get(reverse("appointments:public_page_settings")).content.decode()
    for field in OWN:
        assert f'name="{field}"' in page
        assert f'aria-describedby="id_{field}_help"' in page
    response = pilot.post(reverse("appointments:public_page_settings"), _public_form(**OWN))
    assert response.status_code == 302
    saved = ClinicSettings.objects.get(organization=world.clinic)
    assert (saved.terms_text_fr, saved.terms_text_en) == (OWN["terms_text_fr"], OWN["terms_text_en"])
    terms_fr = _notice(world, "public_terms", "fr")
    assert "<p>Conditions du réseau.</p>" in terms_fr
    raw = Client(HTTP_ACCEPT_LANGUAGE="fr").get(reverse("appointments:public_terms", args=[world.clinic.pk]))
    assert "&lt;b&gt;gras&lt;/b&gt;" in raw.content.decode()  # escaped, never markup
    terms_en = _notice(world, "public_terms", "en")
    assert "The network's terms." in terms_en and "Conditions du réseau" not in terms_en
    assert "Online booking lets you book" not in terms_en  # the network's text replaces the default
    assert "Confidentialité du réseau." in _notice(world, "public_privacy", "fr")
    # No English privacy text: the English reader gets the default text, not the French one.
    privacy_en = _notice(world, "public_privacy", "en")
    assert "Confidentialité du réseau" not in privacy_en
    assert "to keep and consult the personal information given" in privacy_en


def test_without_own_texts_the_default_ones_show(world):
    open_online_booking(world)
    assert "Online booking lets you book" in _notice(world, "public_terms", "en")
    assert "This information serves only to manage your appointment" in _notice(world, "public_privacy", "en")
