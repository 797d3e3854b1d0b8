"""Profile, language toggle and bad input: clear translated messages, nothing saved, never a 5xx."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db

VALID = {"first_name": "Anne", "last_name": "Arsenault", "phone": "506 555 0123", "preferred_language": "fr"}


def test_it_saves_the_profile():
    user = UserFactory()
    response = verified_client(user).post(reverse("portal:profile"), VALID)
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.first_name, str(user.phone)) == ("Anne", "+15065550123")


@pytest.mark.parametrize(
    ("field", "value", "message_fr"),
    [
        ("phone", "not a phone", "Entrez un numéro de téléphone valide"),
        ("phone", "123", "Entrez un numéro de téléphone valide"),
        ("first_name", "", "Ce champ est obligatoire."),
        ("first_name", "x" * 151, "au plus 150 caractères"),
        ("preferred_language", "de", "Sélectionnez un choix valide"),
    ],
)
def test_bad_profile_values_get_a_translated_message_next_to_the_field_and_save_nothing(
    field, value, message_fr
):
    user = UserFactory(first_name="Original")
    response = verified_client(user).post(reverse("portal:profile"), {**VALID, field: value})
    assert response.status_code == 200
    page = response.content.decode()
    assert message_fr in page
    assert f'id="id_{field}_errors"' in page
    assert 'aria-invalid="true"' in page
    user.refresh_from_db()
    assert user.first_name == "Original"


def test_the_language_toggle_keeps_the_page_and_leaves_the_language_of_the_emails():
    user = UserFactory(preferred_language="fr")
    client = verified_client(user)
    response = client.post(reverse("portal:language"), {"language": "en", "next": "/profile/?tab=1"})
    assert response["Location"] == "/profile/?tab=1"
    user.refresh_from_db()
    # Issue 18: the pages' language only; emails stay in the profile's language.
    assert user.preferred_language == "fr"
    page = client.get("/profile/").content.decode()
    assert "My profile" in page
    radio = page.split('name="preferred_language" value="fr"')[1].split(">")[0]
    assert "checked" in radio


def test_the_profile_sets_the_language_of_the_emails_and_the_pages_keep_the_toggle():
    from portal.models import Message
    from portal.services import notify

    user = UserFactory(preferred_language="fr")
    client = verified_client(user)
    client.post(reverse("portal:language"), {"language": "fr", "next": "/"})

    client.post(reverse("portal:profile"), {**VALID, "preferred_language": "en"})

    user.refresh_from_db()
    assert user.preferred_language == "en"
    assert "Mon profil" in client.get("/profile/").content.decode()
    notify(key="test-language", template="portal/emails/security_change", recipient=user, context={})
    assert Message.objects.get(key__startswith="test-language").language == "en"


def test_without_a_toggle_the_pages_follow_the_profile():
    user = UserFactory(preferred_language="en")
    assert "My profile" in verified_client(user).get("/profile/").content.decode()


def test_the_language_toggle_works_signed_out_with_a_cookie():
    client = Client()
    client.post(reverse("portal:language"), {"language": "en", "next": reverse("account_login")})
    assert "Sign in to Liaison" in client.get(reverse("account_login")).content.decode()
    client.post(reverse("portal:language"), {"language": "fr", "next": reverse("account_login")})
    assert "Se connecter à Liaison" in client.get(reverse("account_login")).content.decode()


@pytest.mark.parametrize(
    "next_url", ["https://evil.example.com/", "//evil.example.com/", "javascript:alert(1)"]
)
def test_the_language_toggle_never_redirects_elsewhere(next_url):
    response = Client().post(reverse("portal:language"), {"language": "en", "next": next_url})
    assert response["Location"] == reverse("portal:home")


def test_an_unknown_language_changes_nothing():
    user = UserFactory(preferred_language="fr")
    verified_client(user).post(reverse("portal:language"), {"language": "xx", "next": "/"})
    user.refresh_from_db()
    assert user.preferred_language == "fr"


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"login": "not-an-email", "password": "x"},
        {"login": "", "password": ""},
        {"login": "a@b.c" * 100, "password": "x"},
    ],
)
def test_the_sign_in_form_rejects_bad_values_with_a_translated_message(data):
    response = Client(headers={"accept-language": "fr"}).post(reverse("account_login"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "errorlist" in page
    assert "Veuillez corriger" in page


def test_a_wrong_password_says_so_without_telling_which_part_is_wrong():
    user = UserFactory()
    response = Client(headers={"accept-language": "en"}).post(
        reverse("account_login"), {"login": user.email, "password": "wrong-password-1"}
    )
    assert "not correct" in response.content.decode()


@pytest.mark.parametrize("code", ["", "abc", "12345", "1234567", "12 34 56", "<script>", "9" * 16])
def test_the_second_factor_form_never_fails_on_bad_input(code):
    user = UserFactory()
    client = Client()
    client.post(reverse("account_login"), {"login": user.email, "password": "Correct-horse-battery-9"})
    for url in (reverse("portal:mfa_setup"), reverse("portal:mfa_verify")):
        response = client.post(url, {"code": code}, follow=True)
        assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/organizations/abc/",
        "/organizations/999999999999999999999/",
        "/notifications/0/",
        "/tasks/1/done/",
        "/?page=-1",
        "/outbox/?page=abc&sort=nonsense",
    ],
)
def test_odd_urls_never_produce_a_server_error(path, settings):
    settings.DEBUG = True
    client = verified_client(UserFactory(is_staff=True))
    assert client.get(path).status_code < 500
