"""The waiting room in real Chromium (issue 16): at 1 visitor a minute a second visitor sees the line
page, which refreshes itself without JavaScript and lets them in once their minute has passed (the
server's clock travels with time-machine: the live server runs in this process); with JavaScript
the polite live region is updated from the line and the page goes on to booking by itself; the
line page has no axe violation and is used with the keyboard."""

from datetime import timedelta

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from appointments.models import ClinicSettings
from appointments.tests.conftest import World
from portal import waiting_room
from tests.browser import language_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _in_line(language):
    # "Vous êtes dans la file d'attente" once the French catalogue has it.
    with translation.override(language):
        return translation.gettext("You are in line")


@pytest.fixture
def clinic(settings):
    settings.REDIS_URL = ""
    cache.clear()
    world = World()
    ClinicSettings.objects.update_or_create(organization=world.clinic, defaults={"online_booking_open": True})
    yield world
    cache.clear()


def _new_context(browser, live_server, language, **options):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **options)
    context.set_default_timeout(15000)
    context.add_cookies([language_cookie(live_server.url, language)])
    return context


def test_at_one_a_minute_the_second_visitor_waits_then_is_let_in(browser, live_server, clinic):
    waiting_room.configure(organization=clinic.clinic, is_on=True, per_minute=1)
    search = live_server.url + reverse("appointments:public_search", args=[clinic.clinic.pk])
    with time_machine.travel(timezone.now(), tick=True) as clock:
        first = _new_context(browser, live_server, "en")
        # Without JavaScript: only the <noscript> refresh brings the page back.
        second = _new_context(browser, live_server, "en", java_script_enabled=False)
        try:
            page = first.new_page()
            page.goto(search)
            assert page.locator("h1").inner_text() == "Book your appointment"
            waiting = second.new_page()
            waiting.goto(search)
            assert waiting.locator("h1").inner_text() == "You are in line"
            assert "position 1, about 1 minute" in waiting.get_by_role("status").inner_text()
            refresh = waiting.locator('meta[http-equiv="refresh"]')
            assert refresh.count() == 1 and refresh.get_attribute("content").startswith("30; url=")
            # The first visitor goes on booking meanwhile.
            page.goto(search)
            assert page.locator("h1").inner_text() == "Book your appointment"
            clock.shift(timedelta(minutes=1))
            waiting.reload()  # what the refresh does after its 30 seconds
            assert waiting.locator("h1").inner_text() == "Book your appointment"
        finally:
            first.close()
            second.close()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_line_page_updates_itself_is_axe_clean_and_keyboard_usable(
    browser, live_server, clinic, language
):
    # 12 a minute: the second visitor's turn comes 5 seconds later, the page's first poll.
    waiting_room.configure(organization=clinic.clinic, is_on=True, per_minute=12)
    search = live_server.url + reverse("appointments:public_search", args=[clinic.clinic.pk])
    first = _new_context(browser, live_server, language)
    second = _new_context(browser, live_server, language)
    try:
        first.new_page().goto(search)
        page = second.new_page()
        page.goto(search)
        assert page.locator("h1").inner_text() == _in_line(language)
        status = page.get_by_role("status")
        assert status.get_attribute("aria-live") == "polite"
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        assert results.violations_count == 0, results.generate_report()
        # The keyboard reaches the skip link, then the clinic's links (cancelling needs no wait).
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip-link"
        focused = []
        for _index in range(6):
            page.keyboard.press("Tab")
            focused.append(page.evaluate("document.activeElement.getAttribute('href') || ''"))
        assert reverse("appointments:public_cancel", args=[clinic.clinic.pk]) in focused
        # The script asks the line and, the turn come, goes on to booking by itself.
        page.wait_for_function(
            "text => document.querySelector('h1') && document.querySelector('h1').textContent !== text",
            arg=_in_line(language),
            timeout=20000,
        )
        assert page.locator("form.search-form").count() == 1
    finally:
        first.close()
        second.close()
