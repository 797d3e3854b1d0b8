"""Every registered page, in French and in English, has no axe violation of WCAG 2.1 A and AA.

The pages only read, so the demo data is loaded once for the whole module and served by one live
server, instead of once per page and language; the database is emptied again at the end, as
transactional tests expect.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.test.utils import setup_databases, teardown_databases

from portal.demo import load_all_demo_data
from portal.models import User
from tests.browser import language_cookie, session_cookie
from tests.registry import NEWCOMER, PAGES

pytestmark = [pytest.mark.browser]

AXE = Axe()
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.mark.django_db
def test_every_page_is_registered_once():
    """(Also makes pytest-django set up the test database when this module runs alone.)"""
    names = [page.name for page in PAGES]
    assert len(names) == len(set(names))


def _is_test_database():
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    return "test" in name or "memory" in name


@pytest.fixture(scope="module")
def served(django_db_setup, django_db_blocker):
    from django.db import connection
    from pytest_django.live_server_helper import LiveServer

    # The live server's thread reads the database while the tests run: keep access open for the
    # whole module (as pytest-django's live_server does for one test).
    with django_db_blocker.unblock():
        own_setup = None
        if not _is_test_database():
            # Only these tests were selected (-k): pytest-django set up no test database for them.
            own_setup = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        # Never write to (or empty) anything but the test database.
        assert _is_test_database(), connection.settings_dict["NAME"]
        organizations, users = load_all_demo_data()
        users[NEWCOMER] = User.objects.create_user(email=NEWCOMER, password="Newcomer-password-2026")
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            yield server, {"organizations": organizations, "users": users}
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            call_command("flush", interactive=False, verbosity=0)
            if own_setup is not None:
                teardown_databases(own_setup, verbosity=0)


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("page_spec", PAGES, ids=[p.name for p in PAGES])
def test_page_has_no_accessibility_violation(served, context, page_spec, language, settings):
    live_server, world = served
    settings.DEBUG = page_spec.debug
    cookies = [language_cookie(live_server.url, language)]
    if page_spec.account:
        user = world["users"][page_spec.account]
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
        cookies.append(
            session_cookie(live_server.url, user, verified=page_spec.state == "verified", role=page_spec.role)
        )
    path = page_spec.path(world)
    context.add_cookies(cookies)
    page = context.new_page()
    response = page.goto(live_server.url + path)
    assert response.status == page_spec.status
    if page_spec.search:
        # Typed and sent with Enter, as a person does: the criteria go by POST (portal.search).
        for name, value in page_spec.search.items():
            page.locator(f'form[method="post"] [name="{name}"]').first.fill(value)
        with page.expect_navigation():
            page.locator(f'form[method="post"] [name="{name}"]').first.press("Enter")
        assert page.url.split("?")[0] == live_server.url + path.split("?")[0]
    assert page.locator("html").get_attribute("lang") == language

    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})

    assert results.violations_count == 0, results.generate_report()
    # Usable at 320 px: nothing forces a sideways scroll of the whole page.
    page.set_viewport_size({"width": 320, "height": 640})
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 320, f"{page_spec.name} is {scroll_width}px wide at 320px"
