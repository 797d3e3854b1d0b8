"""The platform's main flows in real Chromium, by keyboard and mouse, in French and in English."""

import re

import pytest
from django.urls import reverse

from portal.demo import DEMO_PASSWORD, load_all_demo_data
from tests.browser import language_cookie
from tests.helpers import current_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "fr": {
        "sign_in": "Se connecter",
        "verify": "Vérifier",
        "role": "Changer de rôle",
        "sign_out": "Se déconnecter",
        "other": "English",
        "members": "Membres",
        "tasks": "Mes tâches",
        "email": "Courriel",
        "password": "Mot de passe",
        "code": "Code",
    },
    "en": {
        "sign_in": "Sign in",
        "verify": "Verify",
        "role": "Change role",
        "sign_out": "Sign out",
        "other": "Français",
        "members": "Members",
        "tasks": "My tasks",
        "email": "Email",
        "password": "Password",
        "code": "Code",
    },
}


@pytest.fixture
def demo():
    organizations, users = load_all_demo_data()
    return organizations, users


def sign_in(page, words, email, device):
    page.get_by_label(words["email"]).fill(email)
    page.get_by_label(words["password"], exact=False).first.fill(DEMO_PASSWORD)
    page.get_by_role("button", name=words["sign_in"], exact=True).click()
    page.get_by_role("textbox", name=re.compile(words["code"])).fill(current_code(device))
    page.get_by_role("button", name=words["verify"]).click()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_deep_link_sign_in_with_second_factor_then_language_role_and_sign_out(
    live_server, context, demo, language
):
    organizations, users = demo
    user = users["financecoord@demo.liaison.ca"]
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    device = user.totpdevice_set.get()
    words, other = WORDS[language], WORDS["en" if language == "fr" else "fr"]
    context.add_cookies([language_cookie(live_server.url, language)])
    page = context.new_page()

    # A deep link opened while signed out: sign-in page first, with `next` kept.
    target = reverse("portal:organization_detail", args=[organizations["provider"].pk])
    page.goto(live_server.url + target)
    assert "/accounts/login/" in page.url

    sign_in(page, words, user.email, device)
    # The first role (Finance and care coordination) may not see members: switch role first.
    assert page.url.endswith(target)
    assert page.get_by_role("heading", level=1).inner_text()

    # Switch the active role with the keyboard only.
    page.goto(live_server.url + "/")
    # The role menu is a disclosure of buttons (a select cut the roles' names): open it with the
    # keyboard, then Tab to the other role's button, which says what it does.
    page.locator("#active-role > summary").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    administrator = user.memberships.get(role="portal.administrator").pk
    assert page.evaluate("document.activeElement.value") == str(administrator)
    assert page.evaluate("document.activeElement.textContent.trim()").startswith(words["role"])
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "administrat" in page.locator(".context__role").inner_text().lower()
    page.goto(live_server.url + target)
    assert page.get_by_role("heading", name=words["members"]).is_visible()

    # Switch language: same page, other language; the emails' language stays the profile's (issue 18).
    with page.expect_navigation():
        page.get_by_role("button", name=words["other"]).click()
    assert page.url.endswith(target)
    assert page.locator("html").get_attribute("lang") != language
    assert page.get_by_role("heading", name=other["members"]).is_visible()
    user.refresh_from_db()
    assert user.preferred_language == language

    # Sign out: back to sign-in, and the record is closed again.
    with page.expect_navigation():
        page.get_by_role("button", name=other["sign_out"]).click()
    page.goto(live_server.url + target)
    assert "/accounts/login/" in page.url


def test_the_skip_link_is_the_first_stop_and_reaches_the_main_content(live_server, context):
    page = context.new_page()
    page.goto(live_server.url + reverse("account_login"))
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_a_new_account_enrols_its_authenticator_in_the_browser(live_server, context):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from portal.models import User

    user = User.objects.create_user(
        email="new@example.ca", password="Newcomer-password-2026", preferred_language="en"
    )
    context.add_cookies([language_cookie(live_server.url, "en")])
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill("Newcomer-password-2026")
    page.get_by_role("button", name="Sign in", exact=True).click()
    assert "/security/setup/" in page.url
    assert page.locator("svg").count() >= 1
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page.get_by_role("textbox", name=re.compile("Code")).fill(current_code(device))
    page.get_by_role("button", name="Confirm").click()
    assert "/security/backup-codes/" in page.url
    assert page.locator(".codes li").count() == 10
    page.get_by_role("link", name=re.compile("continue")).click()
    assert page.get_by_role("heading", name="My tasks").is_visible()
