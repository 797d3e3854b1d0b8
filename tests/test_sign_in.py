"""Sign-in, second factor, lockout, passwords and session limits."""

import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import Message, MessageStatus
from tests.factories import PASSWORD, MembershipFactory, UserFactory, totp_device
from tests.helpers import current_code, verified_client

pytestmark = pytest.mark.django_db


def sign_in(client, email, password=PASSWORD, next_url=None):
    url = reverse("account_login")
    if next_url:
        url += "?" + urlencode({"next": next_url})
    data = {"login": email, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(url, data)


def test_it_sends_anonymous_visitors_to_sign_in_with_next():
    response = Client().get("/profile/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/profile/"


def test_the_sign_in_page_is_bilingual():
    french = Client(headers={"accept-language": "fr"}).get(reverse("account_login"))
    english = Client(headers={"accept-language": "en"}).get(reverse("account_login"))
    assert "Se connecter à Liaison" in french.content.decode()
    assert "Sign in to Liaison" in english.content.decode()
    assert '<html lang="fr">' in french.content.decode()
    assert '<html lang="en">' in english.content.decode()


def test_it_asks_a_new_account_to_enrol_an_authenticator_before_anything_else():
    user = UserFactory()
    client = Client()
    response = sign_in(client, user.email)
    assert response.status_code == 302
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:mfa_setup"))


def test_enrolment_shows_a_qr_code_and_confirms_with_a_code_then_gives_backup_codes():
    user = UserFactory()
    client = Client()
    sign_in(client, user.email)
    page = client.get(reverse("portal:mfa_setup"))
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("portal:mfa_setup") + "?next=/profile/", {"code": current_code(device)})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:backup_codes"))
    codes_page = client.get(response["Location"])
    assert codes_page.status_code == 200
    assert StaticToken.objects.filter(device__user=user).count() == 10
    for token in StaticToken.objects.filter(device__user=user):
        assert token.token in codes_page.content.decode()
    # Shown once only.
    assert (
        StaticToken.objects.first().token not in client.get(reverse("portal:backup_codes")).content.decode()
    )
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/profile/").status_code == 200


def test_enrolment_rejects_a_wrong_code_with_a_message_and_enrols_nothing():
    user = UserFactory(preferred_language="en")
    client = Client(headers={"accept-language": "en"})
    sign_in(client, user.email)
    client.get(reverse("portal:mfa_setup"))
    response = client.post(reverse("portal:mfa_setup"), {"code": "000000"})
    assert response.status_code == 200
    assert "This code is not valid" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    response = client.post(reverse("portal:mfa_setup"), {"code": "12ab"})
    assert "Enter the 6 digits shown by your authenticator app." in response.content.decode()


def test_a_deep_link_opened_signed_out_lands_on_the_record_after_both_steps():
    membership = MembershipFactory(role="portal.administrator")
    user = membership.user
    device = totp_device(user)
    target = reverse("portal:organization_detail", args=[membership.organization.pk])
    client = Client()
    response = client.get(target)
    assert response["Location"] == f"/accounts/login/?next={target}"
    response = sign_in(client, user.email, next_url=target)
    assert response["Location"] == target
    response = client.get(target)
    assert response["Location"] == f"{reverse('portal:mfa_verify')}?{urlencode({'next': target})}"
    response = client.post(response["Location"], {"code": current_code(device), "next": target})
    assert response["Location"] == target
    assert client.get(target).status_code == 200


def test_a_backup_code_works_once():
    user = UserFactory(preferred_language="en")
    totp_device(user)
    from portal.accounts.services import regenerate_backup_codes

    code = regenerate_backup_codes(user=user)[0]
    first = Client()
    sign_in(first, user.email)
    assert first.post(reverse("portal:mfa_verify"), {"code": code})["Location"] == "/"
    second = Client(headers={"accept-language": "en"})
    sign_in(second, user.email)
    response = second.post(reverse("portal:mfa_verify"), {"code": code})
    assert response.status_code == 200
    assert "This code is not valid" in response.content.decode()


def test_the_admin_site_is_behind_the_second_factor():
    user = UserFactory(is_staff=True, is_superuser=True)
    totp_device(user)
    client = Client()
    sign_in(client, user.email)
    response = client.get("/admin/")
    assert response["Location"].startswith(reverse("portal:mfa_verify"))
    assert verified_client(user).get("/admin/").status_code == 200


def test_the_admin_sign_in_goes_through_the_common_sign_in_page():
    response = Client().get("/admin/login/?next=/admin/")
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_it_locks_sign_in_after_ten_failures_with_a_clear_message():
    user = UserFactory()
    client = Client(headers={"accept-language": "en"})
    for _attempt in range(9):
        response = sign_in(client, user.email, password="wrong-password-123")
        assert response.status_code == 200
        assert "not correct" in response.content.decode() or "incorrect" in response.content.decode()
    response = sign_in(client, user.email, password="wrong-password-123")
    assert response.status_code == 429
    assert "too many failed sign-in attempts" in response.content.decode()
    # Even the right password is refused while locked.
    response = sign_in(client, user.email)
    assert response.status_code == 429


def test_passwords_need_twelve_characters_and_not_a_common_one():
    with pytest.raises(ValidationError):
        validate_password("Short-pw-1")
    with pytest.raises(ValidationError):
        validate_password("password1234")
    validate_password("Tidal-harbour-lantern-42")


def test_a_session_ends_after_thirty_minutes_idle(settings):
    user = UserFactory()
    client = verified_client(user)
    assert client.get("/").status_code == 200
    session = client.session
    session["last_seen"] = timezone.now().timestamp() - 31 * 60
    session.save()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    page = client.get(response["Location"], headers={"accept-language": "en"})
    assert "Your session has ended" in page.content.decode()
    # Said once: not on every page after signing in again.
    assert "Your session has ended" not in client.get(response["Location"]).content.decode()


def test_a_session_ends_after_twelve_hours_in_all():
    user = UserFactory()
    client = verified_client(user)
    client.get("/")
    session = client.session
    session["signed_in_at"] = timezone.now().timestamp() - 12 * 3600 - 60
    session["last_seen"] = timezone.now().timestamp()
    session.save()
    assert client.get("/")["Location"].startswith("/accounts/login/")


def test_signing_out_ends_the_session():
    client = verified_client(UserFactory())
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert client.get("/")["Location"].startswith("/accounts/login/")


def test_forms_refuse_a_post_without_csrf_token():
    client = Client(enforce_csrf_checks=True)
    user = UserFactory()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 403


def test_password_reset_sends_a_link_by_email_in_the_accounts_language(
    mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory(preferred_language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        response = Client(headers={"accept-language": "en"}).post(
            reverse("account_reset_password"), {"email": user.email}
        )
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == "Liaison : choisir un nouveau mot de passe"
    assert "/accounts/password/reset/key/" in mailoutbox[0].body
    assert user.last_name not in mailoutbox[0].subject
    # Sent through the queue; the secret link is not kept once sent.
    message = Message.objects.get()
    assert message.status == MessageStatus.SENT and message.context == {} and message.link == ""


def test_the_reset_link_lets_the_person_choose_a_new_password(mailoutbox, django_capture_on_commit_callbacks):
    user = UserFactory()
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": user.email})
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", mailoutbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    form_page = client.get("/" + path, follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else "/" + path,
        {"password1": "Brand-new-password-2026", "password2": "Brand-new-password-2026"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Brand-new-password-2026")


def test_a_reset_for_an_unknown_address_says_no_account_uses_it(
    mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("account_reset_password"), {"email": "nobody@example.ca"})
    assert len(mailoutbox) == 1
    assert "no Liaison account uses it" in mailoutbox[0].body or "aucun compte" in mailoutbox[0].body


def test_there_is_no_public_sign_up():
    response = Client(headers={"accept-language": "en"}).get("/accounts/signup/")
    assert response.status_code == 200
    assert "No public sign-up" in response.content.decode()
    assert 'name="password1"' not in response.content.decode()


@pytest.mark.parametrize(
    "password",
    ["aaaaaaaaaaaa", "abcdefghijkl", "123456789012", "ZYXWVUTSRQPO", "abababababab", "Aaaaaaaa-2026"],
)
def test_passwords_of_repeated_or_sequential_characters_are_refused(password):
    with pytest.raises(ValidationError) as error:
        validate_password(password)
    assert "password_repeated_or_sequential" in {item.code for item in error.value.error_list}


def test_ordinary_passphrases_are_accepted():
    for password in ("Liaison-demo-2026", "Tidal-harbour-lantern-42", "Gérard aime les pommes 7"):
        validate_password(password)


def test_the_session_key_changes_once_the_second_factor_is_passed():
    user = UserFactory(preferred_language="en")
    device = totp_device(user)
    client = Client()
    sign_in(client, user.email)
    before = client.session.session_key
    response = client.post(reverse("portal:mfa_verify"), {"code": current_code(device)})
    assert response["Location"] == "/"
    assert client.session.session_key != before
    assert client.get("/").status_code == 200
