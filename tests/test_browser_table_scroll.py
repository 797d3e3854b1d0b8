"""A table wider than the screen (browser walk: the invitations at 375 px, 611 px of table in a
343 px box) scrolls in a box the keyboard reaches, named for what it holds; at 1280 px, where it
does not scroll, the box is no tab stop."""

import pytest
from django.urls import reverse

from portal.demo import load_all_demo_data
from tests.browser import language_cookie, session_cookie
from tests.registry import _invitation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADMIN = "admin@demo.liaison.ca"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_table_that_scrolls_is_a_named_region_the_keyboard_reaches(live_server, browser, language):
    organizations, users = load_all_demo_data()
    _invitation({"organizations": organizations})
    for width, scrolls in ((320, True), (1280, False)):
        context = browser.new_context(viewport={"width": width, "height": 800})
        try:
            context.add_cookies(
                [language_cookie(live_server.url, language), session_cookie(live_server.url, users[ADMIN])]
            )
            page = context.new_page()
            page.goto(live_server.url + reverse("portal:invitations"))
            wrap = page.locator("main .table-wrap").first
            page.wait_for_load_state("load")
            state = wrap.evaluate(
                "w => ({scrolls: w.scrollWidth > w.clientWidth + 1, tab: w.getAttribute('tabindex'),"
                " role: w.getAttribute('role'), name: w.getAttribute('aria-label')})"
            )
            assert state["scrolls"] is scrolls
            if scrolls:
                assert state["tab"] == "0" and state["role"] == "region" and state["name"]
                wrap.focus()
                assert page.evaluate("document.activeElement.classList.contains('table-wrap')")
                page.keyboard.press("ArrowRight")
                page.wait_for_function(
                    "() => document.querySelector('main .table-wrap').scrollLeft > 0", timeout=5000
                )
            else:
                assert state["tab"] is None and state["role"] is None
        finally:
            context.close()
