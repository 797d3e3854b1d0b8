"""Invitations as each language writes them (issue 18, Chromium walk): the organization's name takes
its article ("au sein du Ministère…", "invitées au Ministère…", "pour le Ministère…"; "at the
Department of…"), an invitation is "Envoyée" (feminine), and the welcome page speaks the
invitation's language unless the person chose another with the header's button."""

import html
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from portal.models import Invitation, Message
from portal.services import _render
from tests.factories import MembershipFactory, OrganizationFactory
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    department = OrganizationFactory(
        kind="department",
        name_fr="Ministère du Développement social",
        name_en="Department of Social Development",
        article_fr="le",
        article_en="the",
    )
    return MembershipFactory(organization=department, role="portal.department_administrator")


def _client(membership, language):
    client = verified_client(membership.user, membership=membership)
    client.cookies["liaison_language"] = language
    return client


def _invite(membership, language="en", email="nadine.cormier@example.ca"):
    values = {
        "email": email,
        "first_name": "Nadine",
        "last_name": "Cormier",
        "role": "orders.department_worker",
        "language": language,
    }
    response = verified_client(membership.user, membership=membership).post(reverse("portal:invite"), values)
    assert response.status_code == 302
    return Message.objects.filter(template="portal/emails/invitation").latest("pk")


def _page(client, url):
    return html.unescape(client.get(url).content.decode())


def _link(message):
    return urlsplit(message.link).path


def test_the_email_names_the_organization_with_its_article_in_each_language(admin):
    english = _render(_invite(admin, language="en"))["text"].replace("\n", " ")
    french_message = _invite(admin, language="fr", email="luc.leblanc@example.ca")

    assert "Department worker (service orders) at the Department of Social Development in Liaison" in english
    # The part before the name is the organization's own, in each language, whatever the sentence.
    assert french_message.context["at_organization"] == {
        "fr": "au sein du Ministère du Développement social",
        "en": "at the Department of Social Development",
    }
    assert "au sein du Ministère du Développement social" in _render(french_message)["text"].replace(
        "\n", " "
    )


def test_the_invitation_pages_name_the_organization_with_its_article_in_english(admin):
    _invite(admin)
    client = _client(admin, "en")

    listing = _page(client, reverse("portal:invitations"))
    invite = _page(client, reverse("portal:invite"))

    assert "The people invited to the Department of Social Development who" in listing
    assert "choose their password for the Department of Social Development." in invite


def test_the_withdraw_page_contracts_the_french_article(admin):
    _invite(admin)
    invitation = Invitation.objects.scoped("test").get()

    withdraw = _page(_client(admin, "fr"), reverse("portal:withdraw_invitation", args=[invitation.pk]))
    english = _page(_client(admin, "en"), reverse("portal:withdraw_invitation", args=[invitation.pk]))

    assert "au sein du Ministère du Développement social" in withdraw
    assert "Department worker (service orders) at the Department of Social Development." in english


# Needs the French catalogue (the sentences are new msgids): the coordinator fills it.
def test_the_french_invitation_pages_read_invitees_au_ministere_pour_le_ministere_and_envoyee(admin):
    _invite(admin)
    client = _client(admin, "fr")

    listing = _page(client, reverse("portal:invitations"))
    invite = _page(client, reverse("portal:invite"))

    assert "Les personnes invitées au Ministère du Développement social qui" in listing
    assert "invitées à Ministère" not in listing
    assert '<th scope="col">Envoyée</th>' in listing
    assert "mot de passe pour le Ministère du Développement social." in invite


def test_the_sent_column_of_an_invitation_has_its_own_context(admin):
    # "Sent" of an outbound message or a referral stays as it was ("Envoyé"): only the
    # invitation's column takes the feminine, through its message context.
    from django.utils import translation
    from django.utils.translation import gettext, pgettext

    with translation.override("fr"):
        assert gettext("Sent") == "Envoyé"
        assert pgettext("an invitation (feminine in French)", "Sent") in ("Envoyée", "Sent")
    _invite(admin)
    assert '<th scope="col">Sent</th>' in _page(_client(admin, "en"), reverse("portal:invitations"))


def test_the_welcome_page_speaks_the_invitations_language_not_the_browsers(admin, client):
    link = _link(_invite(admin, language="fr"))

    page = client.get(link, HTTP_ACCEPT_LANGUAGE="en")
    text = html.unescape(page.content.decode())

    assert page["Content-Language"] == "fr"
    assert '<html lang="fr"' in text
    assert "Bienvenue" in text
    # The role and the organization it is at, in French, with the French name.
    assert "au sein du Ministère du Développement social" in text


def test_the_welcome_page_follows_the_language_button_and_shows_the_english_names(admin, client):
    link = _link(_invite(admin, language="fr"))

    switched = client.post(reverse("portal:language"), {"language": "en", "next": link})
    assert switched.status_code == 302 and switched["Location"] == link
    page = client.get(link)
    text = html.unescape(page.content.decode())

    assert page["Content-Language"] == "en"
    assert "Welcome to Liaison" in text
    assert (
        "You are invited to the role Department worker (service orders) at the Department of Social "
        "Development." in text
    )
    assert "Ministère" not in text
    # The toggle still offers the other language, and keeps the page.
    assert 'value="fr"' in text and f'name="next" value="{link}"' in text


def test_the_welcome_page_of_an_english_invitation_is_in_english_for_a_french_browser(admin, client):
    link = _link(_invite(admin, language="en"))

    page = client.get(link, HTTP_ACCEPT_LANGUAGE="fr")

    assert page["Content-Language"] == "en"
    assert "at the Department of Social Development" in html.unescape(page.content.decode())


def test_an_invalid_link_keeps_the_browsers_language(client):
    page = client.get(reverse("portal:accept_invitation", args=["garbage"]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert page["Content-Language"] == "en"
