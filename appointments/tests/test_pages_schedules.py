"""The schedule screens through the test client: slots, the capacity calculator, locks, cloning, the
calendar's views and filters, bad input, query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse

from appointments.models import Slot
from appointments.schedules import services as schedules_services
from appointments.tests.helpers import calendar_page, client_for, in_days, message_texts, slot_form
from tests.helpers import assert_constant_queries

pytestmark = pytest.mark.django_db


# Slots through the pages ---------------------------------------------------------------------------------


def test_a_manager_creates_a_slot_with_the_capacity_calculator(world, manager):
    url = reverse("appointments:slot_create") + f"?location={world.location_a.pk}"
    response = manager.post(url, slot_form(world, end="13:00", per_interval="1"))
    assert response.status_code == 302
    slot = Slot.objects.get()
    assert slot.capacity == 16
    assert slot.location == world.location_a
    assert "16 appointments" in " ".join(message_texts(response))


def test_a_range_not_a_multiple_of_the_duration_needs_the_tick(world, manager):
    url = reverse("appointments:slot_create") + f"?location={world.location_a.pk}"
    response = manager.post(url, slot_form(world, end="10:10"))
    assert response.status_code == 200
    form = response.context["form"]
    assert "accept_unused" in form.errors
    assert "10 minutes" in form.errors["accept_unused"][0]
    assert form.unused_minutes == 10
    assert form.capacity == 8
    assert 'name="accept_unused"' in response.content.decode()
    assert not Slot.objects.exists()
    response = manager.post(url, slot_form(world, end="10:10", accept_unused="on"))
    assert response.status_code == 302
    assert Slot.objects.get().capacity == 8


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"date": "garbage"}, "date"),
        ({"date": "2025-13-45"}, "date"),
        ({"start": "25:00"}, "start"),
        ({"end": "08:00"}, "end"),
        ({"per_interval": "0"}, "per_interval"),
        ({"per_interval": "abc"}, "per_interval"),
        ({"resource": "abc"}, "resource"),
        ({"services": []}, "services"),
        ({"services": ["999999"]}, "services"),
    ],
)
def test_bad_slot_input_is_refused_next_to_the_field(world, manager, changes, field):
    url = reverse("appointments:slot_create") + f"?location={world.location_a.pk}"
    response = manager.post(url, slot_form(world, **changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Slot.objects.exists()


def test_another_teams_or_clinics_choices_are_refused(world, manager):
    url = reverse("appointments:slot_create") + f"?location={world.location_a.pk}"
    # Team C works at location B only; the other clinic's team and service are never choices.
    for changes in (
        {"resource": world.team_c.pk},
        {"resource": world.other_team.pk},
        {"services": [world.other_service.pk]},
    ):
        response = manager.post(url, slot_form(world, **changes))
        assert response.status_code == 200
        assert response.context["form"].errors, changes
    # A service offered at the location but not by this team: refused by the service, next to the field.
    response = manager.post(url, slot_form(world, services=[world.second.pk]))
    assert response.status_code == 200
    assert "services" in response.context["form"].errors
    assert not Slot.objects.exists()


def test_a_bad_location_on_the_slot_form_is_not_an_error_page(world, manager):
    for location in ("abc", "-1", "99999999999999999999"):
        response = manager.get(reverse("appointments:slot_create"), {"location": location})
        assert response.status_code in (200, 404), location


def test_lowering_a_slot_below_its_bookings_shows_the_reason(world, manager):
    slot = world.slot(per_interval=2)
    world.book(slot)
    world.book(slot, name=("Anne", "Leblanc"))
    response = manager.post(
        reverse("appointments:slot", kwargs={"pk": slot.pk}), slot_form(world, per_interval="1")
    )
    assert response.status_code == 200
    assert "already booked" in " ".join(response.context["form"].errors["per_interval"])
    slot.refresh_from_db()
    assert slot.per_interval == 2
    response = manager.post(
        reverse("appointments:slot", kwargs={"pk": slot.pk}), slot_form(world, per_interval="4")
    )
    assert response.status_code == 302
    slot.refresh_from_db()
    assert slot.capacity == 16


def test_a_booked_slot_is_not_deleted_from_its_page(world, manager):
    slot = world.slot()
    world.book(slot)
    response = manager.post(reverse("appointments:slot_delete", kwargs={"pk": slot.pk}), {"confirmed": "1"})
    assert response["Location"] == reverse("appointments:slot", kwargs={"pk": slot.pk})
    assert "cannot be deleted" in " ".join(message_texts(response))
    assert Slot.objects.filter(pk=slot.pk).exists()
    empty = world.slot(start=11, end=12)
    url = reverse("appointments:slot_delete", kwargs={"pk": empty.pk})
    assert manager.post(url, {"confirmed": "1"}).status_code == 302
    assert not Slot.objects.filter(pk=empty.pk).exists()


def test_slots_and_days_are_locked_from_the_calendar(world, manager):
    first = world.slot(start=9, end=10)
    second = world.slot(start=10, end=11, team=world.team_b)
    manager.post(reverse("appointments:slot_lock", kwargs={"pk": first.pk}), {"locked": "1"})
    first.refresh_from_db()
    assert first.is_locked is True
    response = calendar_page(manager, world)
    column = next(column for column in response.context["days"] if column["day"] == in_days(1))
    assert column["lock"] == "mixed"
    manager.post(
        reverse("appointments:day_lock"),
        {"location": world.location_a.pk, "date": in_days(1).isoformat(), "locked": "1"},
    )
    second.refresh_from_db()
    assert second.is_locked is True
    column = next(
        column for column in calendar_page(manager, world).context["days"] if column["day"] == in_days(1)
    )
    assert column["lock"] == "locked"
    for data in (
        {"location": "abc", "date": in_days(1).isoformat()},
        {"location": world.location_a.pk, "date": "x"},
    ):
        assert manager.post(reverse("appointments:day_lock"), data).status_code == 404


def test_a_typical_day_is_cloned_over_a_week(world, manager):
    world.slot(day=-7, start=9, end=12, per_interval=2)
    world.slot(day=-7, start=13, end=15, team=world.team_b, locked=True)
    first, last = in_days(1), in_days(7)
    response = manager.post(
        reverse("appointments:clone"),
        {
            "location": world.location_a.pk,
            "source_day": in_days(-7).isoformat(),
            "first_day": first.isoformat(),
            "last_day": last.isoformat(),
            "weekdays": ["0", "1", "2", "3", "4"],
        },
    )
    assert response.status_code == 302
    assert Slot.objects.filter(starts_at__gte=world.at(1, 0)).count() == 10
    assert Slot.objects.filter(starts_at__gte=world.at(1, 0), is_locked=True).count() == 5


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"last_day": in_days(0).isoformat()}, "last_day"),
        ({"first_day": "garbage"}, "first_day"),
        ({"last_day": in_days(400).isoformat()}, "last_day"),
        ({"weekdays": ["9"]}, "weekdays"),
        (
            {
                "first_day": in_days(-3).isoformat(),
                "last_day": in_days(-3).isoformat(),
                "weekdays": list("0123456"),
            },
            "target_days",
        ),
        ({"location": "abc"}, "location"),
        ({"location": "999999"}, "location"),
    ],
)
def test_bad_clone_input_is_refused_with_a_message(world, manager, changes, field):
    world.slot(day=-7)
    data = {
        "location": world.location_a.pk,
        "source_day": in_days(-7).isoformat(),
        "first_day": in_days(1).isoformat(),
        "last_day": in_days(3).isoformat(),
        "weekdays": list("0123456"),
    }
    data.update(changes)
    response = manager.post(reverse("appointments:clone"), data)
    assert response.status_code == 200
    form = response.context["form"]
    # The service's refusals that name no field of the form show above it.
    assert ("__all__" if field == "target_days" else field) in form.errors
    assert Slot.objects.count() == 1


@pytest.mark.parametrize(
    "query",
    [
        {"date": "garbage", "view": "xyz", "grid": "7", "location": "abc"},
        {"date": "2025-02-30"},
        {"view": "month", "date": "9999-12-31"},
        {"view": "week", "date": "0001-01-01"},
        {"view": "day", "date": "9999-12-31"},
        {"first_hour": "20", "last_hour": "8"},
        {"first_hour": "x", "last_hour": "99"},
        {"services": ["abc", "999999"], "resources": ["x"]},
        {"location": "99999999999999999999"},
        {"display": "table"},
    ],
)
def test_weird_calendar_parameters_show_the_schedule_with_a_message(world, manager, query):
    world.slot()
    response = manager.get(reverse("appointments:calendar"), query)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "notice--error" in response.content.decode()


@pytest.mark.parametrize("view", ["day", "week", "month"])
@pytest.mark.parametrize("display", ["grid", "list"])
def test_every_calendar_view_shows_the_slots(world, manager, view, display):
    slot = world.slot(start=6, end=7)  # before the grid's period: shown on a row of its own
    world.slot(start=21, end=22, team=world.team_b)
    world.book(slot)
    response = calendar_page(manager, world, view=view, display=display)
    assert response.status_code == 200
    assert slot in response.context["slots"]
    if view != "month":
        assert reverse("appointments:slot", kwargs={"pk": slot.pk}) in response.content.decode()


def test_the_calendar_filters_by_service_and_team_without_double_counting(world):
    slot = world.slot(team=world.team_c, location=world.location_b, services_=[world.first, world.second])
    world.book(slot)
    client = client_for(world, "manager1")
    response = calendar_page(
        client,
        world,
        location=world.location_b.pk,
        services=[world.first.pk, world.second.pk],
        resources=[world.team_c.pk],
    )
    (shown,) = response.context["slots"]
    assert shown.booked == 1
    assert shown.remaining == slot.capacity - 1
    response = calendar_page(client, world, location=world.location_b.pk, resources=[world.team_a.pk])
    assert response.context["slots"] == []


def test_the_calendar_week_costs_the_same_queries_for_one_slot_or_many(world, manager):
    # A Monday one to seven days ahead: every slot below falls in its week, in the future.
    monday = in_days(7) - timedelta(days=in_days(7).weekday())
    created = []

    def add_rows(count):
        for _index in range(count):
            number = len(created)
            team = world.team_a if number % 2 else world.team_b
            starts_at = world.at((monday - in_days(0)).days + number % 5, 7) + timedelta(
                minutes=10 * (number // 5 % 60)
            )
            slot = schedules_services.create_slot(
                actor=world.manager1,
                organization=world.clinic,
                location=world.location_a,
                resource=team,
                services=list(team.services.all()),
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=30),
                per_interval=2,
                is_locked=bool(number % 3),
            )
            if number % 4 == 0:
                world.book(slot, name=("Personne", str(number)))
            created.append(slot)

    url = reverse("appointments:calendar") + f"?location={world.location_a.pk}&date={monday.isoformat()}"
    assert_constant_queries(manager, url + "&view=week", add_rows)
    assert len(manager.get(url + "&view=week").context["slots"]) == 50
    assert_constant_queries(manager, url + "&view=week&display=list", add_rows)
    assert_constant_queries(manager, url + "&view=month", add_rows)
    assert_constant_queries(manager, url + "&view=day", add_rows)


@pytest.mark.parametrize("far", ["9999-12-31", "0001-01-01"])
def test_dates_at_the_ends_of_the_calendar_are_refused_not_a_crash(world, manager, far):
    world.slot()
    url = reverse("appointments:slot_create") + f"?location={world.location_a.pk}&date={far}"
    assert manager.get(url).status_code == 200
    response = manager.post(url, slot_form(world, date=far, start="23:00", end="00:00"))
    assert response.status_code == 200
    assert "date" in response.context["form"].errors
    assert (
        manager.get(reverse("appointments:clone"), {"date": far, "location": world.location_a.pk}).status_code
        == 200
    )
    response = manager.post(
        reverse("appointments:clone"),
        {
            "location": world.location_a.pk,
            "source_day": far,
            "first_day": far,
            "last_day": far,
            "weekdays": list("0123456"),
        },
    )
    assert response.status_code == 200
    assert {"source_day", "first_day", "last_day"} <= set(response.context["form"].errors)
    response = manager.post(
        reverse("appointments:day_lock"), {"location": world.location_a.pk, "date": far, "locked": "1"}
    )
    assert response.status_code == 404
    assert Slot.objects.count() == 1
