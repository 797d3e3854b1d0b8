"""Every registered page, in French and in English, has no axe violation of WCAG 2.1 A and AA."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from portal.demo import load_all_demo_data
from portal.models import User
from tests.browser import language_cookie, session_cookie
from tests.registry import NEWCOMER, PAGES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def world():
    organizations, users = load_all_demo_data()
    users[NEWCOMER] = User.objects.create_user(email=NEWCOMER, password="Newcomer-password-2026")
    return {"organizations": organizations, "users": users}


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("page_spec", PAGES, ids=[p.name for p in PAGES])
def test_page_has_no_accessibility_violation(live_server, context, world, page_spec, language, settings):
    settings.DEBUG = page_spec.debug
    cookies = [language_cookie(live_server.url, language)]
    if page_spec.account:
        user = world["users"][page_spec.account]
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
        cookies.append(
            session_cookie(live_server.url, user, verified=page_spec.state == "verified", role=page_spec.role)
        )
    context.add_cookies(cookies)
    page = context.new_page()
    response = page.goto(live_server.url + page_spec.path(world))
    assert response.status == page_spec.status
    assert page.locator("html").get_attribute("lang") == language

    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})

    assert results.violations_count == 0, results.generate_report()
    # Usable at 320 px: nothing forces a sideways scroll of the whole page.
    page.set_viewport_size({"width": 320, "height": 640})
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 320, f"{page_spec.name} is {scroll_width}px wide at 320px"
