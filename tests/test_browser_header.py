"""The header at the widths people use (issue 18, Chromium walk): at 1280 px in French the role
select was cut. At 1280 and 320 px, in both languages, nothing in the header is cut, overflows the
page or overlaps another item, and the role select shows its whole selected text."""

import os

import pytest
from django.urls import reverse

from portal.demo import load_all_demo_data
from tests.browser import language_cookie, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORKER = "worker@demo.liaison.ca"  # two roles: the header shows the role select
SHOTS = os.environ.get("LIAISON_SCREENSHOTS")  # a folder: screenshots of each width, to look at

# Every item of the header as a box, and each role of the opened role menu: its text must not be
# clipped (its content no wider than its box) nor reach past the page's edge.
MEASURE = """() => {
  const header = document.querySelector('.site-header');
  const box = e => { const r = e.getBoundingClientRect();
                     return {name: (e.className || e.tagName) + ' ' + e.textContent.trim().slice(0, 40),
                             left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                             clipped: e.scrollWidth > e.clientWidth + 1}; };
  const items = [...header.querySelectorAll(
      '.brand, .context, .language-toggle, .help-menu > summary, .role-menu > summary, .user-menu > ul > li:not(.role-menu-item)')]
    .filter(e => e.offsetParent !== null).map(box);
  const roles = [...header.querySelectorAll('.role-menu__list li > *')].filter(e => e.offsetParent !== null).map(box);
  return {items, roles, viewport: window.innerWidth, scroll: document.documentElement.scrollWidth};
}"""


@pytest.fixture
def demo():
    return load_all_demo_data()


def _overlap(a, b):
    return (
        a["left"] < b["right"] - 1
        and b["left"] < a["right"] - 1
        and a["top"] < b["bottom"] - 1
        and b["top"] < a["bottom"] - 1
    )


@pytest.mark.parametrize("width", [1280, 320])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_header_fits_without_cut_or_overlap(live_server, browser, demo, language, width):
    _organizations, users = demo
    user = users[WORKER]
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        context.add_cookies(
            [language_cookie(live_server.url, language), session_cookie(live_server.url, user)]
        )
        page = context.new_page()
        page.goto(live_server.url + reverse("portal:home"))
        closed = page.evaluate(MEASURE)
        if SHOTS:
            page.locator(".site-header").screenshot(
                path=os.path.join(SHOTS, f"closed-{language}-{width}.png")
            )
        page.locator(".role-menu > summary").click()
        measures = page.evaluate(MEASURE)
        if SHOTS:
            page.locator(".site-header").screenshot(
                path=os.path.join(SHOTS, f"header-{language}-{width}.png")
            )
    finally:
        context.close()

    assert closed["scroll"] <= closed["viewport"] and measures["scroll"] <= measures["viewport"], (
        "the page scrolls sideways"
    )
    for item in closed["items"]:
        assert item["right"] <= closed["viewport"] + 0.5 and not item["clipped"], f"{item['name']} is cut"
    roles = measures["roles"]
    assert len(roles) == 2, "both roles are listed once the menu is open"
    for item in measures["items"] + roles:
        assert item["right"] <= measures["viewport"] + 0.5, f"{item['name']} goes past the page's edge"
        assert not item["clipped"], f"{item['name']} is cut"
    boxes = measures["items"] + roles
    for index, first in enumerate(boxes):
        for second in boxes[index + 1 :]:
            assert not _overlap(first, second), f"{first['name']} overlaps {second['name']}"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_escape_closes_the_role_menu_and_gives_the_focus_back(live_server, browser, demo, language):
    # Browser walk: Escape left the open role menu open (the "?" menu closed).
    _organizations, users = demo
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        context.add_cookies(
            [language_cookie(live_server.url, language), session_cookie(live_server.url, users[WORKER])]
        )
        page = context.new_page()
        page.goto(live_server.url + reverse("portal:home"))
        summary = page.locator(".role-menu > summary")
        summary.focus()
        page.keyboard.press("Enter")
        assert page.evaluate("document.querySelector('details.role-menu').open")
        page.keyboard.press("Tab")
        page.keyboard.press("Escape")
        assert not page.evaluate("document.querySelector('details.role-menu').open")
        assert page.evaluate("document.activeElement.matches('details.role-menu > summary')")
    finally:
        context.close()
