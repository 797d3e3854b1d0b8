"""Accounts are invited, not typed (issue 18): an administrator invites a person to a role of their
own organization; the person gets an email in their language with a link that works once and
expires, sets their password there, and goes on to enrol their authenticator."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from portal import dates
from portal.accounts import invitations
from portal.models import Invitation, Membership, Message, User
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


# Pending invitations: listed to the administrators, sent again, withdrawn -----------------------


# The administrator's role began 30 days before today (the factory): travel after today.
LATER = NOW + dt.timedelta(days=40)


def _pending(admin, **data):
    _invite(admin, **data)
    return Invitation.objects.get(user__email=(data.get("email") or "nadine.cormier@example.ca").lower())


def _french(admin):
    admin.user.preferred_language = "fr"
    admin.user.save(update_fields=["preferred_language"])
    client = verified_client(admin.user, membership=admin)
    client.cookies["liaison_language"] = "fr"
    return client


def test_the_administrator_sees_who_was_invited_to_which_role_sent_and_expiring_when(admin):
    with time_machine.travel(LATER, tick=False):
        invitation = _pending(admin)
        page = _french(admin).get(reverse("portal:invitations")).content.decode()

    assert "nadine.cormier@example.ca" in page and "Nadine Cormier" in page
    with translation.override("fr"):
        assert str(invitation.role_label) in page
        # The portal's one date-and-time form ("12 déc. 2026, 10:00"), local time.
        sent = dates.moment(LATER)
        expires = dates.moment(LATER + invitations.INVITATION_MAX_AGE)
    assert sent in page and expires in page
    assert reverse("portal:resend_invitation", args=[invitation.pk]) in page
    assert reverse("portal:withdraw_invitation", args=[invitation.pk]) in page
    assert invitation.expires_at == LATER + dt.timedelta(days=7)


def test_an_expired_invitation_is_listed_as_expired_in_both_languages(admin):
    with time_machine.travel(LATER, tick=False):
        _pending(admin)
    with time_machine.travel(LATER + dt.timedelta(days=8), tick=False):
        french = _french(admin).get(reverse("portal:invitations")).content.decode()
        client = verified_client(admin.user, membership=admin)
        client.cookies["liaison_language"] = "en"
        english = client.get(reverse("portal:invitations")).content.decode()
    with translation.override("fr"):
        expired_fr = gettext("Expired on %(date)s") % {"date": ""}
    assert expired_fr.strip() in french
    assert "Expired on" in english


def test_the_list_keeps_its_number_of_queries_for_1_and_for_30_invitations(admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = verified_client(admin.user, membership=admin)
    _pending(admin)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("portal:invitations"))
    for number in range(29):
        _invite(admin, email=f"invitee{number}@example.ca")
    with CaptureQueriesContext(connection) as thirty:
        page = client.get(reverse("portal:invitations")).content.decode()
    assert page.count("/resend/") == 30
    assert len(thirty) == len(one)


def test_an_accepted_or_existing_account_is_not_pending(admin, client):
    _invite(admin)
    UserFactory(email="marie@example.ca")
    _invite(admin, email="marie@example.ca")
    link = _link(
        Message.objects.get(template="portal/emails/invitation", recipient__email="nadine.cormier@example.ca")
    )
    client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    page = verified_client(admin.user, membership=admin).get(reverse("portal:invitations")).content.decode()

    assert "nadine.cormier@example.ca" not in page and "marie@example.ca" not in page
    assert Invitation.objects.pending().count() == 0


def test_sending_again_gives_a_new_link_and_the_previous_one_no_longer_works(admin, client):
    with time_machine.travel(LATER, tick=False):
        invitation = _pending(admin)
    first = _link(Message.objects.get(template="portal/emails/invitation"))
    later = LATER + dt.timedelta(days=10)  # the first link had expired: sending again revives the invitation

    with time_machine.travel(later, tick=False):
        response = _french(admin).post(reverse("portal:resend_invitation", args=[invitation.pk]))
        assert response.status_code == 302 and response["Location"] == reverse("portal:invitations")
        messages = Message.objects.filter(template="portal/emails/invitation").order_by("pk")
        assert messages.count() == 2
        second = _link(messages.last())
        assert second != first
        assert 'name="new_password1"' not in client.get(first).content.decode()
        assert 'name="new_password1"' in client.get(second).content.decode()
    invitation.refresh_from_db()
    assert invitation.sent_at == later and invitation.expires_at == later + dt.timedelta(days=7)
    assert messages.last().language == "en"  # the person's language, not the administrator's


def test_withdrawing_asks_first_then_stops_the_link_and_removes_the_role(admin, client):
    invitation = _pending(admin)
    link = _link(Message.objects.get(template="portal/emails/invitation"))
    administrator = _french(admin)

    confirm = administrator.get(reverse("portal:withdraw_invitation", args=[invitation.pk]))
    assert confirm.status_code == 200
    assert "nadine.cormier@example.ca" in confirm.content.decode()
    assert Membership.objects.filter(user=invitation.user).exists()  # nothing changed yet

    response = administrator.post(reverse("portal:withdraw_invitation", args=[invitation.pk]))

    assert response.status_code == 302 and response["Location"] == reverse("portal:invitations")
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is not None
    assert not Membership.objects.filter(user=invitation.user).exists()
    assert 'name="new_password1"' not in client.get(link).content.decode()
    listed = administrator.get(reverse("portal:invitations")).content.decode()
    with translation.override("fr"):
        said = gettext("The invitation of %(email)s is withdrawn.") % {"email": "nadine.cormier@example.ca"}
    assert said.replace("'", "&#x27;") in listed  # the message, once
    assert reverse("portal:withdraw_invitation", args=[invitation.pk]) not in listed
    # The same person may be invited again afterwards.
    assert _invite(admin).status_code == 302


def test_a_withdrawn_or_accepted_invitation_cannot_be_sent_again(admin, client):
    invitation = _pending(admin)
    administrator = verified_client(admin.user, membership=admin)
    administrator.post(reverse("portal:withdraw_invitation", args=[invitation.pk]))

    assert administrator.post(reverse("portal:resend_invitation", args=[invitation.pk])).status_code == 404
    assert administrator.post(reverse("portal:withdraw_invitation", args=[invitation.pk])).status_code == 404
    assert Message.objects.filter(template="portal/emails/invitation").count() == 1


def test_the_service_refuses_an_invitation_no_longer_pending_with_a_clear_message(admin):
    invitation = _pending(admin)
    invitation.user.set_password(NEW_PASSWORD)
    invitation.user.save(update_fields=["password"])

    with translation.override("fr"), pytest.raises(ValidationError) as error:
        invitations.resend_invitation(invitation=invitation, by=admin.user)

    with translation.override("fr"):
        expected = gettext(
            "This invitation is no longer pending: the person has chosen their password, or it was withdrawn."
        )
    assert error.value.messages == [expected]


def test_another_organizations_invitation_is_a_404_and_untouched(admin):
    other = MembershipFactory(organization__kind="department", role="portal.department_administrator")
    theirs = _pending(other, email="someone@example.ca")
    client = verified_client(admin.user, membership=admin)

    assert "someone@example.ca" not in client.get(reverse("portal:invitations")).content.decode()
    assert client.get(reverse("portal:withdraw_invitation", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("portal:withdraw_invitation", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("portal:resend_invitation", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.withdrawn_at is None
    assert Message.objects.filter(recipient=theirs.user).count() == 1


def test_a_role_without_the_capability_cannot_see_resend_or_withdraw(admin):
    invitation = _pending(admin)
    worker = MembershipFactory(organization=admin.organization, role="orders.department_worker")
    client = verified_client(worker.user, membership=worker)

    assert client.get(reverse("portal:invitations")).status_code == 403
    assert client.post(reverse("portal:resend_invitation", args=[invitation.pk])).status_code == 403
    assert client.post(reverse("portal:withdraw_invitation", args=[invitation.pk])).status_code == 403
    assert Message.objects.filter(template="portal/emails/invitation").count() == 1


def test_resending_by_get_is_not_allowed(admin):
    invitation = _pending(admin)
    client = verified_client(admin.user, membership=admin)
    assert client.get(reverse("portal:resend_invitation", args=[invitation.pk])).status_code == 405


def test_the_organization_page_links_to_the_pending_invitations(admin):
    page = verified_client(admin.user, membership=admin).get(
        reverse("portal:organization_detail", args=[admin.organization.pk])
    )
    assert reverse("portal:invitations") in page.content.decode()
