"""Real Chromium (Debian's) driven by Playwright against the live test server.

Pages are opened as the demo accounts; sessions are made server-side and handed to the browser
as cookies, so that each page is reached in the state it needs (signed out, password only,
new account, or past the second factor).
"""

import os
import shutil

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_available():
    return os.path.exists(CHROMIUM) or shutil.which("chromium") is not None


@pytest.fixture(scope="session")
def browser():
    if not chromium_available():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    yield context
    context.close()


def session_cookie(live_server_url, user, *, verified=True, role=None):
    """A signed-in session for `user` (past the second factor when `verified`), as a cookie;
    `role` chooses the active membership of someone with several."""
    session = SessionStore()
    if role:
        from portal.middleware import ACTIVE_MEMBERSHIP_SESSION_KEY

        session[ACTIVE_MEMBERSHIP_SESSION_KEY] = user.memberships.get(role=role).pk
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "allauth.account.auth_backends.AuthenticationBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if verified:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    return {"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": live_server_url}


def language_cookie(live_server_url, language):
    return {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server_url}


def sign_in(context, live_server, user, language, role=None):
    """Open the browser's pages as `user` (in `role`, for someone with several), in `language`: the
    person's preferred language and the language cookie both say it."""
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    context.clear_cookies()
    context.add_cookies(
        [language_cookie(live_server.url, language), session_cookie(live_server.url, user, role=role)]
    )
