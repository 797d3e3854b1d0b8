"""The booking inventory (appointments.SlotTime): a row per (slot, time) whose places taken are exactly
the booked and confirmed appointments there, after every kind of change; the recount finds and fixes
drift. (Races on PostgreSQL: test_inventory_concurrency.py.)"""

from collections import Counter
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from appointments.follow_up import services as follow_up_services
from appointments.models import HOLDING_STATUSES, Appointment, Slot, SlotTime
from appointments.schedules import services as schedules_services
from appointments.tests.conftest import book_person, open_online_booking
from portal.workflow import ActionError

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _rows(slot):
    return {row.starts_at: (row.capacity, row.taken) for row in SlotTime.objects.filter(slot=slot)}


def _from_appointments(slot):
    """What the rows must say: every interval with the slot's places, taken = appointments holding it."""
    slot.refresh_from_db()
    held = Counter(
        Appointment.objects.filter(slot=slot, status__in=HOLDING_STATUSES).values_list("starts_at", flat=True)
    )
    return {moment: (slot.per_interval, held[moment]) for moment in slot.interval_starts()}


def _assert_exact(*slots):
    for slot in slots:
        assert _rows(slot) == _from_appointments(slot)
    assert schedules_services.recount_inventory()[2] == []


def _move(world, appointment, *, slot, at, service=None):
    return follow_up_services.update_appointment(
        actor=world.manager1,
        appointment=appointment,
        details={},
        slot=slot,
        service=service or appointment.service,
        starts_at=at,
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


# Rows made with the slot ------------------------------------------------------------------------------


def test_a_new_slot_has_a_row_per_time_with_all_its_places(world):
    slot = world.slot(start=9, end=10, per_interval=3)
    assert _rows(slot) == {world.at(1, 9, minute): (3, 0) for minute in (0, 15, 30, 45)}


def test_bookings_and_cancellations_count_in_their_time(world):
    slot = world.slot(start=9, end=10, per_interval=2)
    first = book_person(world, slot)
    book_person(world, slot, name=("Marc", "Cormier"))
    book_person(world, slot, at=world.at(1, 9, 30), name=("Julie", "Gallant"))
    assert _rows(slot)[world.at(1, 9)] == (2, 2)
    assert _rows(slot)[world.at(1, 9, 30)] == (2, 1)
    follow_up_services.cancel_appointment(actor=world.manager1, appointment=first)
    assert _rows(slot)[world.at(1, 9)] == (2, 1)
    # The place given back is bookable again.
    book_person(world, slot, name=("Amir", "Nasser"))
    _assert_exact(slot)


def test_a_full_time_is_refused_and_nothing_is_saved(world):
    slot = world.slot(start=9, end=10, per_interval=1)
    book_person(world, slot)
    with pytest.raises(ActionError) as error:
        book_person(world, slot, name=("Marc", "Cormier"))
    assert error.value.messages == ["This time is no longer available. Choose another time."]
    assert Appointment.objects.filter(slot=slot).count() == 1
    _assert_exact(slot)


def test_the_claim_refuses_when_the_time_filled_after_the_check(world):
    # Another booking took the last place between this booking's check and its claim.
    slot = world.slot(start=9, end=10, per_interval=1)
    checked = schedules_services.time_of(slot_id=slot.pk, starts_at=slot.starts_at)
    book_person(world, slot)
    with pytest.raises(ActionError), transaction.atomic():
        schedules_services.claim_place(claim=checked)
    _assert_exact(slot)


def test_the_claim_refuses_when_the_slot_rules_changed_after_the_check(world):
    slot = world.slot(start=9, end=10, per_interval=3)
    checked = schedules_services.time_of(slot_id=slot.pk, starts_at=slot.starts_at)
    schedules_services.set_slot_lock(slot=slot, locked=True)
    with pytest.raises(ActionError), transaction.atomic():
        schedules_services.claim_place(claim=checked)
    assert _rows(slot)[slot.starts_at] == (3, 0)


def test_the_table_itself_refuses_more_taken_than_places(world):
    slot = world.slot(start=9, end=10, per_interval=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        SlotTime.objects.filter(slot=slot, starts_at=slot.starts_at).update(taken=2)


# Every kind of change keeps the counts exact ------------------------------------------------------------


def test_a_move_to_another_time_gives_the_old_place_back(world):
    slot = world.slot(start=9, end=10, per_interval=1)
    other = world.slot(day=2, start=9, end=10, per_interval=1)
    appointment = book_person(world, slot)
    moved = _move(world, appointment, slot=slot, at=world.at(1, 9, 30))
    assert _rows(slot)[world.at(1, 9)] == (1, 0)
    assert _rows(slot)[world.at(1, 9, 30)] == (1, 1)
    _move(world, moved, slot=other, at=other.starts_at)
    _assert_exact(slot, other)
    assert _rows(other)[other.starts_at] == (1, 1)


def test_a_move_to_a_full_time_is_refused_and_keeps_both_counts(world):
    slot = world.slot(start=9, end=10, per_interval=1)
    appointment = book_person(world, slot)
    book_person(world, slot, at=world.at(1, 9, 30), name=("Marc", "Cormier"))
    with pytest.raises(ActionError):
        _move(world, appointment, slot=slot, at=world.at(1, 9, 30))
    _assert_exact(slot)
    assert _rows(slot)[world.at(1, 9)] == (1, 1)


def test_an_earlier_second_dose_replacing_the_held_one_moves_its_place(world):
    later = world.slot(day=5, start=9, end=10, team=world.team_b, per_interval=1)
    earlier = world.slot(day=2, start=9, end=10, team=world.team_b, per_interval=1)
    book_person(world, later, service=world.second)
    book_person(world, earlier, service=world.second)
    assert _rows(later)[later.starts_at] == (1, 0)
    assert _rows(earlier)[earlier.starts_at] == (1, 1)
    _assert_exact(later, earlier)


def test_raising_lowering_and_reshaping_a_slot_keep_the_counts(world):
    slot = world.slot(start=9, end=10, per_interval=2)
    book_person(world, slot)
    book_person(world, slot, at=world.at(1, 9, 15), name=("Marc", "Cormier"))
    schedules_services.update_slot(**_slot_values(slot, per_interval=4))
    _assert_exact(slot)
    schedules_services.update_slot(**_slot_values(slot, per_interval=1))
    _assert_exact(slot)
    # Longer (new times with all their places), then shorter (the free times at the end go).
    schedules_services.update_slot(**_slot_values(slot, per_interval=1, ends_at=world.at(1, 11)))
    assert len(_rows(slot)) == 8
    _assert_exact(slot)
    schedules_services.update_slot(**_slot_values(slot, per_interval=1, ends_at=world.at(1, 9, 30)))
    assert set(_rows(slot)) == {world.at(1, 9), world.at(1, 9, 15)}
    _assert_exact(slot)


def test_a_refused_slot_edit_leaves_the_rows_as_they_were(world):
    slot = world.slot(start=9, end=10, per_interval=2)
    book_person(world, slot)
    book_person(world, slot, name=("Marc", "Cormier"))
    before = _rows(slot)
    with pytest.raises(ActionError):
        schedules_services.update_slot(**_slot_values(slot, per_interval=1))
    assert _rows(slot) == before


def test_locks_of_a_slot_and_of_a_day_keep_the_counts_and_refuse_checked_bookings(world):
    slot = world.slot(start=9, end=10, per_interval=2)
    book_person(world, slot)
    versions = set(SlotTime.objects.filter(slot=slot).values_list("version", flat=True))
    schedules_services.set_slot_lock(slot=slot, locked=True)
    schedules_services.set_slot_lock(slot=slot, locked=False)
    day = Slot.objects.filter(pk=slot.pk)
    assert schedules_services.set_day_lock(slots=day, locked=True) == 1
    assert set(SlotTime.objects.filter(slot=slot).values_list("version", flat=True)) == {
        version + 3 for version in versions
    }
    _assert_exact(slot)


def test_a_clone_has_rows_with_the_places_it_copied(world):
    busy = world.slot(day=1, start=9, end=10, per_interval=3)
    book_person(world, busy)
    book_person(world, busy, name=("Marc", "Cormier"))
    target = timezone.localdate() + timedelta(days=3)
    created = schedules_services.clone_day(
        actor=world.manager1,
        organization=world.clinic,
        source_slots=Slot.objects.filter(pk=busy.pk),
        source_day=timezone.localdate() + timedelta(days=1),
        target_days=[target],
    )
    assert created == 1
    copy = Slot.objects.exclude(pk=busy.pk).get(location=world.location_a)
    assert set(_rows(copy).values()) == {(1, 0)}
    assert len(_rows(copy)) == 4
    _assert_exact(busy, copy)


def test_deleting_a_slot_removes_its_rows(world):
    slot = world.slot(start=9, end=10, per_interval=2)
    schedules_services.delete_slot(slot=slot)
    assert not SlotTime.objects.filter(slot_id=slot.pk).exists()


def test_a_slot_made_without_the_services_gets_its_rows_when_first_booked(world):
    # A bulk insert (a benchmark, an import) makes no rows: the first booking counts them.
    model = world.slot(start=9, end=10, per_interval=2)
    raw = Slot.objects.create(
        organization=world.clinic,
        location=model.location,
        resource=model.resource,
        starts_at=world.at(2, 9),
        ends_at=world.at(2, 10),
        interval_minutes=15,
        per_interval=2,
    )
    raw.services.set([world.first])
    book_person(world, raw)
    assert _rows(raw)[raw.starts_at] == (2, 1)
    _assert_exact(raw)


def test_online_and_staff_bookings_share_the_same_places(world):
    open_online_booking(world)
    slot = world.slot(start=9, end=10, per_interval=2)
    book_person(world, slot, actor=None, online=True, email="anne@example.com")
    book_person(world, slot, name=("Marc", "Cormier"))
    with pytest.raises(ActionError):
        book_person(world, slot, name=("Julie", "Gallant"), actor=None, online=True, email="j@example.com")
    _assert_exact(slot)


# The hook the availability cache listens to ------------------------------------------------------------


def test_listeners_hear_of_every_change_of_places_after_the_commit(world, django_capture_on_commit_callbacks):
    heard = []

    def listener(slot_ids):
        heard.append(slot_ids)

    schedules_services.on_places_changed(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            slot = world.slot(start=9, end=10, per_interval=2)
        with django_capture_on_commit_callbacks(execute=True):
            appointment = book_person(world, slot)
        with django_capture_on_commit_callbacks(execute=True):
            follow_up_services.cancel_appointment(actor=world.manager1, appointment=appointment)
        with django_capture_on_commit_callbacks(execute=True):
            schedules_services.update_slot(**_slot_values(slot, per_interval=3))
        with django_capture_on_commit_callbacks(execute=True):
            schedules_services.set_slot_lock(slot=slot, locked=True)
        empty = world.slot(day=3, per_interval=1)
        with django_capture_on_commit_callbacks(execute=True):
            schedules_services.delete_slot(slot=empty)
        # A refused booking changes nothing and tells nobody (set-up outside the capture: not heard).
        full = world.slot(day=2, per_interval=1)
        book_person(world, full)
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(ActionError):
            book_person(world, full, name=("Marc", "Cormier"), born=date(1970, 1, 1))
    finally:
        schedules_services._listeners.remove(listener)
    assert heard == [{slot.pk}] * 5 + [{empty.pk}]


# The recount -------------------------------------------------------------------------------------------


def test_check_inventory_reports_no_drift_when_the_counts_are_exact(world):
    slot = world.slot(start=9, end=10, per_interval=2)
    book_person(world, slot)
    out = StringIO()
    call_command("check_inventory", stdout=out)
    assert "0 drifting" in out.getvalue()


def test_check_inventory_finds_drift_and_fixes_it(world):
    slot = world.slot(start=9, end=10, per_interval=2)
    other = world.slot(day=2, start=9, end=10, per_interval=2)
    book_person(world, slot)
    # Drift of three kinds: a count off, a row missing, a row with the wrong places.
    SlotTime.objects.filter(slot=slot, starts_at=slot.starts_at).update(taken=0)
    SlotTime.objects.filter(slot=slot, starts_at=world.at(1, 9, 45)).delete()
    SlotTime.objects.filter(slot=other, starts_at=other.starts_at).update(capacity=5)

    out = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("check_inventory", stdout=out)
    assert "3 drifting" in str(error.value)
    assert "row says 0/2 (taken/places), appointments say 1/2" in out.getvalue()
    assert "row says none" in out.getvalue()

    out = StringIO()
    call_command("check_inventory", "--fix", stdout=out)
    assert "3 drifting" in out.getvalue() and "Fixed" in out.getvalue()
    _assert_exact(slot, other)
    out = StringIO()
    call_command("check_inventory", stdout=out)
    assert "0 drifting" in out.getvalue()


def test_check_inventory_keeps_appointments_at_a_time_the_slot_no_longer_has(world):
    # Before the inventory, a time could hold appointments outside its slot's times (moved by hand):
    # their places are kept as taken and full, never deleted.
    slot = world.slot(start=9, end=10, per_interval=2)
    appointment = book_person(world, slot)
    odd = world.at(1, 9, 5)
    Appointment.objects.filter(pk=appointment.pk).update(starts_at=odd)
    call_command("check_inventory", "--fix", stdout=StringIO())
    assert _rows(slot)[odd] == (1, 1)
    assert _rows(slot)[slot.starts_at] == (2, 0)
    assert schedules_services.recount_inventory()[2] == []


def test_the_data_migration_builds_rows_from_existing_appointments(world):
    from importlib import import_module

    from django.apps import apps

    slot = world.slot(start=9, end=10, per_interval=2)
    book_person(world, slot)
    book_person(world, slot, at=world.at(1, 9, 30), name=("Marc", "Cormier"))
    SlotTime.objects.all().delete()
    migration = import_module("appointments.migrations.0003_slot_times")
    migration.build_times(apps, None)
    _assert_exact(slot)
