"""Password spraying: one address trying many accounts is stopped across accounts, and staff are told."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from portal.models import Message, SignInAlert
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

MONTREAL = ZoneInfo("America/Montreal")
START = datetime(2026, 12, 1, 21, 0, tzinfo=MONTREAL)


def sign_in(client, email, password=PASSWORD, address="203.0.113.7"):
    return client.post(reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=address)


@pytest.fixture
def limit(settings):
    settings.SIGN_IN_FAILURES_PER_ADDRESS = 12
    return 12


def spray(client, accounts, tries_each):
    answers = []
    for _round in range(tries_each):
        for account in accounts:
            answers.append(sign_in(client, account.email, password="Wrong-guess-2026!").status_code)
    return answers


def test_the_default_limit_is_thirty_failures_an_hour_across_accounts(settings):
    assert settings.SIGN_IN_FAILURES_PER_ADDRESS == 30
    assert settings.AXES_HANDLER == "portal.auth.AddressLimitHandler"


def test_an_address_trying_many_accounts_is_blocked_for_an_hour_with_a_clear_message(limit):
    accounts = UserFactory.create_batch(4)
    bystander = UserFactory()
    admin = UserFactory(is_superuser=True, is_staff=True)
    client = Client(headers={"accept-language": "en"})
    with time_machine.travel(START, tick=False):
        answers = spray(client, accounts, 3)  # 3 failures per account: each stays under its own 10
        # The 12th failure from the address locks it; the eleven before were ordinary failures.
        assert answers[:11] == [200] * 11
        assert answers[11] == 429
        # Every account from that address is refused now, even with the right password.
        response = sign_in(client, bystander.email)
        assert response.status_code == 429
        page = response.content.decode()
        assert "from your network address, for several accounts" in page
        # Another address is not affected.
        assert sign_in(Client(), bystander.email, address="198.51.100.4").status_code == 302

        alert = SignInAlert.objects.get()
        assert (alert.ip_address, alert.failures, alert.accounts) == ("203.0.113.7", 12, 4)
        assert alert.blocked_until == START + timedelta(hours=1)
        email = Message.objects.get(recipient=admin)
        assert "sign-in-alert" in email.key
        assert not Message.objects.exclude(recipient=admin).filter(key__startswith="sign-in-alert").exists()

        # More failures during the hour do not raise a second alert.
        spray(client, accounts, 1)
        assert SignInAlert.objects.count() == 1

    with time_machine.travel(START + timedelta(hours=1, minutes=1), tick=False):
        assert sign_in(Client(), bystander.email).status_code == 302


def test_the_block_page_is_french_for_french_visitors(limit):
    accounts = UserFactory.create_batch(2)
    client = Client(headers={"accept-language": "fr"})
    spray(client, accounts, 6)
    response = sign_in(client, accounts[0].email)
    assert response.status_code == 429
    with translation.override("fr"):
        page = response.content.decode()
    assert "depuis l’adresse de votre réseau" in page or "depuis l'adresse de votre réseau" in page


def test_the_alert_email_names_the_address_but_no_account(limit, django_capture_on_commit_callbacks, mailoutbox):
    accounts = UserFactory.create_batch(3)
    UserFactory(is_superuser=True, is_staff=True, preferred_language="en")
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        spray(client, accounts, 4)
    alerts = [mail for mail in mailoutbox if "blocked" in mail.subject]
    assert len(alerts) == 1
    assert alerts[0].subject == "Liaison: sign-ins blocked for one address"
    assert "203.0.113.7" in alerts[0].body
    for account in accounts:
        assert account.email not in alerts[0].body and account.email not in alerts[0].subject


def test_a_busy_shared_office_stays_under_the_limit(limit):
    """Colleagues behind one address who mistype now and then are not blocked."""
    colleagues = UserFactory.create_batch(5)
    client = Client()
    spray(client, colleagues, 2)  # 10 failures
    for colleague in colleagues:
        assert sign_in(Client(), colleague.email).status_code == 302
    assert not SignInAlert.objects.exists()


def test_platform_staff_see_the_alerts_in_the_admin_and_department_administrators_do_not(limit):
    from django.utils import timezone

    from tests.factories import MembershipFactory
    from tests.helpers import verified_client

    SignInAlert.objects.create(
        ip_address="203.0.113.9", failures=31, accounts=17, blocked_until=timezone.now() + timedelta(hours=1)
    )
    staff = UserFactory(is_superuser=True, is_staff=True)
    page = verified_client(staff).get("/admin/portal/signinalert/")
    assert page.status_code == 200
    assert "203.0.113.9" in page.content.decode()
    administrator = MembershipFactory(role="portal.department_administrator")
    answer = verified_client(administrator.user, membership=administrator).get("/admin/portal/signinalert/")
    assert answer.status_code in (302, 403, 404)
