"""The members table marks a person invited who has not chosen a password yet (issue 18): "Invitation
pending (expires …)", not an active member; once the link has expired, "Invitation expired on …"."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from portal.accounts import invitations
from portal.dates import long_date
from tests.factories import MembershipFactory, OrganizationFactory
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 24, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def admin():
    department = OrganizationFactory(
        kind="department", name_fr="Développement social", name_en="Social Development"
    )
    return MembershipFactory(organization=department, role="portal.department_administrator")


def _members_page(admin, language):
    admin.user.preferred_language = language
    admin.user.save(update_fields=["preferred_language"])
    client = verified_client(admin.user, membership=admin)
    return client.get(
        reverse("portal:organization_detail", args=[admin.organization.pk]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()


def _texts(msgid, language, **values):
    with translation.override(language):
        return {msgid % values, translation.gettext(msgid) % values}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_pending_invitee_is_marked_with_the_link_s_expiry(admin, language):
    with time_machine.travel(NOW, tick=False):
        invitations.invite_member(
            inviter=admin.user,
            organization=admin.organization,
            email="nadine.cormier@example.ca",
            first_name="Nadine",
            last_name="Cormier",
            role="orders.department_worker",
            language="en",
        )
        page = _members_page(admin, language)
        with translation.override(language):
            expiry = long_date(NOW + invitations.INVITATION_MAX_AGE)
    row = page.split("nadine.cormier@example.ca", 1)[1].split("</tr>", 1)[0]
    assert any(text in row for text in _texts("Invitation pending (expires %(date)s)", language, date=expiry))
    # The administrator, who has a password, is an active member.
    admin_row = page.split(admin.user.email, 1)[1].split("</tr>", 1)[0]
    assert any(text in admin_row for text in _texts("Active", language))
    assert "badge--pending" not in admin_row


@pytest.mark.parametrize("language", ["en", "fr"])
def test_an_expired_invitation_says_so(admin, language):
    with time_machine.travel(NOW, tick=False):
        invitations.invite_member(
            inviter=admin.user,
            organization=admin.organization,
            email="nadine.cormier@example.ca",
            first_name="Nadine",
            last_name="Cormier",
            role="orders.department_worker",
            language="fr",
        )
    with time_machine.travel(NOW + invitations.INVITATION_MAX_AGE + dt.timedelta(hours=1), tick=False):
        page = _members_page(admin, language)
        with translation.override(language):
            expiry = long_date(NOW + invitations.INVITATION_MAX_AGE)
    row = page.split("nadine.cormier@example.ca", 1)[1].split("</tr>", 1)[0]
    assert any(text in row for text in _texts("Invitation expired on %(date)s", language, date=expiry))


def test_the_members_page_costs_the_same_queries_for_1_and_5_invitees(admin, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def invite(n):
        invitations.invite_member(
            inviter=admin.user,
            organization=admin.organization,
            email=f"invitee{n}@example.ca",
            first_name="P",
            last_name=f"N{n}",
            role="orders.department_worker",
            language="en",
        )

    with time_machine.travel(NOW, tick=False):
        invite(0)
        client = verified_client(admin.user, membership=admin)
        url = reverse("portal:organization_detail", args=[admin.organization.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        for n in range(1, 5):
            invite(n)
        with django_assert_num_queries(len(few)):
            page = client.get(url).content.decode()
    assert page.count("badge--pending") == 5
