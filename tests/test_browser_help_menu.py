"""The header's "?" menu (issue 19), in real Chromium, in French and in English: it looks like the
header's other buttons, opens with the keyboard (Enter or Space), its links read dark on white
over the page, Escape closes it and gives the focus back, and it has no accessibility violation
while open; a coordinator reaches the help they write from it."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import translation

from portal.demo import load_all_demo_data
from tests.browser import language_cookie, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WHITE = "rgb(255, 255, 255)"


def _t(text, language):
    with translation.override(language):
        return translation.gettext(text)


def _tab_to(page, selector, limit=40):
    """Press Tab until the element is focused (as a keyboard user gets there)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
            return
    raise AssertionError(f"{selector} was not reached with Tab")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_help_menu_opens_by_keyboard_and_reads_like_the_other_header_menus(
    live_server, context, language
):
    context.add_cookies([language_cookie(live_server.url, language)])
    page = context.new_page()
    page.goto(live_server.url + reverse("account_login"))
    menu = page.locator("details.help-menu")
    summary = menu.locator("summary")

    # A button like the language toggle beside it: white, the brand colour, no disclosure triangle.
    toggle = page.locator(".language-toggle button")
    for prop in ("background-color", "color", "border-top-color"):
        style = f"(element) => getComputedStyle(element).getPropertyValue('{prop}')"
        assert summary.evaluate(style) == toggle.evaluate(style), prop
    assert summary.evaluate("(element) => getComputedStyle(element).display") == "inline-flex"
    assert menu.locator("ul").is_hidden()

    _tab_to(page, "details.help-menu > summary")
    page.keyboard.press("Enter")
    links = menu.locator("ul a")
    assert links.first.is_visible() and links.count() == 5
    assert links.first.inner_text() == _t("Help", language)
    # Over the page, dark links on white (not the header's white links).
    assert menu.locator("ul").evaluate("(element) => getComputedStyle(element).position") == "absolute"
    assert menu.locator("ul").evaluate("(element) => getComputedStyle(element).backgroundColor") == WHITE
    assert links.first.evaluate("(element) => getComputedStyle(element).color") != WHITE
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.violations_count == 0, results.generate_report()

    # Tab goes into the list; Escape closes it and gives the focus back to its button.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('details.help-menu ul') !== null")
    page.keyboard.press("Escape")
    assert menu.locator("ul").is_hidden()
    assert page.evaluate("document.activeElement.matches('details.help-menu > summary')")
    # Space opens it too; a click elsewhere closes it.
    page.keyboard.press(" ")
    assert links.first.is_visible()
    page.locator("h1").click()
    assert menu.locator("ul").is_hidden()

    # Enter on a link follows it.
    summary.focus()
    page.keyboard.press("Enter")
    links.first.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(reverse("portal:help"))


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_coordinator_goes_from_the_menu_to_the_help_they_write(live_server, context, language):
    _organizations, users = load_all_demo_data()
    sign_in(
        context, live_server, users["coordinator@demo.liaison.ca"], language, role="interpreters.coordinator"
    )
    page = context.new_page()
    page.goto(live_server.url + reverse("portal:home"))
    page.locator("details.help-menu > summary").click()
    page.locator("details.help-menu ul a").first.click()
    page.wait_for_load_state()
    written = "bank@demo.liaison.ca"
    assert page.locator("#help-interpreters").is_visible() and page.get_by_text(written).first.is_visible()

    page.get_by_role("link", name=_t("Edit this help", language)).click()
    page.wait_for_load_state()
    field = page.get_by_label(_t("Good practices, in English", language))
    field.fill("Book two working days ahead.")
    page.get_by_role("button", name=_t("Save the help page", language)).click()
    page.wait_for_load_state()
    assert page.get_by_text(_t("The help page was saved.", language)).is_visible()
    if language == "en":
        assert page.get_by_text("Book two working days ahead.").is_visible()
    else:
        assert page.get_by_text("Faites la demande au moins deux jours ouvrables d'avance.").is_visible()
