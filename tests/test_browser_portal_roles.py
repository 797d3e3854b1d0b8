"""Portal-wide flows of issue 18 in real Chromium, in French and in English: a link of another role
opened with one click, focus on the second-factor code."""

import pytest
from django.urls import reverse
from django.utils import translation

from portal.demo import load_all_demo_data
from tests.browser import language_cookie, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COORDINATOR = "coordinator@demo.liaison.ca"


@pytest.fixture
def demo():
    return load_all_demo_data()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_link_of_another_role_opens_after_one_click_on_the_offered_switch(
    live_server, context, demo, language
):
    _organizations, users = demo
    user = users[COORDINATOR]
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    coordinator = user.memberships.get(role="interpreters.coordinator")
    context.add_cookies(
        [
            language_cookie(live_server.url, language),
            session_cookie(live_server.url, user, role="interpreters.interpreter"),
        ]
    )
    page = context.new_page()
    queue = reverse("interpreters:queue")
    with translation.override(language):
        role_label = str(coordinator.role_label)

    response = page.goto(live_server.url + queue)

    assert response.status == 403
    assert page.locator("html").get_attribute("lang") == language
    offer = page.locator(f'main form:has(input[name="membership"][value="{coordinator.pk}"])')
    assert role_label in offer.inner_text()
    with page.expect_navigation():
        offer.get_by_role("button").click()
    assert page.url == live_server.url + queue
    assert role_label in page.locator(".context__role").inner_text()
    assert page.locator("main h1").inner_text()
    assert page.evaluate("document.title")
    # The queue itself, not an error page.
    assert "403" not in page.title()
