"""Access accounts and roles of the appointment application through its services."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from appointments import roles
from appointments.accounts import services as accounts_services
from appointments.tests.helpers import field_errors, in_days
from portal.models import Membership, Message, MessageStatus
from portal.workflow import ActionError
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


# Access accounts ------------------------------------------------------------------------------------


def _account(world, **changes):
    values = {
        "organization": world.clinic,
        "first_name": "Julie",
        "last_name": "Gallant",
        "phone": "",
        "email": "julie.gallant@example.ca",
        "preferred_language": "en",
        "valid_from": None,
        "valid_to": None,
    }
    values.update(changes)
    return accounts_services.create_access_account(**values)


def test_a_new_access_account_gets_consultation_2_and_its_sign_in_details(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user = _account(world)
    membership = Membership.objects.get(user=user)
    assert membership.organization == world.clinic
    assert membership.role == roles.DEFAULT_ROLE == "appointments.consultation_2"
    assert membership.valid_from == timezone.localdate()
    assert membership.scope == {}
    assert not user.has_usable_password()
    message = Message.objects.get(recipient=user)
    assert message.template == "appointments/emails/sign_in_details"
    assert message.status == MessageStatus.SENT
    assert message.link.startswith("https://liaison.example.ca/")
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["julie.gallant@example.ca"]
    assert "julie.gallant@example.ca" in email.body
    for detail in ("Julie", "Gallant", "julie.gallant"):
        assert detail not in email.subject


def test_an_access_account_may_be_limited_between_two_dates(world):
    user = _account(world, valid_from=in_days(3), valid_to=in_days(10))
    membership = Membership.objects.get(user=user)
    assert (membership.valid_from, membership.valid_to) == (in_days(3), in_days(10))


def test_an_email_already_used_is_refused_next_to_the_email_field(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ActionError) as error:
            _account(world, email=world.other_member.email.upper())
    assert "already used" in field_errors(error, "email")
    assert not Message.objects.exists()
    assert mail.outbox == []


def test_a_password_reset_makes_the_old_password_stop_and_sends_the_details(
    world, django_capture_on_commit_callbacks
):
    assert world.consult1.has_usable_password()
    with django_capture_on_commit_callbacks(execute=True):
        accounts_services.reset_password(actor=world.pilot, organization=world.clinic, account=world.consult1)
    world.consult1.refresh_from_db()
    assert not world.consult1.has_usable_password()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [world.consult1.email]
    # A second reset sends again (not swallowed by the first one's key).
    with django_capture_on_commit_callbacks(execute=True):
        accounts_services.reset_password(actor=world.pilot, organization=world.clinic, account=world.consult1)
    assert len(mail.outbox) == 2


def test_a_password_is_not_reset_for_someone_with_access_elsewhere(world, django_capture_on_commit_callbacks):
    MembershipFactory(user=world.consult1, organization=world.other_clinic, role="appointments.pilot")
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ActionError) as error:
            accounts_services.reset_password(
                actor=world.pilot, organization=world.clinic, account=world.consult1
            )
    assert "other organizations" in " ".join(error.value.messages)
    world.consult1.refresh_from_db()
    assert world.consult1.has_usable_password()
    assert mail.outbox == []


def test_a_pilot_does_not_reset_their_own_password_here(world):
    with pytest.raises(ActionError) as error:
        accounts_services.reset_password(actor=world.pilot, organization=world.clinic, account=world.pilot)
    assert "your own password" in " ".join(error.value.messages)
    world.pilot.refresh_from_db()
    assert world.pilot.has_usable_password()


def test_an_access_account_is_updated(world):
    Membership.objects.create(
        user=world.manager1, organization=world.clinic, role="appointments.consultation_1"
    )
    user = accounts_services.update_access_account(
        organization=world.clinic,
        account=world.manager1,
        first_name="Luc",
        last_name="Roy",
        phone="",
        preferred_language="fr",
    )
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.preferred_language) == ("Luc", "Roy", "fr")


# Roles ------------------------------------------------------------------------------------------------


def _add(world, account, role, *, location=None, valid_from=None, valid_to=None):
    return accounts_services.add_role(
        organization=world.clinic,
        account=account,
        role=role,
        location=location,
        valid_from=valid_from,
        valid_to=valid_to,
    )


def test_an_application_has_three_pilots_at_most(world):
    _add(world, world.manager1, roles.PILOT)
    _add(world, world.manager2, roles.PILOT)
    with pytest.raises(ActionError) as error:
        _add(world, world.consult1, roles.PILOT)
    assert "three pilots" in field_errors(error, "role")
    with pytest.raises(ActionError):
        accounts_services.change_role(
            organization=world.clinic,
            membership=world.memberships["consult1"],
            role=roles.PILOT,
            location=None,
            valid_from=None,
            valid_to=None,
        )
    assert Membership.objects.filter(organization=world.clinic, role=roles.PILOT).count() == 3
    # A pilot may still change their own pilot role's dates.
    accounts_services.change_role(
        organization=world.clinic,
        membership=world.memberships["pilot"],
        role=roles.PILOT,
        location=None,
        valid_from=None,
        valid_to=in_days(30),
    )


def test_pilots_of_another_clinic_or_whose_role_ended_do_not_count(world):
    MembershipFactory(organization=world.other_clinic, role=roles.PILOT)
    MembershipFactory(organization=world.other_clinic, role=roles.PILOT)
    MembershipFactory(
        organization=world.clinic, role=roles.PILOT, valid_from=in_days(-30), valid_to=in_days(-1)
    )
    _add(world, world.manager1, roles.PILOT)
    _add(world, world.manager2, roles.PILOT)
    assert Membership.objects.filter(organization=world.clinic, role=roles.PILOT).count() == 4


def test_a_pilot_role_starting_later_counts_among_the_three(world):
    _add(world, world.manager1, roles.PILOT, valid_from=in_days(30))
    _add(world, world.manager2, roles.PILOT)
    # Next month there would be four pilots.
    with pytest.raises(ActionError) as error:
        _add(world, world.consult1, roles.PILOT)
    assert "three pilots" in field_errors(error, "role")


def test_a_role_may_be_limited_to_a_location_and_between_dates(world):
    membership = _add(
        world,
        world.consult1,
        "appointments.management_1",
        location=world.location_b,
        valid_from=in_days(1),
        valid_to=in_days(20),
    )
    assert membership.scope == {"locations": [world.location_b.pk]}
    assert (membership.valid_from, membership.valid_to) == (in_days(1), in_days(20))
    with pytest.raises(ActionError) as error:
        _add(world, world.consult1, "appointments.management_1", location=world.location_b)
    assert "already has this role" in field_errors(error, "role")
    # The same role for all locations is another role.
    assert _add(world, world.consult1, "appointments.management_1").scope == {}


def test_a_role_ending_before_it_starts_is_refused(world):
    with pytest.raises(ActionError) as error:
        _add(world, world.consult1, "appointments.management_2", valid_from=in_days(5), valid_to=in_days(2))
    assert "end date" in field_errors(error, "valid_to")
    with pytest.raises(ActionError) as error:
        accounts_services.change_role(
            organization=world.clinic,
            membership=world.memberships["consult1"],
            role="appointments.consultation_1",
            location=None,
            valid_from=in_days(5),
            valid_to=in_days(2),
        )
    assert "valid_to" in error.value.message_dict


def test_only_the_schedulers_roles_are_given(world):
    with pytest.raises(ActionError) as error:
        _add(world, world.consult1, "portal.administrator")
    assert "role" in error.value.message_dict


def test_a_role_is_changed(world):
    membership = accounts_services.change_role(
        organization=world.clinic,
        membership=world.memberships["consult2"],
        role="appointments.management_3",
        location=world.location_a,
        valid_from=None,
        valid_to=in_days(10),
    )
    membership.refresh_from_db()
    assert membership.role == "appointments.management_3"
    assert membership.scope == {"locations": [world.location_a.pk]}
    assert membership.valid_from == world.memberships["consult2"].valid_from
    assert membership.valid_to == in_days(10)


def test_a_role_of_another_clinic_is_not_changed_or_removed(world):
    other = MembershipFactory(organization=world.other_clinic, role="appointments.consultation_1")
    with pytest.raises(Membership.DoesNotExist):
        accounts_services.change_role(
            organization=world.clinic,
            membership=other,
            role=roles.PILOT,
            location=None,
            valid_from=None,
            valid_to=None,
        )
    with pytest.raises(Membership.DoesNotExist):
        accounts_services.remove_role(actor=world.pilot, organization=world.clinic, membership=other)


def test_a_pilot_cannot_remove_their_own_pilot_role(world):
    _add(world, world.pilot, "appointments.management_1")
    with pytest.raises(ActionError) as error:
        accounts_services.remove_role(
            actor=world.pilot, organization=world.clinic, membership=world.memberships["pilot"]
        )
    assert "your own pilot role" in " ".join(error.value.messages)
    assert Membership.objects.filter(pk=world.memberships["pilot"].pk).exists()


def test_the_only_role_of_a_person_cannot_be_removed(world):
    with pytest.raises(ActionError) as error:
        accounts_services.remove_role(
            actor=world.pilot, organization=world.clinic, membership=world.memberships["consult1"]
        )
    assert "only role" in " ".join(error.value.messages)
    second = _add(world, world.consult1, "appointments.management_2")
    accounts_services.remove_role(
        actor=world.pilot, organization=world.clinic, membership=world.memberships["consult1"]
    )
    assert list(Membership.objects.filter(user=world.consult1)) == [second]


def test_an_end_date_before_today_without_a_start_date_is_refused_not_a_crash(world):
    # The start date defaults to today: an end date before it is refused like any other.
    with pytest.raises(ActionError) as error:
        _account(world, valid_to=in_days(-1))
    assert "valid_to" in error.value.message_dict
    assert not Membership.objects.filter(user__email="julie.gallant@example.ca").exists()
    with pytest.raises(ActionError) as error:
        _add(world, world.consult1, "appointments.management_2", valid_to=in_days(-1))
    assert "valid_to" in error.value.message_dict
    # A change keeps the role's start date: an end date before it is refused.
    membership = world.memberships["consult1"]
    with pytest.raises(ActionError) as error:
        accounts_services.change_role(
            organization=world.clinic,
            membership=membership,
            role=membership.role,
            location=None,
            valid_from=None,
            valid_to=membership.valid_from - timedelta(days=1),
        )
    assert "valid_to" in error.value.message_dict
