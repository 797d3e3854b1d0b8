"""Rules added after review: own pilot role, fixed-capacity teams, pilots counted as people,
changing a campaign's duration, and records of another application refused by the services."""

import pytest
from django.utils import translation

from appointments import services
from appointments.models import Service
from appointments.services import ActionError
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _message(error):
    with translation.override("en"):
        return " ".join(error.value.messages)


def test_a_pilot_cannot_change_or_end_their_own_pilot_role(world):
    membership = world.memberships["pilot"]
    with pytest.raises(ActionError) as error:
        services.change_role(
            actor=world.pilot,
            organization=world.clinic,
            membership=membership,
            role="appointments.management_1",
            location=None,
            valid_from=None,
            valid_to=None,
        )
    assert "own pilot role" in _message(error)
    membership.refresh_from_db()
    assert membership.role == "appointments.pilot"


def test_the_three_pilots_are_counted_as_people(world):
    MembershipFactory(organization=world.clinic, role="appointments.pilot")
    MembershipFactory(organization=world.clinic, role="appointments.pilot")
    # The first pilot may get a pilot role for one location too: still three people.
    services.add_role(
        organization=world.clinic,
        account=world.pilot,
        role="appointments.pilot",
        location=world.location_a,
        valid_from=None,
        valid_to=None,
    )
    with pytest.raises(ActionError) as error:
        services.add_role(
            organization=world.clinic,
            account=world.manager1,
            role="appointments.pilot",
            location=None,
            valid_from=None,
            valid_to=None,
        )
    assert "three pilots" in _message(error)


def test_a_fixed_capacity_team_takes_one_appointment_per_interval(world):
    world.team_a.variable_capacity = False
    world.team_a.save()
    with pytest.raises(ActionError) as error:
        world.slot(team=world.team_a, per_interval=2)
    assert "fixed capacity" in _message(error)
    assert world.slot(team=world.team_a, per_interval=1).capacity == 4


def test_a_campaigns_duration_changes_for_both_doses_when_asked(world):
    world.second.duration_minutes = 20
    with pytest.raises(ActionError):
        services.save_service(organization=world.clinic, service=world.second)
    services.save_service(organization=world.clinic, service=world.second, apply_to_campaign=True)
    assert Service.objects.get(pk=world.first.pk).duration_minutes == 20
    assert Service.objects.get(pk=world.second.pk).duration_minutes == 20


def test_a_campaigns_duration_change_is_refused_when_upcoming_slots_use_the_other_dose(world):
    world.slot(team=world.team_b)  # the second dose, 15 minutes
    world.first.duration_minutes = 20
    with pytest.raises(ActionError) as error:
        services.save_service(organization=world.clinic, service=world.first, apply_to_campaign=True)
    assert "Upcoming slots" in _message(error)
    assert Service.objects.get(pk=world.second.pk).duration_minutes == 15


def test_a_slot_with_another_applications_service_is_refused(world):
    with pytest.raises(ActionError) as error:
        world.slot(services_=[world.other_service])
    assert "another application" in _message(error)


def test_the_role_list_shows_only_the_schedulers_roles(world):
    from appointments import selectors

    MembershipFactory(organization=world.clinic, role="portal.administrator", user=world.manager2)
    account = selectors.access_accounts(world.clinic).get(pk=world.manager2.pk)
    assert [m.role for m in account.clinic_memberships] == ["appointments.management_2"]
