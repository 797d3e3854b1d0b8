"""Accounts are invited, not typed (issue 18): an administrator invites a person to a role of their
own organization; the person gets an email in their language with a link that works once and
expires, sets their password there, and goes on to enrol their authenticator."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from portal.accounts import invitations
from portal.models import Membership, Message, User
from portal.services import _render
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory, UserFactory
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 2, 14, 0, tzinfo=dt.UTC)
NEW_PASSWORD = "Lighthouse-Moncton-2026"


@pytest.fixture
def admin():
    department = OrganizationFactory(
        kind="department", name_fr="Développement social", name_en="Social Development"
    )
    return MembershipFactory(organization=department, role="portal.department_administrator")


def _invite(membership, **data):
    values = {
        "email": "Nadine.Cormier@Example.ca",
        "first_name": "Nadine",
        "last_name": "Cormier",
        "role": "orders.department_worker",
        "language": "en",
        **data,
    }
    return verified_client(membership.user, membership=membership).post(reverse("portal:invite"), values)


def _link(message):
    return message.link.split("testserver", 1)[-1].replace("http://127.0.0.1:8000", "")


def test_it_invites_a_new_person_to_a_role_of_the_organization_in_their_language(admin):
    with time_machine.travel(NOW + dt.timedelta(days=40), tick=False):
        response = _invite(admin)

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:organization_detail", args=[admin.organization.pk])
    person = User.objects.get(email="nadine.cormier@example.ca")
    assert not person.has_usable_password()
    assert (person.first_name, person.preferred_language) == ("Nadine", "en")
    membership = Membership.objects.get(user=person)
    assert (membership.organization, membership.role) == (admin.organization, "orders.department_worker")
    message = Message.objects.get(recipient=person, template="portal/emails/invitation")
    assert message.language == "en"
    assert "/welcome/" in message.link and message.link.startswith("http")
    rendered = _render(message)
    assert rendered["subject"] == "Liaison: you are invited to create your account"
    assert "gave you the role Department worker (service orders) at Social Development" in rendered[
        "text"
    ].replace("\n", " ")
    assert message.link in rendered["html"]


def test_the_email_is_in_french_for_a_french_speaking_person(admin):
    _invite(admin, language="fr")
    message = Message.objects.get(template="portal/emails/invitation")
    assert message.language == "fr"
    rendered = _render(message)
    assert rendered["text"].startswith("Bonjour,")
    assert "Développement social" in rendered["text"]


def test_the_link_sets_the_password_signs_in_and_leads_to_the_authenticator(admin, client):
    _invite(admin)
    link = _link(Message.objects.get(template="portal/emails/invitation"))

    page = client.get(link)
    assert page.status_code == 200
    assert "nadine.cormier@example.ca" in page.content.decode()
    response = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:mfa_setup")
    person = User.objects.get(email="nadine.cormier@example.ca")
    assert person.check_password(NEW_PASSWORD)
    # Signed in, second factor still to enrol: every other page leads to the enrolment.
    home = client.get(reverse("portal:home"))
    assert home.status_code == 302 and home["Location"].startswith(reverse("portal:mfa_setup"))


def test_the_link_works_once(admin, client):
    _invite(admin)
    link = _link(Message.objects.get(template="portal/emails/invitation"))
    client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    client.logout()
    client.cookies["liaison_language"] = "fr"

    again = client.get(link)
    retry = client.post(
        link, {"new_password1": "Another-Password-2026", "new_password2": "Another-Password-2026"}
    )

    assert again.status_code == 200
    assert "Ce lien n'est plus valide" in again.content.decode().replace("&#x27;", "'")
    assert retry.status_code == 200 and 'name="new_password1"' not in retry.content.decode()
    assert User.objects.get(email="nadine.cormier@example.ca").check_password(NEW_PASSWORD)


def test_the_link_expires(admin, client):
    # The administrator's role began 30 days before today (the factory): travel after today.
    with time_machine.travel(NOW + dt.timedelta(days=40), tick=False):
        _invite(admin)
    link = _link(Message.objects.get(template="portal/emails/invitation"))
    sent = NOW + dt.timedelta(days=40)
    with time_machine.travel(sent + invitations.INVITATION_MAX_AGE - dt.timedelta(minutes=1), tick=False):
        assert 'name="new_password1"' in client.get(link).content.decode()
    with time_machine.travel(sent + invitations.INVITATION_MAX_AGE + dt.timedelta(minutes=1), tick=False):
        page = client.get(link).content.decode()
    assert 'name="new_password1"' not in page
    assert reverse("account_login") in page


@pytest.mark.parametrize("token", ["garbage", "eyJ1IjoxfQ:1a:zz", "x" * 500, "%00"])
def test_a_tampered_link_is_refused_without_an_error(client, token):
    response = client.get(reverse("portal:accept_invitation", args=[token]))
    assert response.status_code == 200
    assert 'name="new_password1"' not in response.content.decode()


def test_a_weak_password_is_refused_next_to_the_field_and_the_link_still_works(admin, client):
    _invite(admin, language="fr")
    link = _link(Message.objects.get(template="portal/emails/invitation"))
    client.cookies["liaison_language"] = "fr"

    response = client.post(link, {"new_password1": "court", "new_password2": "court"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Ce mot de passe est trop court" in page
    assert not User.objects.get(email="nadine.cormier@example.ca").has_usable_password()
    assert 'name="new_password1"' in client.get(link).content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "not-an-email", "Saisissez une adresse de courriel valide."),
        ("email", "", "Ce champ est obligatoire."),
        ("first_name", "", "Ce champ est obligatoire."),
        ("role", "orders.finance", "Sélectionnez un choix valide."),  # a provider's role
        ("role", "no.such.role", "Sélectionnez un choix valide."),
        ("language", "de", "Sélectionnez un choix valide."),
    ],
)
def test_bad_invitations_get_a_message_next_to_the_field_and_save_nothing(admin, field, value, message):
    admin.user.preferred_language = "fr"
    admin.user.save(update_fields=["preferred_language"])
    users = User.objects.count()

    response = _invite(admin, **{field: value})

    assert response.status_code == 200
    page = response.content.decode()
    assert message in page.replace("&#x27;", "'")
    assert 'value="Nadine"' in page or field == "first_name"  # what was typed stays
    assert User.objects.count() == users
    assert not Message.objects.filter(template="portal/emails/invitation").exists()


def test_a_person_with_an_account_gets_the_role_and_keeps_their_password(admin):
    person = UserFactory(email="marie@example.ca", preferred_language="fr")
    MembershipFactory(
        user=person, organization=OrganizationFactory(kind="provider_agency"), role="orders.finance"
    )

    _invite(admin, email="Marie@example.ca")

    assert Membership.objects.filter(user=person, organization=admin.organization).count() == 1
    person.refresh_from_db()
    assert person.check_password(PASSWORD) and person.preferred_language == "fr"
    message = Message.objects.get(template="portal/emails/invitation")
    assert message.link.endswith(reverse("account_login")) and message.language == "fr"


def test_a_role_the_person_already_holds_is_refused_next_to_the_email(admin):
    person = UserFactory(email="marie@example.ca")
    MembershipFactory(user=person, organization=admin.organization, role="orders.department_worker")
    admin.user.preferred_language = "en"
    admin.user.save(update_fields=["preferred_language"])

    response = _invite(admin, email="marie@example.ca")

    assert response.status_code == 200
    assert "This person already has this role in your organization." in response.content.decode()
    assert Membership.objects.filter(user=person).count() == 1


def test_a_provider_administrator_invites_their_own_staff_to_provider_roles_only():
    provider = OrganizationFactory(kind="provider_agency")
    admin = MembershipFactory(organization=provider, role="portal.administrator")
    client = verified_client(admin.user, membership=admin)

    page = client.get(reverse("portal:invite")).content.decode()
    assert 'value="orders.finance"' in page and 'value="orders.department_worker"' not in page
    _invite(admin, role="orders.care_coordination")

    person = User.objects.get(email="nadine.cormier@example.ca")
    assert list(person.memberships.values_list("organization", "role")) == [
        (provider.pk, "orders.care_coordination")
    ]


def test_a_role_without_the_capability_cannot_invite():
    worker = MembershipFactory(organization__kind="department", role="orders.department_worker")
    response = _invite(worker)
    assert response.status_code == 403
    assert not User.objects.filter(email="nadine.cormier@example.ca").exists()


def test_the_organization_page_offers_the_invitation_to_administrators_only(admin):
    page = verified_client(admin.user, membership=admin).get(
        reverse("portal:organization_detail", args=[admin.organization.pk])
    )
    assert reverse("portal:invite") in page.content.decode()
