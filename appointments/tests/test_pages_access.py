"""Who sees what on the scheduler's screens, through the test client: the configuration pages for the
pilot only, the schedules for the other roles, each role's own teams and locations, another clinic's
records answering 404."""

import pytest
from django.test import Client
from django.urls import reverse

from appointments.models import ClinicSettings, Slot
from appointments.schedules import services as schedules_services
from appointments.tests.helpers import calendar_page, client_for, in_days, message_texts, slot_form
from portal.models import Membership

pytestmark = pytest.mark.django_db


NON_PILOTS = ["manager1", "manager2", "manager3", "consult1", "consult2"]

# Every configuration page (GET) and the configuration actions (POST): for the pilot only.
CONFIGURATION_PAGES = [
    ("checklist", {}),
    ("service_list", {}),
    ("service_create", {}),
    ("service_edit", {"pk": "first"}),
    ("service_attachment", {"pk": "first"}),
    ("location_list", {}),
    ("location_create", {}),
    ("location_edit", {"pk": "location_a"}),
    ("resource_list", {}),
    ("resource_create", {}),
    ("resource_edit", {"pk": "team_a"}),
    ("resource_associations", {"pk": "team_a"}),
    ("account_create", {}),
    ("account_edit", {"pk": "manager1"}),
    ("account_roles", {"pk": "manager1"}),
    ("role_create", {"account_pk": "manager1"}),
    ("role_edit", {"pk": "membership_manager1"}),
    ("communications", {}),
    ("public_page_settings", {}),
    ("public_page_preview", {}),
]
CONFIGURATION_ACTIONS = [
    ("online_booking", {}),
    ("account_reset_password", {"pk": "manager1"}),
    ("role_remove", {"pk": "membership_manager1"}),
]


def _url(world, name, kwargs):
    values = {}
    for key, value in kwargs.items():
        if value.startswith("membership_"):
            values[key] = world.memberships[value.removeprefix("membership_")].pk
        else:
            values[key] = getattr(world, value).pk
    return reverse(f"appointments:{name}", kwargs=values)


# Who may open what ---------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [*NON_PILOTS, "limited"])
def test_configuration_pages_are_for_the_pilot_only(world, key):
    client = client_for(world, key)
    for name, kwargs in CONFIGURATION_PAGES:
        assert client.get(_url(world, name, kwargs)).status_code == 403, name
    for name, kwargs in CONFIGURATION_ACTIONS:
        assert client.post(_url(world, name, kwargs), {"open": "1"}).status_code == 403, name
    assert not ClinicSettings.objects.filter(online_booking_open=True).exists()
    assert Membership.objects.filter(pk=world.memberships["manager1"].pk).exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(world):
    response = Client().get(reverse("appointments:checklist"))
    assert response.status_code == 302
    assert "next=" in response["Location"]
    assert Client().get(reverse("appointments:calendar")).status_code == 302


@pytest.mark.parametrize("key", [*NON_PILOTS, "limited"])
def test_the_schedules_open_for_every_role_but_the_pilot(world, key):
    world.slot()
    assert client_for(world, key).get(reverse("appointments:calendar")).status_code == 200


def test_the_pilot_does_not_see_the_schedules(world, pilot):
    slot = world.slot()
    for url in [
        reverse("appointments:calendar"),
        reverse("appointments:slot", kwargs={"pk": slot.pk}),
        reverse("appointments:slot_create"),
        reverse("appointments:clone"),
    ]:
        assert pilot.get(url).status_code == 403, url


@pytest.mark.parametrize("key", ["manager2", "consult1", "consult2"])
def test_roles_without_editing_cannot_change_a_slot(world, key):
    slot = world.slot(team=world.team_a)
    client = client_for(world, key)
    page = client.get(reverse("appointments:slot", kwargs={"pk": slot.pk}))
    assert page.status_code == 200
    assert page.context["can_edit"] is False
    assert b'id="slot-form"' not in page.content
    response = client.post(
        reverse("appointments:slot", kwargs={"pk": slot.pk}), slot_form(world, per_interval=9)
    )
    assert response.status_code == 302
    assert "not change it" in " ".join(message_texts(response))
    slot.refresh_from_db()
    assert slot.per_interval == 2
    for name, kwargs, data in [
        ("slot_create", {}, slot_form(world)),
        ("slot_delete", {"pk": slot.pk}, {}),
        ("slot_lock", {"pk": slot.pk}, {"locked": "1"}),
        ("day_lock", {}, {"location": world.location_a.pk, "date": in_days(1).isoformat(), "locked": "1"}),
        ("clone", {}, {}),
    ]:
        assert client.post(reverse(f"appointments:{name}", kwargs=kwargs), data).status_code == 403, name
    slot.refresh_from_db()
    assert slot.is_locked is False
    assert Slot.objects.count() == 1


# Whose slots --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "sees_team_b"), [("manager3", False), ("consult2", False), ("consult1", True)]
)
def test_own_roles_see_only_their_teams_slots(world, key, sees_team_b):
    own = world.slot(team=world.team_a)
    other = world.slot(team=world.team_b, start=11, end=12)
    client = client_for(world, key)
    response = calendar_page(client, world)
    assert response.status_code == 200
    shown = {slot.pk for slot in response.context["slots"]}
    assert shown == ({own.pk, other.pk} if sees_team_b else {own.pk})
    answer = client.get(reverse("appointments:slot", kwargs={"pk": other.pk})).status_code
    assert answer == (200 if sees_team_b else 404)


def test_management_3_edits_only_its_own_teams_slots(world):
    own = world.slot(team=world.team_a)
    other = world.slot(team=world.team_b, start=11, end=12)
    client = client_for(world, "manager3")
    response = client.post(
        reverse("appointments:slot", kwargs={"pk": own.pk}), slot_form(world, per_interval=5)
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.per_interval == 5
    assert (
        client.post(reverse("appointments:slot_lock", kwargs={"pk": other.pk}), {"locked": "1"}).status_code
        == 404
    )
    # Locking the day locks its own slots only.
    client.post(
        reverse("appointments:day_lock"),
        {"location": world.location_a.pk, "date": in_days(1).isoformat(), "locked": "1"},
    )
    own.refresh_from_db()
    other.refresh_from_db()
    assert (own.is_locked, other.is_locked) == (True, False)
    # Its slot form offers only its own team.
    page = client.get(reverse("appointments:slot_create"), {"location": world.location_a.pk})
    assert list(page.context["form"].fields["resource"].queryset) == [world.team_a]


def test_a_role_limited_to_a_location_does_not_see_the_others(world):
    hidden = world.slot(team=world.team_a, location=world.location_a)
    shown = world.slot(team=world.team_c, location=world.location_b, services_=[world.first])
    client = client_for(world, "limited")
    response = calendar_page(client, world, location=world.location_b.pk)
    assert response.context["location"] == world.location_b
    assert {slot.pk for slot in response.context["slots"]} == {shown.pk}
    # Asking for location A falls back on what the role may see.
    response = calendar_page(client, world, location=world.location_a.pk)
    assert response.status_code == 200
    assert hidden.pk not in {slot.pk for slot in response.context["slots"]}
    assert list(response.context["form"].fields["location"].queryset) == [world.location_b]
    assert client.get(reverse("appointments:slot", kwargs={"pk": hidden.pk})).status_code == 404
    assert client.post(reverse("appointments:slot_delete", kwargs={"pk": hidden.pk})).status_code == 404
    assert (
        client.get(reverse("appointments:slot_create"), {"location": world.location_a.pk}).status_code == 404
    )
    day_lock = client.post(
        reverse("appointments:day_lock"),
        {"location": world.location_a.pk, "date": in_days(1).isoformat(), "locked": "1"},
    )
    assert day_lock.status_code == 404
    hidden.refresh_from_db()
    assert hidden.is_locked is False
    assert client.get(reverse("appointments:slot", kwargs={"pk": shown.pk})).status_code == 200


def test_a_role_whose_dates_ended_gives_no_access(world):
    membership = world.memberships["manager1"]
    membership.valid_from = in_days(-10)
    membership.valid_to = in_days(-1)
    membership.save()
    assert client_for(world, "manager1").get(reverse("appointments:calendar")).status_code == 403


def test_another_clinics_records_answer_404(world, pilot, manager):
    other_membership = Membership.objects.get(user=world.other_member)
    other_slot = schedules_services.create_slot(
        actor=world.other_member,
        organization=world.other_clinic,
        location=world.other_location,
        resource=world.other_team,
        services=[world.other_service],
        starts_at=world.at(1, 9),
        ends_at=world.at(1, 10),
        per_interval=1,
        is_locked=False,
    )
    for name, kwargs in [
        ("service_edit", {"pk": world.other_service.pk}),
        ("service_attachment", {"pk": world.other_service.pk}),
        ("location_edit", {"pk": world.other_location.pk}),
        ("resource_edit", {"pk": world.other_team.pk}),
        ("resource_associations", {"pk": world.other_team.pk}),
        ("account_edit", {"pk": world.other_member.pk}),
        ("account_roles", {"pk": world.other_member.pk}),
        ("role_create", {"account_pk": world.other_member.pk}),
        ("role_edit", {"pk": other_membership.pk}),
    ]:
        assert pilot.get(reverse(f"appointments:{name}", kwargs=kwargs)).status_code == 404, name
    for name, kwargs in [
        ("account_reset_password", {"pk": world.other_member.pk}),
        ("role_remove", {"pk": other_membership.pk}),
        ("role_edit", {"pk": other_membership.pk}),
    ]:
        assert (
            pilot.post(
                reverse(f"appointments:{name}", kwargs=kwargs), {"role": "appointments.pilot"}
            ).status_code
            == 404
        )
    assert Membership.objects.filter(pk=other_membership.pk, role="appointments.pilot").exists()
    for name in ("slot", "slot_delete", "slot_lock"):
        method = manager.get if name == "slot" else manager.post
        assert method(reverse(f"appointments:{name}", kwargs={"pk": other_slot.pk})).status_code == 404, name
    assert (
        manager.get(reverse("appointments:slot_create"), {"location": world.other_location.pk}).status_code
        == 404
    )
    assert Slot.objects.filter(pk=other_slot.pk).exists()
