"""The second-factor page is there to type one code: its field has the focus (issue 18)."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory, totp_device

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_code_field_has_the_focus_and_keeps_it_after_a_wrong_code(language):
    user = UserFactory(preferred_language=language)
    totp_device(user)
    client = Client()
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")

    page = client.get(reverse("portal:mfa_verify")).content.decode()
    wrong = client.post(reverse("portal:mfa_verify"), {"code": "000000"}).content.decode()

    for html in (page, wrong):
        field = (
            html.split('id="id_code"')[0].rsplit("<input", 1)[1] + html.split('id="id_code"')[1].split(">")[0]
        )
        assert "autofocus" in field
    assert f'<html lang="{language}">' in page
