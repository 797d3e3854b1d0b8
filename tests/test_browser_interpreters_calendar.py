"""The coordinator's calendar of one interpreter (issue 19, beyond the guides), in real Chromium, in
French and in English, by keyboard only: from the bank's list open an interpreter, then their
calendar, then the next week; the week fits a 1280-pixel screen."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from interpreters.models import HOLDING_STATUSES, InterpreterProfile, Request
from portal import dates
from portal.demo import load_all_demo_data
from tests.browser import language_cookie, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
COORDINATOR = "coordinator@demo.liaison.ca"


def _t(text, language, **params):
    with translation.override(language):
        value = translation.gettext(text)
    return value % params if params else value


def _tab_to(page, name, limit=80):
    """Press Tab until the focused element's text is `name` (what a keyboard user does)."""
    for _step in range(limit):
        page.keyboard.press("Tab")
        text = page.evaluate("() => (document.activeElement.innerText || '').replace(/\\s+/g, ' ').trim()")
        if text == name:
            return
    raise AssertionError(f"{name!r} was not reached with Tab")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_coordinator_opens_an_interpreter_then_their_calendar_then_next_week_by_keyboard(
    live_server, context, language
):
    _organizations, users = load_all_demo_data()
    coordinator = users[COORDINATOR]
    coordinator.preferred_language = language
    coordinator.save(update_fields=["preferred_language"])
    bank = coordinator.memberships.get(role="interpreters.coordinator").organization
    # The demo interpreter with an assignment still to come: it is shown in the week of its date.
    held = (
        Request.objects.filter(bank=bank, status__in=HOLDING_STATUSES, starts_at__gte=timezone.now())
        .order_by("starts_at")
        .first()
    )
    interpreter = held.interpreter if held else InterpreterProfile.objects.filter(bank=bank).first()
    context.add_cookies(
        [
            language_cookie(live_server.url, language),
            session_cookie(live_server.url, coordinator, role="interpreters.coordinator"),
        ]
    )
    page = context.new_page()
    page.goto(live_server.url + reverse("interpreters:interpreters"))

    _tab_to(page, str(interpreter))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('interpreters:interpreter_edit', args=[interpreter.pk])}")

    calendar_link = _t("Calendar of %(name)s", language, name=str(interpreter))
    _tab_to(page, calendar_link)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('interpreters:interpreter_calendar', args=[interpreter.pk])}")
    assert page.get_by_role("heading", level=1).inner_text() == calendar_link
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    with translation.override(language):
        week_of = _t("Week of %(day)s", language, day=dates.long_date(monday))
        next_week_of = _t("Week of %(day)s", language, day=dates.long_date(monday + timedelta(days=7)))
    assert page.get_by_role("heading", level=2).inner_text() == week_of
    # The week's seven columns fit the screen: no sideways scrolling.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1280

    _tab_to(page, _t("Next week", language))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**date={(today + timedelta(days=7)).isoformat()}")
    assert page.get_by_role("heading", level=2).inner_text() == next_week_of

    # "Today" brings the week of today back; the week of the next assignment lists its number.
    _tab_to(page, _t("Today", language))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**date={today.isoformat()}")
    if held is not None:
        page.goto(
            live_server.url
            + reverse("interpreters:interpreter_calendar", args=[interpreter.pk])
            + f"?view=week&date={timezone.localdate(held.starts_at).isoformat()}"
        )
        assert page.get_by_role("link", name=held.number).is_visible()
