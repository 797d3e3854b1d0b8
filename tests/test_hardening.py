"""Rules found by review: no self-service email change, re-authentication before changing the
second factor, trusted proxy addresses, fixed page sizes, the language chosen before sign-in."""

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from portal.middleware import TrustedProxyMiddleware
from tests.factories import PASSWORD, UserFactory
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/accounts/email/", "/accounts/confirm-email/", "/accounts/confirm-email/abc/"]
)
def test_people_cannot_change_their_sign_in_email_themselves(path):
    client = verified_client(UserFactory())
    assert client.get(path).status_code == 404
    assert client.post(path, {"email": "new@example.ca", "action_add": "1"}).status_code == 404


def test_replacing_the_authenticator_asks_for_the_password_again(client):
    user = UserFactory()
    client = verified_client(user)
    session = client.session
    session.pop("account_authentication_methods", None)
    session.save()
    response = client.get(reverse("portal:mfa_setup") + "?replace=1")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    response = client.post(reverse("portal:backup_codes"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    page = client.get(response["Location"])
    assert page.status_code == 200
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response.status_code == 302


def test_new_backup_codes_are_announced_to_the_owner(mailoutbox, django_capture_on_commit_callbacks):
    user = UserFactory(preferred_language="en")
    client = verified_client(user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:backup_codes"))
    assert [m.subject for m in mailoutbox] == ["Liaison: the security of your account has changed"]


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.1"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),
        (1, "", "10.0.0.1"),
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
    ],
)
def test_only_addresses_added_by_trusted_proxies_count(count, forwarded, expected):
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="10.0.0.1")
    with override_settings(PROXY_COUNT=count):
        TrustedProxyMiddleware(lambda r: None)(request)
    assert request.META["REMOTE_ADDR"] == expected
    assert "HTTP_X_FORWARDED_FOR" not in request.META


@pytest.mark.parametrize(
    "query", ["?per_page=-1", "?per_page=100000", "?page=999", "?page=0", "?sort=password"]
)
def test_list_pages_keep_their_page_size_and_never_fail(query):
    response = verified_client(UserFactory()).get(reverse("portal:task_list") + query)
    assert response.status_code in (200, 404)


def test_the_language_chosen_on_the_sign_in_page_is_kept(settings):
    user = UserFactory(preferred_language="fr")
    client = Client()
    client.post(reverse("portal:language"), {"language": "en", "next": "/"})
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    # The pages stay in the language chosen; the emails' language stays the profile's (issue 18).
    assert client.get(reverse("portal:mfa_setup")).headers["Content-Language"] == "en"
    user.refresh_from_db()
    assert user.preferred_language == "fr"


def test_files_under_media_are_never_served_directly(settings):
    settings.DEBUG = True
    client = verified_client(UserFactory(is_staff=True))
    assert client.get("/media/exports/2026/11/anything.csv").status_code == 404


def test_a_form_sent_after_the_session_ended_returns_to_its_page_after_sign_in():
    response = Client().post(
        "/role/", {"membership": "1"}, HTTP_REFERER="http://testserver/orders/dashboard/?x=1"
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/orders/dashboard/%3Fx%3D1"
    response = Client().post("/role/", {}, HTTP_REFERER="https://evil.example.com/")
    assert response["Location"] == "/accounts/login/?next=/"
