"""Schedules of the appointment application through its services: slots and the capacity
calculator, editing after bookings, locks, cloning."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from appointments.configuration import services as configuration_services
from appointments.models import Appointment, AppointmentStatus, Service, Slot
from appointments.schedules import services as schedules_services
from appointments.tests.helpers import field_errors, in_days
from portal.workflow import ActionError

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


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
    assert "associate it" in field_errors(error, "resource")
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
    assert "same duration" in field_errors(error, "services")


def test_a_slot_ending_before_it_starts_is_refused(world):
    with pytest.raises(ActionError) as error:
        world.slot(start=10, end=9)
    assert "after the start" in field_errors(error, "ends_at")


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
    assert "15 minutes" in field_errors(error, "ends_at")


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
        assert "same day" in field_errors(error, "ends_at")


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
    assert field_errors(error, "per_interval") == (
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
    start, end = _bounds(in_days(1))
    day = Slot.objects.filter(starts_at__gte=start, starts_at__lt=end)
    assert schedules_services.set_day_lock(slots=day, locked=True) == 1
    assert set(Slot.objects.filter(is_locked=True)) == {open_slot, locked_slot}
    assert schedules_services.set_day_lock(slots=day, locked=False) == 2
    assert not Slot.objects.filter(is_locked=True).exists()
    next_day.refresh_from_db()
    assert next_day.is_locked is False


# Clone ------------------------------------------------------------------------------------------------


def _source(world, day_offset):
    start, end = _bounds(in_days(day_offset))
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
        source_day=in_days(1),
        target_days=[in_days(3), in_days(2)],
    )
    assert created == 4
    copies = Slot.objects.filter(starts_at__gte=world.at(2, 0)).order_by("starts_at")
    assert copies.count() == 4
    for offset in (2, 3):
        start, end = _bounds(in_days(offset))
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
        source_day=in_days(-1),
        target_days=[in_days(5)],
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
            source_day=in_days(-1),
            target_days=[in_days(2)],
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
            source_day=in_days(1),
            target_days=[in_days(-1), in_days(3)],
        )
    assert "past" in field_errors(error, "target_days")
    assert Slot.objects.count() == 1


def test_cloning_a_day_onto_itself_is_refused(world):
    world.slot(day=1)
    with pytest.raises(ActionError) as error:
        schedules_services.clone_day(
            actor=world.manager1,
            organization=world.clinic,
            source_slots=_source(world, 1),
            source_day=in_days(1),
            target_days=[in_days(1), in_days(2)],
        )
    assert "itself" in field_errors(error, "target_days")
    assert Slot.objects.count() == 1


def test_cloning_needs_target_days_and_source_slots(world):
    with pytest.raises(ActionError) as error:
        schedules_services.clone_day(
            actor=world.manager1,
            organization=world.clinic,
            source_slots=_source(world, 1),
            source_day=in_days(1),
            target_days=[],
        )
    assert "target_days" in error.value.message_dict
    with pytest.raises(ActionError) as error:
        schedules_services.clone_day(
            actor=world.manager1,
            organization=world.clinic,
            source_slots=_source(world, 1),
            source_day=in_days(1),
            target_days=[in_days(2)],
        )
    assert "source_day" in error.value.message_dict


def test_cloning_today_is_allowed(world):
    world.slot(day=-7, start=20, end=21)
    assert (
        schedules_services.clone_day(
            actor=world.manager1,
            organization=world.clinic,
            source_slots=_source(world, -7),
            source_day=in_days(-7),
            target_days=[in_days(0)],
        )
        == 1
    )
