"""The guides' "?" menu (issues 19 and 20): on every page, signed in or not, it leads to the help of
the person's portals, the support contact, the terms of use, the privacy policy and "About" (the
version), in French and in English."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from portal import help_pages
from tests.factories import MembershipFactory
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db

MENU = ("portal:help", "portal:terms", "portal:privacy", "portal:about")


def said(language, msgid):
    with translation.override(language):
        return gettext(msgid)


def _get(client, url, language):
    client.cookies["liaison_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode().replace("&#x27;", "'")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_menu_is_on_the_sign_in_page_and_on_a_signed_in_page(language):
    worker = MembershipFactory(organization__kind="department", role="orders.department_worker")
    for client, url in (
        (Client(), reverse("account_login")),
        (verified_client(worker.user, membership=worker), reverse("portal:home")),
    ):
        page = _get(client, url, language)
        header = page.split("</header>", 1)[0]
        assert '<details class="help-menu">' in header
        assert said(language, "Help menu") in header
        for name in MENU:
            assert f'href="{reverse(name)}"' in header
        assert f'href="{reverse("portal:help")}#support"' in header


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_help_shows_the_portals_of_the_persons_roles_and_their_support_contact(language):
    worker = MembershipFactory(
        organization__kind="department",
        organization__contact_email="aide@ministere.example.ca",
        role="orders.department_worker",
    )

    page = _get(verified_client(worker.user, membership=worker), reverse("portal:help"), language)

    assert said(language, "Service orders") in page
    assert said(language, "Order summary") in page
    assert 'id="help-appointments"' not in page and 'id="help-referrals"' not in page
    assert 'id="support"' in page and "mailto:aide@ministere.example.ca" in page


def test_the_active_roles_portal_comes_first():
    coordinator = MembershipFactory(organization__kind="interpreter_bank", role="interpreters.coordinator")
    MembershipFactory(user=coordinator.user, organization__kind="department", role="orders.department_worker")

    page = _get(verified_client(coordinator.user, membership=coordinator), reverse("portal:help"), "en")

    assert page.index('id="help-interpreters"') < page.index('id="help-orders"')


@pytest.mark.parametrize("language", ["fr", "en"])
def test_signed_out_visitors_get_every_portals_help(language):
    page = _get(Client(), reverse("portal:help"), language)
    for portal in help_pages.PORTALS:
        assert f'id="help-{portal}"' in page
    assert "mailto:" not in page


@pytest.mark.parametrize("language", ["fr", "en"])
def test_about_gives_the_version_and_the_notices_open_in_both_languages(language):
    about = _get(Client(), reverse("portal:about"), language)
    assert said(language, "Version") in about and help_pages.version() == "0.1.0"
    assert "<dd>0.1.0</dd>" in about
    assert said(language, "Terms of use") in _get(Client(), reverse("portal:terms"), language)
    assert said(language, "Privacy policy") in _get(Client(), reverse("portal:privacy"), language)
