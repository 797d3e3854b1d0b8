"""The terms of use and the privacy policy name the clinic network with its article (issue 18):
"auprès du Réseau…", "le personnel du Réseau…", "communiquez avec le Réseau…"; English "with the
… Network" only because this name takes "the"."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from appointments.tests.conftest import open_online_booking
from portal import names

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(world):
    world.clinic.name_fr, world.clinic.name_en = "Réseau de santé Vitalité", "Vitalité Health Network"
    world.clinic.article_fr, world.clinic.article_en = "le", "the"
    world.clinic.save()
    return world.clinic


def _page(name, network, language):
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get(reverse(f"appointments:{name}", args=[network.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _after(context, word, network):
    """What the page puts before the name: the catalogue's preposition, contracted."""
    with translation.override("fr"):
        return names.name_after(translation.pgettext(context, word), network)


def test_english_says_the_network_with_the(world, network):
    open_online_booking(world)
    assert "an appointment with the Vitalité Health Network." in _page("public_terms", network, "en")
    privacy = _page("public_privacy", network, "en")
    assert "you authorize the staff of the Vitalité Health Network to keep" in privacy
    assert "contact the Vitalité Health Network." in privacy


def test_french_contracts_the_article_with_the_preposition(world, network):
    open_online_booking(world)
    terms = _page("public_terms", network, "fr")
    with_name = _after("booking an appointment with an organization", "with", network)
    # "auprès du Réseau…" once the catalogue has the French of "with" (this context): "auprès de".
    assert with_name in ("auprès du Réseau de santé Vitalité", "with le Réseau de santé Vitalité")
    assert with_name in terms
    assert "de Réseau de santé" not in terms
    privacy = _page("public_privacy", network, "fr")
    of_name = _after("the staff of an organization", "of", network)
    assert of_name in ("du Réseau de santé Vitalité", "of le Réseau de santé Vitalité")
    assert of_name in privacy
    assert "communiquez avec le Réseau de santé Vitalité." in privacy
    assert "de Réseau de santé" not in privacy


def test_another_public_name_is_used_as_it_is_written(world, network):
    open_online_booking(world, public_name="Cliniques Vitalité")
    terms = _page("public_terms", network, "en")
    assert "an appointment with Cliniques Vitalité." in terms
    assert "the Vitalité Health Network" not in terms
