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


@pytest.mark.parametrize("language", ["fr", "en"])
def test_an_administrator_invites_a_person_who_sets_their_password_then_enrols(
    live_server, context, demo, language
):
    from portal.models import Membership, Message, User

    organizations, users = demo
    admin = users["admin@demo.liaison.ca"]
    admin.preferred_language = language
    admin.save(update_fields=["preferred_language"])
    context.add_cookies([language_cookie(live_server.url, language), session_cookie(live_server.url, admin)])
    page = context.new_page()

    page.goto(live_server.url + reverse("portal:organization_detail", args=[organizations["department"].pk]))
    with page.expect_navigation():
        page.locator(f'main a[href="{reverse("portal:invite")}"]').click()
    page.locator("#id_email").fill("nadine.cormier@example.ca")
    page.locator("#id_first_name").fill("Nadine")
    page.locator("#id_last_name").fill("Cormier")
    page.locator('input[name="role"][value="orders.department_worker"]').check()
    page.locator(f'input[name="language"][value="{language}"]').check()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "nadine.cormier@example.ca" in page.locator("main").inner_text()

    person = User.objects.get(email="nadine.cormier@example.ca")
    assert Membership.objects.filter(user=person, organization=organizations["department"]).exists()
    message = Message.objects.get(recipient=person, template="portal/emails/invitation")
    assert message.language == language
    first_link = "/" + message.link.split("/", 3)[3]

    # The pending invitations: sent again (a new link; the first one stops working).
    with page.expect_navigation():
        page.locator(f'main a[href="{reverse("portal:invitations")}"]').click()
    row = page.locator("main tbody tr", has_text="nadine.cormier@example.ca")
    assert row.count() == 1
    with page.expect_navigation():
        row.locator("button[type=submit]").click()
    assert page.url == live_server.url + reverse("portal:invitations")
    assert "nadine.cormier@example.ca" in page.locator("main").inner_text()
    message = Message.objects.filter(recipient=person, template="portal/emails/invitation").latest("pk")
    link = "/" + message.link.split("/", 3)[3]
    assert link != first_link

    # Another invitation, withdrawn after its confirmation page.
    from portal.accounts.invitations import invite_member

    invite_member(
        inviter=admin,
        organization=organizations["department"],
        email="luc.leblanc@example.ca",
        first_name="Luc",
        last_name="LeBlanc",
        role="orders.department_worker",
        language=language,
    )
    page.reload()
    other = page.locator("main tbody tr", has_text="luc.leblanc@example.ca")
    with page.expect_navigation():
        other.locator("a").click()
    assert "luc.leblanc@example.ca" in page.locator("main").inner_text()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator("main tbody tr", has_text="luc.leblanc@example.ca").count() == 0
    assert page.locator("main tbody tr", has_text="nadine.cormier@example.ca").count() == 1
    assert not Membership.objects.filter(user__email="luc.leblanc@example.ca").exists()

    # The invited person, in a browser of their own.
    context.clear_cookies()
    context.add_cookies([language_cookie(live_server.url, language)])
    page.goto(live_server.url + link)
    assert page.locator("html").get_attribute("lang") == language
    page.locator("#id_new_password1").fill("Lighthouse-Moncton-2026")
    page.locator("#id_new_password2").fill("Lighthouse-Moncton-2026")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert reverse("portal:mfa_setup") in page.url
    assert page.locator("svg").count() >= 1  # the enrolment's QR code
    person.refresh_from_db()
    assert person.check_password("Lighthouse-Moncton-2026")

    # The link worked once; the first one, replaced, never again.
    page.goto(live_server.url + link)
    assert page.locator("#id_new_password1").count() == 0
    page.goto(live_server.url + first_link)
    assert page.locator("#id_new_password1").count() == 0
