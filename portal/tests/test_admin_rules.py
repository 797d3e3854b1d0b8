"""The admin site cannot go around the services: where they enforce rules, it only shows."""

import pytest
from django.urls import reverse
from django.utils import timezone

from appointments import roles as appointment_roles
from portal import services
from portal.models import Membership
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    return verified_client(UserFactory(is_staff=True, is_superuser=True))


def test_it_refuses_a_fourth_pilot_added_in_the_admin(admin_client):
    clinic = OrganizationFactory(kind="clinic_network")
    for _n in range(appointment_roles.MAX_PILOTS):
        MembershipFactory(organization=clinic, role=appointment_roles.PILOT)
    newcomer = UserFactory()
    url = reverse("admin:portal_membership_add")

    assert admin_client.get(url).status_code == 403
    response = admin_client.post(
        url,
        {
            "user": newcomer.pk,
            "organization": clinic.pk,
            "role": appointment_roles.PILOT,
            "valid_from": "2026-01-01",
            "scope": "{}",
        },
    )

    assert response.status_code == 403
    assert Membership.objects.filter(organization=clinic, role=appointment_roles.PILOT).count() == 3
    assert not Membership.objects.filter(user=newcomer).exists()


def test_it_shows_memberships_without_change_or_delete(admin_client):
    membership = MembershipFactory(role=appointment_roles.PILOT)
    change = reverse("admin:portal_membership_change", args=[membership.pk])

    assert admin_client.get(change).status_code == 200
    assert admin_client.post(change, {"role": "portal.administrator"}).status_code == 403
    delete = reverse("admin:portal_membership_delete", args=[membership.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    membership.refresh_from_db()
    assert membership.role == appointment_roles.PILOT


def test_it_refuses_to_change_a_task_in_the_admin(admin_client):
    person = UserFactory()
    due = timezone.localdate()
    task = services.create_task(assignee=person, title="Confirm the services", due_date=due, link="/orders/")
    listing = admin_client.get(reverse("admin:portal_task_changelist"))

    assert listing.status_code == 200
    assert reverse("admin:portal_task_add") not in listing.content.decode()
    change = reverse("admin:portal_task_change", args=[task.pk])
    assert admin_client.post(change, {"title_fr": "Autre", "due_date": "2030-01-01"}).status_code == 403
    assert admin_client.get(reverse("admin:portal_task_add")).status_code == 403
    task.refresh_from_db()
    assert task.done_at is None and task.due_date == due


def test_notifications_and_registrations_cannot_be_added_in_the_admin(admin_client):
    assert admin_client.get(reverse("admin:portal_notification_add")).status_code == 403
    assert admin_client.get(reverse("admin:interpreters_registration_add")).status_code == 403


def test_the_user_page_lists_memberships_read_only(admin_client):
    membership = MembershipFactory()
    response = admin_client.get(reverse("admin:portal_user_change", args=[membership.user.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert str(membership.organization) in page
    assert 'name="memberships-0-role"' not in page
