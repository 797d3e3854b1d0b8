"""Configuration, access accounts and schedules of the appointment application, through its services."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone, translation

from appointments import roles
from appointments.accounts import services as accounts_services
from appointments.booking import services as booking_services
from appointments.configuration import services as configuration_services
from appointments.models import (
    Appointment,
    AppointmentStatus,
    ClinicSettings,
    Dose,
    Location,
    Service,
    Slot,
)
from appointments.schedules import services as schedules_services
from portal.dates import next_sending_time as sending_time
from portal.models import Membership, Message, MessageStatus
from portal.workflow import ActionError
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
MONCTON = ZoneInfo("America/Moncton")


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


def _field_errors(error, field):
    return " ".join(error.value.message_dict[field])


def _day(offset):
    return timezone.localdate() + timedelta(days=offset)


def _bounds(day):
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(day, time(0, 0)), tz),
        timezone.make_aware(datetime.combine(day + timedelta(days=1), time(0, 0)), tz),
    )


def _slot_values(slot, **changes):
    values = {
        "slot": slot,
        "resource": slot.resource,
        "services": list(slot.services.all()),
        "starts_at": slot.starts_at,
        "ends_at": slot.ends_at,
        "per_interval": slot.per_interval,
        "is_locked": slot.is_locked,
    }
    values.update(changes)
    return values


# Services: the campaign duration rule -----------------------------------------------------------------


def test_the_first_and_second_doses_of_a_campaign_keep_the_same_duration(world):
    world.second.duration_minutes = 20
    with pytest.raises(ActionError) as error:
        configuration_services.save_service(organization=world.clinic, service=world.second)
    assert "duration_minutes" in error.value.message_dict
    assert "same duration" in _field_errors(error, "duration_minutes")
    assert "15 minutes" in _field_errors(error, "duration_minutes")
    world.second.refresh_from_db()
    assert world.second.duration_minutes == 15


def test_the_campaign_rule_ignores_the_case_of_the_campaign_name(world):
    service = Service(
        name_fr="Rappel", name_en="Booster", campaign="covid-19", dose=Dose.SECOND, duration_minutes=10
    )
    with pytest.raises(ActionError) as error:
        configuration_services.save_service(organization=world.clinic, service=service)
    assert "duration_minutes" in error.value.message_dict
    assert not Service.objects.filter(name_en="Booster").exists()


def test_a_single_dose_or_another_campaign_may_have_its_own_duration(world):
    single = configuration_services.save_service(
        organization=world.clinic,
        service=Service(
            name_fr="Grippe", name_en="Flu", campaign="COVID-19", dose=Dose.SINGLE, duration_minutes=5
        ),
    )
    other = configuration_services.save_service(
        organization=world.clinic,
        service=Service(
            name_fr="Zona", name_en="Shingles", campaign="Zona", dose=Dose.FIRST, duration_minutes=30
        ),
    )
    assert single.pk and other.pk
    assert single.organization == world.clinic


def test_the_campaign_rule_does_not_look_at_another_clinic(world):
    Service.objects.create(
        organization=world.other_clinic, name="X", campaign="COVID-19", dose=Dose.FIRST, duration_minutes=45
    )
    world.first.name_en = "First dose, renamed"
    configuration_services.save_service(organization=world.clinic, service=world.first)


def test_a_duration_used_by_upcoming_slots_cannot_change(world):
    world.slot()
    world.first.campaign = ""  # out of the campaign rule: only the slots stop this change
    world.first.duration_minutes = 20
    with pytest.raises(ActionError) as error:
        configuration_services.save_service(organization=world.clinic, service=world.first)
    assert "Upcoming slots" in _field_errors(error, "duration_minutes")


# Locations: coordinates from the postal code ------------------------------------------------------------


def _location(postal_code, **values):
    return Location(
        name_fr="Lieu",
        name_en="Place",
        address="1 rue Main",
        city="Moncton",
        postal_code=postal_code,
        **values,
    )


def test_a_location_gets_the_coordinates_of_its_full_postal_code(world):
    location = configuration_services.save_location(organization=world.clinic, location=_location("E1C 8K6"))
    location.refresh_from_db()
    assert location.latitude == Decimal("46.084800")
    assert location.longitude == Decimal("-64.789600")


def test_an_unknown_full_code_falls_back_to_its_forward_sortation_area(world):
    assert configuration_services.coordinates_for("e1c9z9") == (
        Decimal("46.0987"),
        Decimal("-64.8036"),
        False,
    )
    location = configuration_services.save_location(organization=world.clinic, location=_location("E1C 9Z9"))
    assert location.latitude == Decimal("46.0987")
    assert location.longitude == Decimal("-64.8036")


def test_an_unknown_postal_code_without_coordinates_is_refused(world):
    with pytest.raises(ActionError) as error:
        configuration_services.save_location(organization=world.clinic, location=_location("E9Z 9Z9"))
    assert "latitude and longitude" in _field_errors(error, "postal_code")
    assert not Location.objects.filter(postal_code="E9Z 9Z9").exists()


@pytest.mark.parametrize("postal_code", ["D1A 1A1", "E1D 1D1", "Z9Z 9Z9", "", "E1"])
def test_a_postal_code_the_data_cannot_read_is_refused_not_a_crash(world, postal_code):
    assert configuration_services.coordinates_for(postal_code) == (None, None, False)
    with pytest.raises(ActionError) as error:
        configuration_services.save_location(organization=world.clinic, location=_location(postal_code))
    assert "postal_code" in error.value.message_dict


def test_coordinates_typed_by_the_pilot_are_kept(world):
    location = configuration_services.save_location(
        organization=world.clinic,
        location=_location("E9Z 9Z9", latitude=Decimal("47.1"), longitude=Decimal("-65.2")),
    )
    location.refresh_from_db()
    assert (location.latitude, location.longitude) == (Decimal("47.100000"), Decimal("-65.200000"))
    kept = configuration_services.save_location(
        organization=world.clinic,
        location=_location("E1C 8K6", latitude=Decimal("45"), longitude=Decimal("-66")),
    )
    assert (kept.latitude, kept.longitude) == (Decimal("45"), Decimal("-66"))


def test_a_new_postal_code_moves_coordinates_that_were_not_edited(world):
    location = Location.objects.get(pk=world.location_a.pk)  # E1C 8K6, Moncton
    location.postal_code = "E3B 5H1"  # Fredericton; the form sends the old coordinates back unchanged
    configuration_services.save_location(organization=world.clinic, location=location)
    location.refresh_from_db()
    assert (location.latitude, location.longitude) == (Decimal("45.956500"), Decimal("-66.641100"))
    # Coordinates typed with the new code are the pilot's.
    location.postal_code = "E1C 8K6"
    location.latitude, location.longitude = Decimal("46.5"), Decimal("-65")
    configuration_services.save_location(organization=world.clinic, location=location)
    location.refresh_from_db()
    assert (location.latitude, location.longitude) == (Decimal("46.500000"), Decimal("-65.000000"))
    # Another change of name only keeps them.
    location.name_en = "Renamed"
    configuration_services.save_location(organization=world.clinic, location=location)
    location.refresh_from_db()
    assert location.latitude == Decimal("46.500000")


# Team resources and their associations -------------------------------------------------------------


def test_a_location_used_by_upcoming_slots_cannot_be_removed_from_a_team(world):
    world.slot(team=world.team_a)
    with pytest.raises(ActionError) as error:
        configuration_services.associate_resource(
            resource=world.team_a, locations=[world.location_b], services=[world.first], members=[]
        )
    assert "locations" in error.value.message_dict
    assert list(world.team_a.locations.all()) == [world.location_a]
    assert set(world.team_a.members.all()) == {world.manager3, world.consult2}


def test_a_service_used_by_upcoming_slots_cannot_be_removed_from_a_team(world):
    world.slot(team=world.team_a)
    with pytest.raises(ActionError) as error:
        configuration_services.associate_resource(
            resource=world.team_a, locations=[world.location_a], services=[world.second], members=[]
        )
    assert "services" in error.value.message_dict
    assert list(world.team_a.services.all()) == [world.first]


def test_removing_one_of_the_services_of_an_upcoming_slot_is_refused(world):
    # The slot offers both doses; keeping the first dose does not make the second one go away.
    world.slot(team=world.team_c, location=world.location_b, services_=[world.first, world.second])
    with pytest.raises(ActionError) as error:
        configuration_services.associate_resource(
            resource=world.team_c, locations=[world.location_b], services=[world.first], members=[]
        )
    assert "services" in error.value.message_dict
    assert set(world.team_c.services.all()) == {world.first, world.second}


def test_past_slots_do_not_hold_a_teams_associations(world):
    world.slot(day=-3, team=world.team_a)
    team = configuration_services.associate_resource(
        resource=world.team_a, locations=[world.location_b], services=[world.second], members=[world.manager3]
    )
    assert list(team.locations.all()) == [world.location_b]
    assert list(team.services.all()) == [world.second]
    assert list(team.members.all()) == [world.manager3]


# Slots: creation and the capacity calculator ------------------------------------------------------------


def test_the_capacity_calculator_counts_appointments_per_interval(world):
    assert schedules_services.capacity_of(
        starts_at=world.at(1, 9), ends_at=world.at(1, 13), interval_minutes=15, per_interval=1
    ) == (16, 0)
    assert schedules_services.capacity_of(
        starts_at=world.at(1, 9), ends_at=world.at(1, 13), interval_minutes=15, per_interval=3
    ) == (48, 0)


def test_the_capacity_calculator_gives_the_unused_minutes_at_the_end(world):
    assert schedules_services.capacity_of(
        starts_at=world.at(1, 9), ends_at=world.at(1, 10, 10), interval_minutes=15, per_interval=2
    ) == (8, 10)
    assert schedules_services.capacity_of(
        starts_at=world.at(1, 10), ends_at=world.at(1, 9), interval_minutes=15, per_interval=2
    ) == (0, 0)


def test_a_slot_has_its_services_interval_and_capacity(world):
    slot = world.slot(start=9, end=13, per_interval=1)
    assert slot.interval_minutes == 15
    assert slot.capacity == 16
    assert list(slot.services.all()) == [world.first]
    assert slot.created_by == world.manager1
    assert len(slot.interval_starts()) == 16


def test_a_team_cannot_get_a_slot_at_a_location_it_is_not_associated_with(world):
    with pytest.raises(ActionError) as error:
        world.slot(team=world.team_a, location=world.location_b, services_=[world.first])
    assert "associate it" in _field_errors(error, "resource")
    assert not Slot.objects.exists()


def test_a_team_cannot_get_a_slot_for_a_service_it_is_not_associated_with(world):
    with pytest.raises(ActionError) as error:
        world.slot(team=world.team_a, services_=[world.second])
    assert "services" in error.value.message_dict
    assert not Slot.objects.exists()


def test_the_services_of_one_slot_have_the_same_duration(world):
    longer = Service.objects.create(organization=world.clinic, name="Long", duration_minutes=30)
    world.team_a.services.add(longer)
    with pytest.raises(ActionError) as error:
        world.slot(team=world.team_a, services_=[world.first, longer])
    assert "same duration" in _field_errors(error, "services")


def test_a_slot_ending_before_it_starts_is_refused(world):
    with pytest.raises(ActionError) as error:
        world.slot(start=10, end=9)
    assert "after the start" in _field_errors(error, "ends_at")


def test_a_slot_shorter_than_its_service_is_refused(world):
    with pytest.raises(ActionError) as error:
        schedules_services.create_slot(
            actor=world.manager1,
            organization=world.clinic,
            location=world.location_a,
            resource=world.team_a,
            services=[world.first],
            starts_at=world.at(1, 9),
            ends_at=world.at(1, 9, 10),
            per_interval=1,
            is_locked=False,
        )
    assert "15 minutes" in _field_errors(error, "ends_at")


def test_a_slot_without_a_service_is_refused(world):
    with pytest.raises(ActionError) as error:
        schedules_services.create_slot(
            actor=world.manager1,
            organization=world.clinic,
            location=world.location_a,
            resource=world.team_a,
            services=[],
            starts_at=world.at(1, 9),
            ends_at=world.at(1, 10),
            per_interval=1,
            is_locked=False,
        )
    assert "services" in error.value.message_dict


def test_a_slot_may_end_at_midnight_but_not_run_over_two_days(world):
    slot = schedules_services.create_slot(
        actor=world.manager1,
        organization=world.clinic,
        location=world.location_a,
        resource=world.team_a,
        services=[world.first],
        starts_at=world.at(1, 23),
        ends_at=world.at(2, 0),
        per_interval=1,
        is_locked=False,
    )
    assert slot.capacity == 4
    for ends_at in (world.at(2, 1), world.at(3, 0)):
        with pytest.raises(ActionError) as error:
            schedules_services.create_slot(
                actor=world.manager1,
                organization=world.clinic,
                location=world.location_a,
                resource=world.team_a,
                services=[world.first],
                starts_at=world.at(1, 22),
                ends_at=ends_at,
                per_interval=1,
                is_locked=False,
            )
        assert "same day" in _field_errors(error, "ends_at")


# Slots: editing after bookings ----------------------------------------------------------------------------


def test_raising_the_capacity_after_bookings_adds_places(world):
    slot = world.slot(start=9, end=10, per_interval=2)
    world.book(slot)
    world.book(slot, name=("Anne", "Leblanc"))
    updated = schedules_services.update_slot(**_slot_values(slot, per_interval=3))
    assert updated.per_interval == 3
    assert updated.capacity == 12
    assert Appointment.objects.filter(slot=slot).count() == 2
    # The new place at 9:00 can be booked.
    world.book(updated, name=("Paul", "Arsenault"))


def test_lowering_the_capacity_below_what_is_booked_is_refused_and_changes_nothing(world):
    slot = world.slot(start=9, end=10, per_interval=2)
    world.book(slot)
    world.book(slot, name=("Anne", "Leblanc"))
    with pytest.raises(ActionError) as error:
        schedules_services.update_slot(**_slot_values(slot, per_interval=1, is_locked=True))
    assert _field_errors(error, "per_interval") == (
        "2 appointments are already booked at one time: the capacity cannot go below that."
    )
    slot.refresh_from_db()
    assert slot.per_interval == 2
    assert slot.is_locked is False


def test_lowering_the_capacity_to_what_is_booked_is_allowed(world):
    slot = world.slot(start=9, end=10, per_interval=3)
    world.book(slot)
    world.book(slot, at=world.at(1, 9, 15))
    assert schedules_services.update_slot(**_slot_values(slot, per_interval=1)).per_interval == 1


def test_removing_booked_times_from_a_slot_is_refused(world):
    slot = world.slot(start=9, end=11, per_interval=1)
    world.book(slot, at=world.at(1, 10, 45))
    with pytest.raises(ActionError) as error:
        schedules_services.update_slot(**_slot_values(slot, ends_at=world.at(1, 10, 30)))
    assert "booked at times this change would remove" in " ".join(error.value.messages)
    with pytest.raises(ActionError):
        schedules_services.update_slot(
            **_slot_values(slot, starts_at=world.at(1, 9, 5), ends_at=world.at(1, 11, 5))
        )
    slot.refresh_from_db()
    assert (slot.starts_at, slot.ends_at) == (world.at(1, 9), world.at(1, 11))
    # Times that keep the booking are fine.
    schedules_services.update_slot(**_slot_values(slot, starts_at=world.at(1, 10), ends_at=world.at(1, 12)))


def test_cancelled_appointments_do_not_hold_their_times(world):
    slot = world.slot(start=9, end=10, per_interval=2)
    appointment = world.book(slot)
    Appointment.objects.filter(pk=appointment.pk).update(status=AppointmentStatus.CANCELLED)
    schedules_services.update_slot(**_slot_values(slot, starts_at=world.at(1, 9, 30), per_interval=1))


def test_a_booked_service_or_the_team_of_a_booked_slot_cannot_change(world):
    slot = world.slot(team=world.team_c, location=world.location_b, services_=[world.first, world.second])
    world.book(slot, service=world.second)
    with pytest.raises(ActionError) as error:
        schedules_services.update_slot(**_slot_values(slot, services=[world.first]))
    assert "services" in error.value.message_dict
    other_team = world.team("Équipe D", [world.location_b], [world.first, world.second])
    with pytest.raises(ActionError) as error:
        schedules_services.update_slot(**_slot_values(slot, resource=other_team))
    assert "resource" in error.value.message_dict


def test_an_evening_slot_can_be_edited_with_utc_times(world):
    # 19:00–23:00 in Moncton crosses midnight in UTC: the same-day rule reads local times.
    slot = world.slot(start=19, end=23, per_interval=1)
    slot.refresh_from_db()
    updated = schedules_services.update_slot(
        **_slot_values(
            slot,
            starts_at=slot.starts_at.astimezone(ZoneInfo("UTC")),
            ends_at=slot.ends_at.astimezone(ZoneInfo("UTC")),
            per_interval=2,
        )
    )
    assert updated.per_interval == 2


def test_a_slot_with_bookings_cannot_be_deleted(world):
    slot = world.slot()
    world.book(slot)
    with pytest.raises(ActionError) as error:
        schedules_services.delete_slot(slot=slot)
    assert "cannot be deleted" in " ".join(error.value.messages)
    assert Slot.objects.filter(pk=slot.pk).exists()


def test_a_slot_keeps_its_cancelled_appointments_and_only_an_empty_one_is_deleted(world):
    slot = world.slot()
    Appointment.objects.filter(pk=world.book(slot).pk).update(status=AppointmentStatus.CANCELLED)
    empty = world.slot(start=11, end=12)
    with pytest.raises(ActionError) as error:
        schedules_services.delete_slot(slot=slot)
    assert "lock it instead" in " ".join(error.value.messages)
    schedules_services.delete_slot(slot=empty)
    assert list(Slot.objects.all()) == [slot]
    assert Appointment.objects.count() == 1


# Locks -------------------------------------------------------------------------------------------------


def test_a_slot_is_locked_and_unlocked(world):
    slot = world.slot()
    assert schedules_services.set_slot_lock(slot=slot, locked=True).is_locked is True
    slot.refresh_from_db()
    assert slot.is_locked is True
    assert schedules_services.set_slot_lock(slot=slot, locked=True).is_locked is True  # nothing changes
    assert schedules_services.set_slot_lock(slot=slot, locked=False).is_locked is False


def test_a_day_is_locked_and_unlocked_slot_by_slot(world):
    open_slot = world.slot(start=9, end=10)
    locked_slot = world.slot(start=10, end=11, locked=True)
    next_day = world.slot(day=2)
    start, end = _bounds(_day(1))
    day = Slot.objects.filter(starts_at__gte=start, starts_at__lt=end)
    assert schedules_services.set_day_lock(slots=day, locked=True) == 1
    assert set(Slot.objects.filter(is_locked=True)) == {open_slot, locked_slot}
    assert schedules_services.set_day_lock(slots=day, locked=False) == 2
    assert not Slot.objects.filter(is_locked=True).exists()
    next_day.refresh_from_db()
    assert next_day.is_locked is False


# Clone ------------------------------------------------------------------------------------------------


def _source(world, day_offset):
    start, end = _bounds(_day(day_offset))
    return Slot.objects.filter(location=world.location_a, starts_at__gte=start, starts_at__lt=end)


def test_cloning_copies_the_remaining_places_of_the_typical_day(world):
    busy = world.slot(day=1, start=9, end=10, per_interval=3)
    world.book(busy, at=world.at(1, 9))
    world.book(busy, at=world.at(1, 9), name=("Anne", "Leblanc"))
    world.book(busy, at=world.at(1, 9, 15), name=("Paul", "Arsenault"))
    full = schedules_services.create_slot(
        actor=world.manager1,
        organization=world.clinic,
        location=world.location_a,
        resource=world.team_b,
        services=[world.second],
        starts_at=world.at(1, 10),
        ends_at=world.at(1, 10, 15),
        per_interval=1,
        is_locked=False,
    )
    world.book(full)
    locked = world.slot(day=1, start=13, end=15, team=world.team_b, per_interval=2, locked=True)
    created = schedules_services.clone_day(
        actor=world.manager3,
        organization=world.clinic,
        source_slots=_source(world, 1),
        source_day=_day(1),
        target_days=[_day(3), _day(2)],
    )
    assert created == 4
    copies = Slot.objects.filter(starts_at__gte=world.at(2, 0)).order_by("starts_at")
    assert copies.count() == 4
    for offset in (2, 3):
        start, end = _bounds(_day(offset))
        first, second = copies.filter(starts_at__gte=start, starts_at__lt=end)
        assert (first.starts_at, first.ends_at) == (world.at(offset, 9), world.at(offset, 10))
        assert first.per_interval == 1  # 3 places, 2 booked at 9:00 (its busiest time)
        assert first.resource == world.team_a
        assert first.location == world.location_a
        assert list(first.services.all()) == [world.first]
        assert first.is_locked is False
        assert first.created_by == world.manager3
        assert (second.starts_at, second.ends_at) == (world.at(offset, 13), world.at(offset, 15))
        assert second.per_interval == 2
        assert second.is_locked is True
        assert list(second.services.all()) == [world.second]
        assert second.interval_minutes == locked.interval_minutes
    assert not Appointment.objects.filter(slot__in=copies).exists()
    assert full.pk not in {copy.pk for copy in copies}
    # The typical day is untouched.
    busy.refresh_from_db()
    assert busy.per_interval == 3


def test_a_typical_day_in_the_past_is_cloned_whole(world):
    # The guide (3.1) suggests building the typical day in the past, where nobody can book.
    world.slot(day=-1, start=9, end=12, per_interval=4)
    world.slot(day=-1, start=18, end=23, team=world.team_b, per_interval=1)
    created = schedules_services.clone_day(
        actor=world.manager1,
        organization=world.clinic,
        source_slots=_source(world, -1),
        source_day=_day(-1),
        target_days=[_day(5)],
    )
    assert created == 2
    evening = Slot.objects.get(starts_at=world.at(5, 18))
    assert evening.ends_at == world.at(5, 23)
    assert Slot.objects.get(starts_at=world.at(5, 9)).capacity == 48


def test_cloning_does_not_give_a_team_slots_it_is_no_longer_associated_with(world):
    world.slot(day=-1, team=world.team_a)
    # Past slots do not hold associations: team A now works at location B only.
    configuration_services.associate_resource(
        resource=world.team_a, locations=[world.location_b], services=[world.first], members=[]
    )
    with pytest.raises(ActionError) as error:
        schedules_services.clone_day(
            actor=world.manager1,
            organization=world.clinic,
            source_slots=_source(world, -1),
            source_day=_day(-1),
            target_days=[_day(2)],
        )
    assert "Équipe A" in " ".join(error.value.messages)
    assert Slot.objects.count() == 1


def test_cloning_into_the_past_is_refused(world):
    world.slot(day=1)
    with pytest.raises(ActionError) as error:
        schedules_services.clone_day(
            actor=world.manager1,
            organization=world.clinic,
            source_slots=_source(world, 1),
            source_day=_day(1),
            target_days=[_day(-1), _day(3)],
        )
    assert "past" in _field_errors(error, "target_days")
    assert Slot.objects.count() == 1


def test_cloning_a_day_onto_itself_is_refused(world):
    world.slot(day=1)
    with pytest.raises(ActionError) as error:
        schedules_services.clone_day(
            actor=world.manager1,
            organization=world.clinic,
            source_slots=_source(world, 1),
            source_day=_day(1),
            target_days=[_day(1), _day(2)],
        )
    assert "itself" in _field_errors(error, "target_days")
    assert Slot.objects.count() == 1


def test_cloning_needs_target_days_and_source_slots(world):
    with pytest.raises(ActionError) as error:
        schedules_services.clone_day(
            actor=world.manager1,
            organization=world.clinic,
            source_slots=_source(world, 1),
            source_day=_day(1),
            target_days=[],
        )
    assert "target_days" in error.value.message_dict
    with pytest.raises(ActionError) as error:
        schedules_services.clone_day(
            actor=world.manager1,
            organization=world.clinic,
            source_slots=_source(world, 1),
            source_day=_day(1),
            target_days=[_day(2)],
        )
    assert "source_day" in error.value.message_dict


def test_cloning_today_is_allowed(world):
    world.slot(day=-7, start=20, end=21)
    assert (
        schedules_services.clone_day(
            actor=world.manager1,
            organization=world.clinic,
            source_slots=_source(world, -7),
            source_day=_day(-7),
            target_days=[_day(0)],
        )
        == 1
    )


# Booking places ---------------------------------------------------------------------------------------


def test_a_place_is_never_booked_beyond_the_appointments_per_interval(world):
    slot = world.slot(per_interval=1)
    world.book(slot)
    with pytest.raises(ActionError) as error:
        world.book(slot, name=("Anne", "Leblanc"))
    assert "no longer available" in " ".join(error.value.messages)
    # Another time of the same slot is still free.
    world.book(slot, at=world.at(1, 9, 15), name=("Anne", "Leblanc"))
    assert Appointment.objects.filter(slot=slot).count() == 2


def test_a_locked_slot_is_not_booked_online_but_is_by_staff(world):
    configuration_services.set_online_booking(organization=world.clinic, is_open=True)
    slot = world.slot(locked=True)
    with pytest.raises(ActionError) as error:
        booking_services.book_place(
            actor=None,
            slot=slot,
            service=world.first,
            starts_at=slot.starts_at,
            first_name="Anne",
            last_name="Leblanc",
            online=True,
        )
    assert "no longer available" in " ".join(error.value.messages)
    assert not Appointment.objects.exists()
    appointment = world.book(slot)
    assert appointment.booked_online is False
    assert appointment.created_by == world.manager1


def test_a_booking_must_be_at_one_of_the_slots_times_for_one_of_its_services(world):
    slot = world.slot()
    with pytest.raises(ActionError) as error:
        world.book(slot, at=world.at(1, 9, 5))
    assert "slot's times" in " ".join(error.value.messages)
    with pytest.raises(ActionError) as error:
        world.book(slot, at=world.at(1, 10))
    with pytest.raises(ActionError) as error:
        world.book(slot, service=world.second)
    assert "does not offer" in " ".join(error.value.messages)


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
    user = _account(world, valid_from=_day(3), valid_to=_day(10))
    membership = Membership.objects.get(user=user)
    assert (membership.valid_from, membership.valid_to) == (_day(3), _day(10))


def test_an_email_already_used_is_refused_next_to_the_email_field(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ActionError) as error:
            _account(world, email=world.other_member.email.upper())
    assert "already used" in _field_errors(error, "email")
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
    assert "three pilots" in _field_errors(error, "role")
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
        valid_to=_day(30),
    )


def test_pilots_of_another_clinic_or_whose_role_ended_do_not_count(world):
    MembershipFactory(organization=world.other_clinic, role=roles.PILOT)
    MembershipFactory(organization=world.other_clinic, role=roles.PILOT)
    MembershipFactory(organization=world.clinic, role=roles.PILOT, valid_from=_day(-30), valid_to=_day(-1))
    _add(world, world.manager1, roles.PILOT)
    _add(world, world.manager2, roles.PILOT)
    assert Membership.objects.filter(organization=world.clinic, role=roles.PILOT).count() == 4


def test_a_pilot_role_starting_later_counts_among_the_three(world):
    _add(world, world.manager1, roles.PILOT, valid_from=_day(30))
    _add(world, world.manager2, roles.PILOT)
    # Next month there would be four pilots.
    with pytest.raises(ActionError) as error:
        _add(world, world.consult1, roles.PILOT)
    assert "three pilots" in _field_errors(error, "role")


def test_a_role_may_be_limited_to_a_location_and_between_dates(world):
    membership = _add(
        world,
        world.consult1,
        "appointments.management_1",
        location=world.location_b,
        valid_from=_day(1),
        valid_to=_day(20),
    )
    assert membership.scope == {"locations": [world.location_b.pk]}
    assert (membership.valid_from, membership.valid_to) == (_day(1), _day(20))
    with pytest.raises(ActionError) as error:
        _add(world, world.consult1, "appointments.management_1", location=world.location_b)
    assert "already has this role" in _field_errors(error, "role")
    # The same role for all locations is another role.
    assert _add(world, world.consult1, "appointments.management_1").scope == {}


def test_a_role_ending_before_it_starts_is_refused(world):
    with pytest.raises(ActionError) as error:
        _add(world, world.consult1, "appointments.management_2", valid_from=_day(5), valid_to=_day(2))
    assert "end date" in _field_errors(error, "valid_to")
    with pytest.raises(ActionError) as error:
        accounts_services.change_role(
            organization=world.clinic,
            membership=world.memberships["consult1"],
            role="appointments.consultation_1",
            location=None,
            valid_from=_day(5),
            valid_to=_day(2),
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
        valid_to=_day(10),
    )
    membership.refresh_from_db()
    assert membership.role == "appointments.management_3"
    assert membership.scope == {"locations": [world.location_a.pk]}
    assert membership.valid_from == world.memberships["consult2"].valid_from
    assert membership.valid_to == _day(10)


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


# Communications: quiet hours ------------------------------------------------------------------------


def _moncton(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=MONCTON)


@pytest.mark.parametrize("day", [date(2025, 1, 15), date(2025, 7, 15)])
@pytest.mark.parametrize(
    ("due", "expected"),
    [
        ((0, 20, 59), (0, 20, 59)),
        ((0, 21, 0), (1, 8, 0)),
        ((0, 23, 30), (1, 8, 0)),
        ((0, 3, 0), (0, 8, 0)),
        ((0, 0, 0), (0, 8, 0)),
        ((0, 7, 59), (0, 8, 0)),
        ((0, 8, 0), (0, 8, 0)),
        ((0, 12, 0), (0, 12, 0)),
    ],
)
def test_nothing_goes_out_between_21_and_8_local_time(day, due, expected):
    with timezone.override(MONCTON):
        moment = _moncton(day + timedelta(days=due[0]), due[1], due[2]).astimezone(ZoneInfo("UTC"))
        sent = sending_time(moment)
    assert sent == _moncton(day + timedelta(days=expected[0]), expected[1], expected[2])


def test_quiet_hours_follow_moncton_even_across_a_time_change():
    # Canada moves its clocks on 9 March 2025 at 2:00.
    with timezone.override(MONCTON):
        sent = sending_time(_moncton(date(2025, 3, 8), 22, 0))
    assert sent == _moncton(date(2025, 3, 9), 8, 0)
    assert sent.astimezone(ZoneInfo("UTC")).hour == 11


def test_communications_are_saved_for_the_four_kinds(world):
    rules = {
        kind: {"is_active": kind == "first_reminder", "delay_hours": delay, "by_sms": True, "by_email": False}
        for kind, delay in configuration_services.DEFAULT_DELAYS.items()
    }
    saved = configuration_services.save_communications(organization=world.clinic, rules=rules)
    assert len(saved) == 4
    again = configuration_services.save_communications(organization=world.clinic, rules=rules)
    assert {rule.pk for rule in again} == {rule.pk for rule in saved}
    assert [rule.kind for rule in saved if rule.is_active] == ["first_reminder"]


# Online booking and public page ------------------------------------------------------------------------


def test_online_booking_is_opened_and_closed(world):
    assert not ClinicSettings.objects.filter(organization=world.clinic).exists()
    assert (
        configuration_services.set_online_booking(organization=world.clinic, is_open=True).online_booking_open
        is True
    )
    assert ClinicSettings.objects.get(organization=world.clinic).online_booking_open is True
    assert (
        configuration_services.set_online_booking(organization=world.clinic, is_open=True).online_booking_open
        is True
    )
    configuration_services.set_online_booking(organization=world.clinic, is_open=False)
    assert ClinicSettings.objects.get(organization=world.clinic).online_booking_open is False
    assert ClinicSettings.objects.filter(organization=world.clinic).count() == 1


def test_the_public_page_texts_are_saved_in_both_languages(world):
    settings = configuration_services.save_public_page(
        organization=world.clinic,
        values={"welcome_message_fr": "Bienvenue", "welcome_message_en": "Welcome", "days_shown": 21},
    )
    settings.refresh_from_db()
    assert (settings.welcome_message_fr, settings.welcome_message_en, settings.days_shown) == (
        "Bienvenue",
        "Welcome",
        21,
    )


def test_an_end_date_before_today_without_a_start_date_is_refused_not_a_crash(world):
    # The start date defaults to today: an end date before it is refused like any other.
    with pytest.raises(ActionError) as error:
        _account(world, valid_to=_day(-1))
    assert "valid_to" in error.value.message_dict
    assert not Membership.objects.filter(user__email="julie.gallant@example.ca").exists()
    with pytest.raises(ActionError) as error:
        _add(world, world.consult1, "appointments.management_2", valid_to=_day(-1))
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
