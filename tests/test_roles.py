"""Memberships, the active role and the one capability check."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from portal import roles
from portal.permissions import has_capability
from portal.selectors import active_membership
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db


def fresh(user):
    """The same person as a new request would see them (no cached membership)."""
    return type(user).objects.get(pk=user.pk)


def test_every_app_registers_its_roles():
    codes = {role.code for role in roles.all_roles()}
    assert {"orders.care_coordination", "orders.finance", "orders.finance_care_coordination"} <= codes
    assert {"referrals.case_manager", "interpreters.coordinator", "appointments.pilot"} <= codes
    assert "appointments.consultation_2" in codes


def test_it_grants_a_capability_of_the_active_role_on_its_own_organization_only():
    membership = MembershipFactory(role="portal.administrator")
    user = fresh(membership.user)
    assert has_capability(user, "portal.view_members")
    assert has_capability(user, "portal.view_members", membership.organization)
    assert not has_capability(user, "portal.view_members", OrganizationFactory())
    assert not has_capability(user, "portal.view_audit")


def test_records_naming_several_organizations_admit_each_of_them():
    membership = MembershipFactory(role="portal.administrator")

    class SharedRecord:
        organization_ids = (OrganizationFactory().pk, membership.organization_id)

    assert has_capability(fresh(membership.user), "portal.view_members", SharedRecord())


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "gives_access"),
    [
        (-10, None, True),
        (-10, 0, True),
        (-10, -1, False),
        (1, None, False),
        (0, 5, True),
    ],
)
def test_memberships_outside_their_dates_give_no_access(valid_from, valid_to, gives_access):
    today = timezone.localdate()
    membership = MembershipFactory(
        role="portal.administrator",
        valid_from=today + timedelta(days=valid_from),
        valid_to=None if valid_to is None else today + timedelta(days=valid_to),
    )
    assert has_capability(fresh(membership.user), "portal.view_members") is gives_access
    response = verified_client(membership.user).get(reverse("portal:my_organization"))
    assert response.status_code == (302 if gives_access else 403)


def test_an_inactive_organization_gives_no_access():
    membership = MembershipFactory(role="portal.administrator", organization__is_active=False)
    assert not has_capability(fresh(membership.user), "portal.view_members")


def test_capabilities_come_from_the_active_membership_only():
    organization = OrganizationFactory(kind="provider_agency")
    finance = MembershipFactory(organization=organization, role="orders.finance")
    admin = MembershipFactory(user=finance.user, organization=organization, role="portal.administrator")
    client = verified_client(finance.user, membership=finance)
    assert client.get(reverse("portal:my_organization")).status_code == 403

    response = client.post(reverse("portal:switch_role"), {"membership": admin.pk})
    assert response["Location"] == reverse("portal:home")
    assert client.get(reverse("portal:my_organization")).status_code == 302
    home = client.get(reverse("portal:home")).content.decode()
    assert "Administrateur de l&#x27;organisme" in home or "Administrateur de l'organisme" in home


def test_nobody_can_switch_to_someone_elses_membership():
    mine = MembershipFactory(role="orders.finance", organization__kind="provider_agency")
    theirs = MembershipFactory(role="portal.administrator")
    client = verified_client(mine.user, membership=mine)
    response = client.post(reverse("portal:switch_role"), {"membership": theirs.pk}, follow=True)
    assert "Ce rôle ne vous est pas accessible" in response.content.decode()
    assert client.session.get("active_membership_id") == mine.pk
    for bad in ("", "abc", "99999999", "-1"):
        assert client.post(reverse("portal:switch_role"), {"membership": bad}).status_code == 302
    assert client.session.get("active_membership_id") == mine.pk


def test_the_user_menu_offers_the_role_switcher_with_several_roles():
    organization = OrganizationFactory(kind="clinic_network")
    pilot = MembershipFactory(organization=organization, role="appointments.pilot")
    MembershipFactory(user=pilot.user, organization=organization, role="appointments.management_1")
    page = verified_client(pilot.user).get(reverse("portal:home")).content.decode()
    assert 'id="active-role"' in page
    assert "Pilote" in page and "Gestion #1" in page


def test_a_role_must_exist_for_the_kind_of_organization():
    membership = MembershipFactory.build(
        user=UserFactory(), organization=OrganizationFactory(kind="clinic_network"), role="orders.finance"
    )
    with pytest.raises(ValidationError):
        membership.full_clean()


def test_a_person_without_a_valid_membership_has_no_active_role():
    user = UserFactory()
    assert active_membership(user) is None
    assert not has_capability(user, "portal.view_members")
    page = verified_client(user).get(reverse("portal:home"))
    assert page.status_code == 200
    assert "aucun rôle actif" in page.content.decode()
