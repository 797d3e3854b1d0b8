"""The decline form of a referral in real Chromium (issue 19, Chromium walk): "Autre" sat on the line
of the previous reason. Each reason is on a line of its own, below the previous one, inside the
fieldset its legend names, in both languages, at 1280 and 320 px."""

import os

import pytest
from django.urls import reverse

from portal.demo import load_all_demo_data
from referrals.models import Referral, ResponseStatus
from tests.browser import language_cookie, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("LIAISON_SCREENSHOTS")

CHOICES = """() => [...document.querySelectorAll('main fieldset .choice')].map(e => {
  const r = e.getBoundingClientRect();
  return {left: r.left, top: r.top, bottom: r.bottom, right: r.right, radios: e.querySelectorAll('input[type=radio]').length,
          legend: e.closest('fieldset').querySelector('legend').textContent.trim()};
})"""


@pytest.mark.parametrize("width", [1280, 320])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_each_decline_reason_is_on_its_own_line(live_server, browser, language, width):
    organizations, users = load_all_demo_data()
    referral = (
        Referral.objects.scoped("test: the demo's referral awaiting New Path's answer")
        .filter(agency=organizations["employment2"], response_status=ResponseStatus.AWAITING)
        .first()
    )
    assert referral is not None
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        context.add_cookies(
            [
                language_cookie(live_server.url, language),
                session_cookie(live_server.url, users["newpath@demo.liaison.ca"]),
            ]
        )
        page = context.new_page()
        page.goto(live_server.url + reverse("referrals:incoming_respond", args=[referral.pk, "decline"]))
        choices = page.evaluate(CHOICES)
        if SHOTS:
            page.locator("main fieldset").screenshot(
                path=os.path.join(SHOTS, f"decline-{language}-{width}.png")
            )
    finally:
        context.close()

    assert len(choices) == 5
    assert all(choice["radios"] == 1 and choice["legend"] for choice in choices)
    for previous, choice in zip(choices, choices[1:], strict=False):
        # Below the previous reason, never beside it; all aligned on the same left edge.
        assert choice["top"] >= previous["bottom"] - 0.5
        assert abs(choice["left"] - choices[0]["left"]) < 0.5
