"""The appointments waitlist in real Chromium, in French and in English (issue 20): a search that
finds no place offers the waitlist; the person signs up with the keyboard alone and reads the
confirmation; the entry is saved in their language with their postal code's area."""

import re

import pytest
from django.urls import reverse

from appointments.models import ClinicSettings, WaitlistEntry
from appointments.tests.conftest import World
from tests.browser import language_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The catalogue gets the French of the new strings later: either language is accepted for those.
JOIN = re.compile("Join the waitlist|liste d.attente", re.IGNORECASE)
DONE = re.compile("You are on the waitlist for|Vous êtes sur la liste d.attente pour")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_search_without_places_leads_to_the_waitlist(live_server, context, language):
    world = World()
    ClinicSettings.objects.create(organization=world.clinic, online_booking_open=True)
    context.add_cookies([language_cookie(live_server.url, language)])
    page = context.new_page()
    search = reverse("appointments:public_search", args=[world.clinic.pk])
    page.goto(f"{live_server.url}{search}?service={world.first.pk}&postal_code=E1C+4M2")
    link = page.get_by_role("link", name=JOIN).first
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("input[name=postal_code]").input_value() == "E1C 4M2"
    # Keyboard only: the email, then the consent (Space), then Enter on the button.
    page.locator("input[name=email]").focus()
    page.keyboard.type("anne@example.com")
    page.locator("input[name=accept_terms]").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name=JOIN).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert DONE.search(page.locator("main").inner_text())
    entry = WaitlistEntry.objects.get(service=world.first)
    assert (entry.email, entry.area, entry.language) == ("anne@example.com", "E1C", language)
    page.close()
