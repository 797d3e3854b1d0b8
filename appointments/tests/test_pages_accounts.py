"""The access account and role screens through the test client: forms, bad input, the rules on
roles, password resets."""

import pytest
from django.core import mail
from django.urls import reverse

from appointments.tests.helpers import in_days, message_texts
from portal.models import Membership, User
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _account_form(**changes):
    data = {
        "preferred_language": "fr",
        "first_name": "Julie",
        "last_name": "Gallant",
        "phone": "506 555 0123",
        "email": "Julie.Gallant@Example.ca",
    }
    data.update(changes)
    return data


def test_an_access_account_is_created_and_gets_its_sign_in_details(
    world, pilot, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = pilot.post(reverse("appointments:account_create"), _account_form())
    user = User.objects.get(email="julie.gallant@example.ca")
    assert response["Location"] == reverse("appointments:account_roles", kwargs={"pk": user.pk})
    assert Membership.objects.get(user=user).role == "appointments.consultation_2"
    assert len(mail.outbox) == 1
    assert "Julie" not in mail.outbox[0].subject
    page = pilot.get(response["Location"])
    assert page.status_code == 200
    assert "Consultation #2" in page.content.decode()


def test_an_email_already_used_is_shown_next_to_the_email_field(
    world, pilot, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = pilot.post(
            reverse("appointments:account_create"), _account_form(email=world.manager2.email)
        )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["email"]
    assert "already used" in errors["email"][0]
    assert "already used" in response.content.decode()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (
            {"limit_access": "on", "valid_from": in_days(9).isoformat(), "valid_to": in_days(2).isoformat()},
            "valid_to",
        ),
        ({"limit_access": "on"}, "valid_from"),
        ({"limit_access": "on", "valid_to": in_days(-1).isoformat()}, "valid_to"),
        ({"limit_access": "on", "valid_from": "2025-02-30"}, "valid_from"),
        ({"email": "not-an-email"}, "email"),
        ({"phone": "123"}, "phone"),
        ({"preferred_language": "de"}, "preferred_language"),
    ],
)
def test_bad_account_input_is_refused_next_to_the_field(world, pilot, changes, field):
    response = pilot.post(reverse("appointments:account_create"), _account_form(**changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not User.objects.filter(email="julie.gallant@example.ca").exists()


def test_an_access_account_with_several_roles_is_edited(world, pilot):
    MembershipFactory(user=world.manager1, organization=world.clinic, role="appointments.consultation_1")
    response = pilot.post(
        reverse("appointments:account_edit", kwargs={"pk": world.manager1.pk}),
        {"preferred_language": "fr", "first_name": "Luc", "last_name": "Roy", "phone": ""},
    )
    assert response.status_code == 302
    world.manager1.refresh_from_db()
    assert (world.manager1.first_name, world.manager1.preferred_language) == ("Luc", "fr")


def test_a_role_is_added_for_one_location(world, pilot):
    response = pilot.post(
        reverse("appointments:role_create", kwargs={"account_pk": world.consult1.pk}),
        {"role": "appointments.management_1", "location": world.location_b.pk},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=world.consult1, role="appointments.management_1")
    assert membership.scope == {"locations": [world.location_b.pk]}
    page = pilot.get(reverse("appointments:account_roles", kwargs={"pk": world.consult1.pk}))
    assert "Lieu B" in page.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"role": "portal.administrator"}, "role"),
        ({"role": "appointments.management_1", "location": "abc"}, "location"),
        (
            {
                "role": "appointments.management_1",
                "limit_access": "on",
                "valid_from": in_days(5).isoformat(),
                "valid_to": in_days(1).isoformat(),
            },
            "valid_to",
        ),
        (
            {"role": "appointments.management_1", "limit_access": "on", "valid_to": in_days(-1).isoformat()},
            "valid_to",
        ),
    ],
)
def test_bad_role_input_is_refused_next_to_the_field(world, pilot, data, field):
    response = pilot.post(reverse("appointments:role_create", kwargs={"account_pk": world.consult1.pk}), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Membership.objects.filter(user=world.consult1).count() == 1


def test_another_clinics_location_is_not_a_choice_for_a_role(world, pilot):
    response = pilot.post(
        reverse("appointments:role_create", kwargs={"account_pk": world.consult1.pk}),
        {"role": "appointments.management_1", "location": world.other_location.pk},
    )
    assert response.status_code == 200
    assert "location" in response.context["form"].errors


def test_a_fourth_pilot_is_refused_with_a_clear_message(world, pilot):
    for key in ("manager1", "manager2"):
        MembershipFactory(user=getattr(world, key), organization=world.clinic, role="appointments.pilot")
    response = pilot.post(
        reverse("appointments:role_create", kwargs={"account_pk": world.consult1.pk}),
        {"role": "appointments.pilot"},
    )
    assert response.status_code == 200
    assert "three pilots" in " ".join(response.context["form"].errors["role"])


def test_removing_a_role_refused_by_the_rules_shows_a_message(world, pilot):
    response = pilot.post(
        reverse("appointments:role_remove", kwargs={"pk": world.memberships["pilot"].pk}), follow=True
    )
    assert response.status_code == 200
    assert "only role" in response.content.decode() or "own pilot role" in response.content.decode()
    assert Membership.objects.filter(pk=world.memberships["pilot"].pk).exists()


def test_a_password_reset_from_the_roles_page(world, pilot, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = pilot.post(
            reverse("appointments:account_reset_password", kwargs={"pk": world.consult1.pk})
        )
    assert response.status_code == 302
    assert world.consult1.email in " ".join(message_texts(response))
    world.consult1.refresh_from_db()
    assert not world.consult1.has_usable_password()
    assert len(mail.outbox) == 1
    response = pilot.post(reverse("appointments:account_reset_password", kwargs={"pk": world.pilot.pk}))
    assert "your own password" in " ".join(message_texts(response))
