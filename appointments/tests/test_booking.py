"""Booking and follow-up services (issue 8): capacity, one person per service, second doses, status
changes, staff changes, batch actions, reminders and relaunches, statistics."""

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone, translation

from appointments import selectors
from appointments.booking import services as booking_services
from appointments.follow_up import services as follow_up_services
from appointments.models import (
    Appointment,
    AppointmentEvent,
    AppointmentStatus,
    Attendance,
    ClinicSettings,
    CommunicationKind,
    CommunicationRule,
    Slot,
)
from appointments.tests.conftest import book_person, open_online_booking
from portal.models import Channel, Message
from portal.workflow import ActionError

pytestmark = pytest.mark.django_db

MOBILE = "+15065550123"


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


def _text(error):
    return " ".join(error.value.messages)


def _online(world, slot, **values):
    values.setdefault("actor", None)
    return book_person(world, slot, online=True, **values)


def _holding(slot, at=None):
    return Appointment.objects.filter(
        slot=slot, starts_at=at or slot.starts_at, status__in=["booked", "confirmed"]
    ).count()


def _into_past(appointment, days):
    """Move a booked appointment (and its slot) `days` back: the services refuse to book the past."""
    shift = timedelta(days=days)
    Appointment.objects.filter(slot_id=appointment.slot_id).update(starts_at=F("starts_at") - shift)
    Slot.objects.filter(pk=appointment.slot_id).update(
        starts_at=F("starts_at") - shift, ends_at=F("ends_at") - shift
    )
    appointment.refresh_from_db()
    return appointment


# Capacity and the slot's rules ---------------------------------------------------------------------------


def test_a_time_never_holds_more_than_its_appointments_per_interval(world):
    slot = world.slot(per_interval=2)
    book_person(world, slot, name=("Anne", "Roy"))
    book_person(world, slot, name=("Marc", "Roy"))
    with pytest.raises(ActionError) as error:
        book_person(world, slot, name=("Luc", "Roy"))
    assert "no longer available" in _text(error)
    assert error.value.code == "time_gone"
    assert _holding(slot) == 2
    # Staff are held to the same capacity; a cancellation frees one place.
    follow_up_services.cancel_appointment(actor=world.manager1, appointment=Appointment.objects.first())
    book_person(world, slot, name=("Luc", "Roy"))
    assert _holding(slot) == 2
    with pytest.raises(ActionError):
        book_person(world, slot, name=("Eve", "Roy"))
    assert Appointment.objects.filter(slot=slot).count() == 3


def test_a_locked_slot_is_refused_online_but_booked_by_staff(world):
    open_online_booking(world)
    slot = world.slot(locked=True)
    with pytest.raises(ActionError) as error:
        _online(world, slot)
    assert "no longer available" in _text(error)
    assert not Appointment.objects.exists()
    appointment = book_person(world, slot)
    assert appointment.booked_online is False
    assert appointment.status == AppointmentStatus.BOOKED


def test_a_past_time_is_refused_for_everyone(world):
    open_online_booking(world)
    slot = world.slot(day=-1)
    for values in ({}, {"online": True, "actor": None}):
        with pytest.raises(ActionError) as error:
            book_person(world, slot, **values)
        assert "has passed" in _text(error)
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(("hour", "minute"), [(9, 5), (8, 45), (10, 0), (9, 59)])
def test_a_time_that_is_not_one_of_the_slots_intervals_is_refused(world, hour, minute):
    slot = world.slot(start=9, end=10)
    with pytest.raises(ActionError) as error:
        book_person(world, slot, at=world.at(1, hour, minute))
    assert "not one of the slot's times" in _text(error)
    assert not Appointment.objects.exists()


def test_the_last_interval_of_a_slot_is_bookable(world):
    slot = world.slot(start=9, end=10)
    appointment = book_person(world, slot, at=world.at(1, 9, 45))
    assert appointment.ends_at == world.at(1, 10)


def test_online_booking_closed_refuses_online_but_not_staff(world):
    slot = world.slot()
    with pytest.raises(ActionError) as error:  # no settings at all yet
        _online(world, slot)
    assert "closed" in _text(error)
    ClinicSettings.objects.create(organization=world.clinic, online_booking_open=False)
    with pytest.raises(ActionError) as error:
        _online(world, slot)
    assert "closed" in _text(error)
    assert not Appointment.objects.exists()
    assert book_person(world, slot).booked_online is False


def test_a_time_beyond_the_days_shown_is_refused_online_but_not_by_staff(world):
    open_online_booking(world, days_shown=3)
    far = world.slot(day=5)
    near = world.slot(day=3)
    with pytest.raises(ActionError) as error:
        _online(world, far)
    assert "no longer available" in _text(error)
    assert _online(world, near, name=("Marc", "Roy")).booked_online is True
    assert book_person(world, far).booked_online is False
    # The times offered online stop at the same day.
    offered = selectors.open_times(
        Slot.objects.filter(organization=world.clinic),
        service=world.first,
        online=True,
        now=timezone.now(),
        last_day=timezone.localdate() + timedelta(days=3),
    )
    assert {slot.pk for slot, _moment, _left in offered} == {near.pk}


def test_an_inactive_service_is_refused_online(world):
    open_online_booking(world)
    slot = world.slot()
    world.first.is_active = False
    world.first.save()
    with pytest.raises(ActionError):
        _online(world, slot)
    assert not Appointment.objects.exists()


def test_a_service_the_slot_does_not_offer_is_refused(world):
    slot = world.slot()  # team A: first dose only
    with pytest.raises(ActionError) as error:
        book_person(world, slot, service=world.second)
    assert "does not offer" in _text(error)


# One person, one active appointment per service --------------------------------------------------------


def test_the_same_person_cannot_hold_two_active_appointments_for_one_service(world):
    open_online_booking(world)
    slot = world.slot(per_interval=5)
    held = book_person(world, slot, name=("Anne", "Roy"))
    for name in [("Anne", "Roy"), ("  ANNE ", "roy"), ("anne", "ROY  ")]:
        with pytest.raises(ActionError) as error:
            book_person(world, slot, at=world.at(1, 9, 15), name=name)
        # Staff see which appointment to change instead.
        assert held.number in _text(error)
        with pytest.raises(ActionError) as error:
            _online(world, slot, at=world.at(1, 9, 30), name=name)
        assert "already has an appointment for this service" in _text(error)
        assert held.number not in _text(error)  # the public is not told someone else's number
    assert Appointment.objects.count() == 1


def test_another_person_or_another_birth_date_may_book(world):
    slot = world.slot(per_interval=5)
    book_person(world, slot, name=("Anne", "Roy"))
    book_person(world, slot, name=("Anne", "Roy"), born="1990-05-06")
    book_person(world, slot, name=("Anne Marie", "Roy"))
    assert Appointment.objects.count() == 3


def test_the_same_person_may_book_another_service(world):
    book_person(world, world.slot(team=world.team_c, location=world.location_b), service=world.first)
    book_person(world, world.slot(team=world.team_b, day=30), service=world.second)
    assert Appointment.objects.count() == 2


def test_a_cancelled_appointment_does_not_block_a_new_one(world):
    slot = world.slot(per_interval=5)
    held = book_person(world, slot)
    follow_up_services.cancel_appointment(actor=world.manager1, appointment=held)
    assert book_person(world, slot, at=world.at(1, 9, 15)).status == AppointmentStatus.BOOKED


@pytest.mark.parametrize("attendance", [Attendance.PRESENT, Attendance.ABSENT, Attendance.NOT_ELIGIBLE])
def test_booking_again_after_the_attendance_is_recorded_is_allowed(world, attendance):
    slot = world.slot(per_interval=5)
    held = book_person(world, slot)
    follow_up_services.mark_attendance(actor=world.manager1, appointment=held, attendance=attendance)
    again = book_person(world, world.slot(day=20))
    assert again.status == AppointmentStatus.BOOKED
    held.refresh_from_db()
    assert held.attendance == attendance


def test_a_second_dose_booked_earlier_replaces_the_one_held_in_the_same_step(world):
    CommunicationRule.objects.create(
        organization=world.clinic,
        kind=CommunicationKind.CANCELLATION_RELAUNCH,
        is_active=True,
        delay_hours=2,
    )
    late = world.slot(team=world.team_b, day=20)
    early = world.slot(team=world.team_b, day=6)
    held = book_person(world, late, email="anne@example.com")
    new = book_person(world, early, name=("anne", " ROY"), email="anne@example.com")
    held.refresh_from_db()
    assert held.status == AppointmentStatus.CANCELLED
    assert new.status == AppointmentStatus.BOOKED
    assert held.events.filter(action="cancelled", note__icontains="earlier second dose").exists()
    # The person already has a new time: no "book again" relaunch for the replaced one, ever.
    assert follow_up_services.send_due_communications(now=world.at(25, 12)) == 0
    assert not Message.objects.filter(key__startswith=f"appointments:{held.pk}:relaunch").exists()
    assert held.relaunches == 0


def test_a_later_second_dose_does_not_replace_the_one_held(world):
    held = book_person(world, world.slot(team=world.team_b, day=6))
    with pytest.raises(ActionError) as error:
        book_person(world, world.slot(team=world.team_b, day=20))
    assert held.number in _text(error)
    held.refresh_from_db()
    assert held.status == AppointmentStatus.BOOKED
    assert Appointment.objects.count() == 1


def test_a_first_dose_booked_earlier_does_not_replace_the_one_held(world):
    held = book_person(world, world.slot(day=20))
    with pytest.raises(ActionError):
        book_person(world, world.slot(day=6))
    held.refresh_from_db()
    assert held.status == AppointmentStatus.BOOKED


def test_a_second_dose_that_cannot_be_booked_keeps_the_one_held(world):
    held = book_person(world, world.slot(team=world.team_b, day=20))
    full = world.slot(team=world.team_b, day=6, per_interval=1)
    book_person(world, full, name=("Marc", "Roy"))
    with pytest.raises(ActionError):
        book_person(world, full)
    held.refresh_from_db()
    assert held.status == AppointmentStatus.BOOKED


# Status changes --------------------------------------------------------------------------------------------


def test_cancelling_twice_is_refused_with_a_clear_message(world):
    appointment = book_person(world, world.slot())
    follow_up_services.cancel_appointment(actor=world.manager1, appointment=appointment)
    with pytest.raises(ActionError) as error:
        follow_up_services.cancel_appointment(actor=world.manager1, appointment=appointment)
    assert "already cancelled" in _text(error)
    assert appointment.events.filter(action="cancelled").count() == 1


def test_a_person_cannot_cancel_a_past_appointment_online(world):
    appointment = _into_past(book_person(world, world.slot()), 3)
    with pytest.raises(ActionError) as error:
        follow_up_services.cancel_appointment(actor=None, appointment=appointment, by_person=True)
    assert "has passed" in _text(error)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_an_appointment_with_a_recorded_presence_is_not_cancelled(world):
    appointment = book_person(world, world.slot())
    follow_up_services.mark_attendance(
        actor=world.manager1, appointment=appointment, attendance=Attendance.PRESENT
    )
    with pytest.raises(ActionError) as error:
        follow_up_services.cancel_appointment(actor=world.manager1, appointment=appointment)
    assert "presence is already recorded" in _text(error)


def test_confirming_is_done_once_and_refused_when_cancelled(world):
    appointment = book_person(world, world.slot())
    follow_up_services.confirm_appointment(actor=None, appointment=appointment)
    follow_up_services.confirm_appointment(actor=None, appointment=appointment)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CONFIRMED
    assert appointment.events.filter(action="confirmed").count() == 1
    follow_up_services.cancel_appointment(actor=None, appointment=appointment, by_person=True)
    with pytest.raises(ActionError) as error:
        follow_up_services.confirm_appointment(actor=None, appointment=appointment)
    assert "cancelled" in _text(error)


def test_the_attendance_of_a_cancelled_appointment_does_not_change(world):
    appointment = book_person(world, world.slot())
    follow_up_services.cancel_appointment(actor=world.manager1, appointment=appointment)
    with pytest.raises(ActionError):
        follow_up_services.mark_attendance(
            actor=world.manager1, appointment=appointment, attendance=Attendance.ABSENT
        )
    with pytest.raises(ActionError):
        follow_up_services.mark_attendance(
            actor=world.manager1, appointment=appointment, attendance="cancelled"
        )


def test_a_confirmed_appointment_holds_its_place(world):
    slot = world.slot(per_interval=1)
    follow_up_services.confirm_appointment(actor=None, appointment=book_person(world, slot))
    with pytest.raises(ActionError):
        book_person(world, slot, name=("Marc", "Roy"))


# Staff changes (guide 4.5) --------------------------------------------------------------------------------


def _details(appointment, **changes):
    values = {
        "first_name": appointment.first_name,
        "last_name": appointment.last_name,
        "date_of_birth": appointment.date_of_birth,
        "email": appointment.email,
        "mobile_phone": appointment.mobile_phone,
        "details": appointment.details,
        "comment": appointment.comment,
    }
    values.update(changes)
    return values


def test_an_upcoming_appointment_moves_to_another_time_with_room(world):
    slot = world.slot(per_interval=1)
    appointment = book_person(world, slot, email="anne@example.com", send_email=True)
    Appointment.objects.filter(pk=appointment.pk).update(first_reminder_at=timezone.now())
    moved = follow_up_services.update_appointment(
        actor=world.manager1,
        appointment=appointment,
        details=_details(appointment, comment="Moved by phone"),
        slot=slot,
        service=world.first,
        starts_at=world.at(1, 9, 30),
    )
    assert (moved.starts_at, moved.comment) == (world.at(1, 9, 30), "Moved by phone")
    assert moved.first_reminder_at is None  # the reminders start again for the new time
    # The place left is free again; a new confirmation goes out for the new time.
    assert book_person(world, slot, name=("Marc", "Roy")).starts_at == slot.starts_at
    assert Message.objects.filter(key__startswith=f"appointments:{appointment.pk}:moved").count() == 1


def test_moving_to_a_full_time_is_refused_and_changes_nothing(world):
    slot = world.slot(per_interval=1)
    appointment = book_person(world, slot)
    book_person(world, slot, at=world.at(1, 9, 15), name=("Marc", "Roy"))
    with pytest.raises(ActionError) as error:
        follow_up_services.update_appointment(
            actor=world.manager1,
            appointment=appointment,
            details=_details(appointment, comment="changed"),
            slot=slot,
            service=world.first,
            starts_at=world.at(1, 9, 15),
        )
    assert "no longer available" in _text(error)
    appointment.refresh_from_db()
    assert (appointment.starts_at, appointment.comment) == (slot.starts_at, "")
    assert _holding(slot, world.at(1, 9, 15)) == 1


def test_moving_to_another_location_and_team(world):
    appointment = book_person(world, world.slot())
    other = world.slot(team=world.team_c, location=world.location_b, day=2)
    moved = follow_up_services.update_appointment(
        actor=world.manager1,
        appointment=appointment,
        details=_details(appointment),
        slot=other,
        service=world.first,
        starts_at=other.starts_at,
    )
    assert moved.slot == other
    assert moved.slot.location == world.location_b


@pytest.mark.parametrize("state", ["past", "cancelled"])
def test_a_past_or_cancelled_appointment_keeps_its_time_but_its_details_change(world, state):
    slot = world.slot()
    appointment = book_person(world, slot)
    if state == "past":
        appointment = _into_past(appointment, 3)
    else:
        follow_up_services.cancel_appointment(actor=world.manager1, appointment=appointment)
    other = world.slot(day=2)
    with pytest.raises(ActionError) as error:
        follow_up_services.update_appointment(
            actor=world.manager1,
            appointment=appointment,
            details=_details(appointment, comment="x"),
            slot=other,
            service=world.first,
            starts_at=other.starts_at,
        )
    assert "only the comment and details change" in _text(error)
    changed = follow_up_services.update_appointment(
        actor=world.manager1,
        appointment=appointment,
        details=_details(appointment, comment="Came late", email="anne@example.com"),
    )
    assert (changed.comment, changed.email) == ("Came late", "anne@example.com")
    assert changed.slot_id == appointment.slot_id


def test_changing_the_details_into_someone_who_holds_the_service_is_refused(world):
    slot = world.slot(per_interval=3)
    book_person(world, slot, name=("Anne", "Roy"))
    marc = book_person(world, slot, name=("Marc", "Roy"))
    with pytest.raises(ActionError) as error:
        follow_up_services.update_appointment(
            actor=world.manager1, appointment=marc, details=_details(marc, first_name="ANNE")
        )
    assert "already has an appointment" in _text(error)
    marc.refresh_from_db()
    assert marc.first_name == "Marc"


# Batch actions (guide 6.7 to 6.10) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "field", "value"),
    [
        ("present", "attendance", Attendance.PRESENT),
        ("absent", "attendance", Attendance.ABSENT),
        ("not_eligible", "attendance", Attendance.NOT_ELIGIBLE),
        ("confirm", "status", AppointmentStatus.CONFIRMED),
        ("cancel", "status", AppointmentStatus.CANCELLED),
    ],
)
def test_a_batch_action_changes_each_status_once(world, action, field, value):
    slot = world.slot(per_interval=3)
    chosen = [book_person(world, slot, name=(name, "Roy")) for name in ("Anne", "Marc", "Luc")]
    done, refused = follow_up_services.batch_action(actor=world.manager1, appointments=chosen, action=action)
    assert (done, refused) == (3, [])
    assert set(Appointment.objects.values_list(field, flat=True)) == {value}
    events = AppointmentEvent.objects.count()
    done, refused = follow_up_services.batch_action(actor=world.manager1, appointments=chosen, action=action)
    if action == "cancel":
        # A second cancellation is refused, one clear message per appointment.
        assert done == 0
        assert [reason for _appointment, reason in refused] == ["This appointment is already cancelled."] * 3
    else:
        assert (done, refused) == (3, [])  # a no-op: nothing written
    assert AppointmentEvent.objects.count() == events
    assert set(Appointment.objects.values_list(field, flat=True)) == {value}


def test_batch_reminders_and_relaunches_go_to_whom_they_may(world):
    slot = world.slot(per_interval=3)
    anne = book_person(world, slot, name=("Anne", "Roy"), email="anne@example.com")
    marc = book_person(world, slot, name=("Marc", "Roy"), email="marc@example.com")
    follow_up_services.cancel_appointment(actor=world.manager1, appointment=marc)
    done, refused = follow_up_services.batch_action(
        actor=world.manager1, appointments=[anne, marc], action="reminder"
    )
    assert done == 1
    assert refused[0][0] == marc and "no reminder" in refused[0][1]
    done, refused = follow_up_services.batch_action(
        actor=world.manager1, appointments=[anne, marc], action="relaunch"
    )
    assert done == 1
    assert refused[0][0] == anne and "absent" in refused[0][1]
    anne.refresh_from_db()
    marc.refresh_from_db()
    assert (anne.reminders, anne.relaunches, marc.reminders, marc.relaunches) == (1, 0, 0, 1)
    assert Message.objects.filter(key=f"appointments:{anne.pk}:reminder:manual:1:email").exists()
    assert Message.objects.filter(key=f"appointments:{marc.pk}:relaunch:1:email").exists()


def test_a_batch_with_a_refusal_leaves_that_appointment_unchanged_and_does_the_others(world):
    slot = world.slot(per_interval=3)
    anne = book_person(world, slot, name=("Anne", "Roy"))
    marc = book_person(world, slot, name=("Marc", "Roy"))
    follow_up_services.mark_attendance(actor=world.manager1, appointment=anne, attendance=Attendance.PRESENT)
    done, refused = follow_up_services.batch_action(
        actor=world.manager1, appointments=[anne, marc], action="cancel"
    )
    assert done == 1
    assert [appointment for appointment, _reason in refused] == [anne]
    anne.refresh_from_db()
    assert anne.status == AppointmentStatus.BOOKED


# Reminders and relaunches ----------------------------------------------------------------------------------


def _rule(world, kind, *, delay, by_sms=True, by_email=True, active=True):
    return CommunicationRule.objects.create(
        organization=world.clinic,
        kind=kind,
        is_active=active,
        delay_hours=delay,
        by_sms=by_sms,
        by_email=by_email,
    )


def _sent(appointment, prefix):
    return sorted(
        Message.objects.filter(key__startswith=f"appointments:{appointment.pk}:{prefix}").values_list(
            "channel", flat=True
        )
    )


class WorkerStopped(Exception):
    pass


def _reachable(world, slot, name=("Anne", "Roy"), **values):
    return book_person(
        world,
        slot,
        name=name,
        email=f"{name[0].lower()}@example.com",
        mobile_phone=MOBILE,
        send_sms=True,
        **values,
    )


def test_the_first_and_second_reminders_go_out_at_their_delays_once_each(world):
    _rule(world, CommunicationKind.FIRST_REMINDER, delay=48)
    _rule(world, CommunicationKind.SECOND_REMINDER, delay=24)
    appointment = _reachable(world, world.slot(day=3, start=10, end=11))
    assert follow_up_services.send_due_communications(now=world.at(1, 8)) == 0  # 50 hours before
    assert follow_up_services.send_due_communications(now=world.at(1, 12)) == 1  # 46 hours before
    assert follow_up_services.send_due_communications(now=world.at(1, 12)) == 0
    assert follow_up_services.send_due_communications(now=world.at(1, 18)) == 0
    assert _sent(appointment, "reminder:first") == [Channel.EMAIL, Channel.SMS]
    assert _sent(appointment, "reminder:second") == []
    assert follow_up_services.send_due_communications(now=world.at(2, 12)) == 1  # 22 hours before
    assert follow_up_services.send_due_communications(now=world.at(2, 13)) == 0
    assert _sent(appointment, "reminder:second") == [Channel.EMAIL, Channel.SMS]
    appointment.refresh_from_db()
    assert appointment.reminders == 2
    assert appointment.first_reminder_at and appointment.second_reminder_at
    # Nothing once the appointment has passed.
    assert follow_up_services.send_due_communications(now=world.at(3, 12)) == 0


def test_a_reminder_is_not_sent_twice_after_a_worker_stopped_mid_batch(
    world, monkeypatch, django_capture_on_commit_callbacks, mailoutbox
):
    _rule(world, CommunicationKind.FIRST_REMINDER, delay=48)
    slot = world.slot(day=3, start=10, end=11, per_interval=3)
    anne = _reachable(world, slot, name=("Anne", "Roy"))
    marc = _reachable(world, slot, name=("Marc", "Roy"), at=world.at(3, 10, 15))
    real_notify = booking_services.portal_services.notify

    def crash_on_marc(**kwargs):
        if kwargs["key"].startswith(f"appointments:{marc.pk}:"):
            raise WorkerStopped
        return real_notify(**kwargs)

    monkeypatch.setattr(booking_services.portal_services, "notify", crash_on_marc)
    with django_capture_on_commit_callbacks(execute=False) as queued, pytest.raises(WorkerStopped):
        follow_up_services.send_due_communications(now=world.at(1, 12))
    anne.refresh_from_db()
    marc.refresh_from_db()
    assert anne.first_reminder_at is not None  # marked with its messages, in one transaction
    assert marc.first_reminder_at is None  # rolled back: still due
    monkeypatch.setattr(booking_services.portal_services, "notify", real_notify)
    # The restarted worker runs again: Marc gets his reminder, Anne not a second one.
    with django_capture_on_commit_callbacks(execute=True):
        assert follow_up_services.send_due_communications(now=world.at(1, 12, 5)) == 1
        assert follow_up_services.send_due_communications(now=world.at(1, 12, 10)) == 0
    for callback in queued:  # Anne's messages, queued before the stop, go out once
        callback()
    for callback in queued:
        callback()
    assert _sent(anne, "reminder:first") == [Channel.EMAIL, Channel.SMS]
    assert _sent(marc, "reminder:first") == [Channel.EMAIL, Channel.SMS]
    assert sorted(message.to[0] for message in mailoutbox) == ["anne@example.com", "marc@example.com"]


@pytest.mark.parametrize(("hour", "minute"), [(21, 0), (23, 30), (3, 0), (7, 59)])
def test_nothing_goes_out_between_21_and_8_in_moncton(world, hour, minute):
    _rule(world, CommunicationKind.FIRST_REMINDER, delay=48)
    appointment = _reachable(world, world.slot(day=3, start=10, end=11))
    night = world.at(2 if hour < 8 else 1, hour, minute)
    assert follow_up_services.send_due_communications(now=night) == 0
    appointment.refresh_from_db()
    assert appointment.first_reminder_at is None
    assert _sent(appointment, "reminder") == []
    # Held until 8:00.
    assert follow_up_services.send_due_communications(now=world.at(2, 8)) == 1


def test_a_cancelled_appointment_gets_no_reminder(world):
    _rule(world, CommunicationKind.FIRST_REMINDER, delay=48)
    slot = world.slot(day=3, start=10, end=11, per_interval=2)
    kept = _reachable(world, slot, name=("Anne", "Roy"))
    cancelled = _reachable(world, slot, name=("Marc", "Roy"))
    follow_up_services.cancel_appointment(actor=world.manager1, appointment=cancelled)
    assert follow_up_services.send_due_communications(now=world.at(1, 12)) == 1
    assert _sent(kept, "reminder") and not _sent(cancelled, "reminder")


def test_an_inactive_rule_sends_nothing(world):
    for kind in CommunicationKind.values:
        _rule(world, kind, delay=2, active=False)
    slot = world.slot(day=3, start=10, end=11, per_interval=3)
    _reachable(world, slot, name=("Anne", "Roy"))
    absent = _reachable(world, slot, name=("Marc", "Roy"))
    cancelled = _reachable(world, slot, name=("Luc", "Roy"))
    follow_up_services.mark_attendance(actor=world.manager1, appointment=absent, attendance=Attendance.ABSENT)
    follow_up_services.cancel_appointment(actor=world.manager1, appointment=cancelled)
    Message.objects.all().delete()  # the cancellation notice
    for day, hour in [(3, 9), (3, 13), (5, 12)]:
        assert follow_up_services.send_due_communications(now=world.at(day, hour)) == 0
    assert not Message.objects.exists()


def test_another_clinics_rule_does_not_send_this_clinics_reminders(world):
    CommunicationRule.objects.create(
        organization=world.other_clinic, kind=CommunicationKind.FIRST_REMINDER, is_active=True, delay_hours=48
    )
    _reachable(world, world.slot(day=3, start=10, end=11))
    assert follow_up_services.send_due_communications(now=world.at(1, 12)) == 0


def test_an_absence_is_relaunched_once_after_the_delay(world):
    _rule(world, CommunicationKind.ABSENCE_RELAUNCH, delay=2)
    appointment = _reachable(world, world.slot(day=1, start=9, end=10))
    follow_up_services.mark_attendance(
        actor=world.manager1, appointment=appointment, attendance=Attendance.ABSENT
    )
    Appointment.objects.filter(pk=appointment.pk).update(attendance_at=world.at(1, 9, 30))
    assert follow_up_services.send_due_communications(now=world.at(1, 10, 30)) == 0
    assert follow_up_services.send_due_communications(now=world.at(1, 12)) == 1
    assert follow_up_services.send_due_communications(now=world.at(1, 13)) == 0
    assert follow_up_services.send_due_communications(now=world.at(3, 13)) == 0
    assert _sent(appointment, "relaunch") == [Channel.EMAIL, Channel.SMS]
    appointment.refresh_from_db()
    assert appointment.relaunches == 1


def test_a_cancellation_is_relaunched_once_after_the_delay(world):
    _rule(world, CommunicationKind.CANCELLATION_RELAUNCH, delay=2)
    slot = world.slot(day=3, start=10, end=11, per_interval=2)
    appointment = _reachable(world, slot)
    kept = _reachable(world, slot, name=("Marc", "Roy"))
    follow_up_services.cancel_appointment(actor=None, appointment=appointment, by_person=True)
    Appointment.objects.filter(pk=appointment.pk).update(cancelled_at=world.at(1, 9))
    assert follow_up_services.send_due_communications(now=world.at(1, 10)) == 0
    assert follow_up_services.send_due_communications(now=world.at(1, 12)) == 1
    assert follow_up_services.send_due_communications(now=world.at(1, 12)) == 0
    assert _sent(appointment, "relaunch") == [Channel.EMAIL, Channel.SMS]
    assert _sent(kept, "relaunch") == []


@pytest.mark.parametrize(
    ("by_email", "by_sms", "expected"),
    [
        (True, False, [Channel.EMAIL]),
        (False, True, [Channel.SMS]),
        (True, True, [Channel.EMAIL, Channel.SMS]),
    ],
)
def test_the_rules_channels_are_respected(world, by_email, by_sms, expected):
    _rule(world, CommunicationKind.FIRST_REMINDER, delay=48, by_email=by_email, by_sms=by_sms)
    _rule(world, CommunicationKind.CANCELLATION_RELAUNCH, delay=2, by_email=by_email, by_sms=by_sms)
    slot = world.slot(day=3, start=10, end=11, per_interval=2)
    reminded = _reachable(world, slot, name=("Anne", "Roy"))
    cancelled = _reachable(world, slot, name=("Marc", "Roy"))
    follow_up_services.cancel_appointment(actor=world.manager1, appointment=cancelled)
    Appointment.objects.filter(pk=cancelled.pk).update(cancelled_at=world.at(1, 9))
    assert follow_up_services.send_due_communications(now=world.at(1, 12)) == 2
    assert _sent(reminded, "reminder:first") == expected
    assert _sent(cancelled, "relaunch") == expected


def test_a_reminder_by_sms_only_needs_the_sms_choice(world):
    _rule(world, CommunicationKind.FIRST_REMINDER, delay=48)
    slot = world.slot(day=3, start=10, end=11, per_interval=2)
    email_only = book_person(world, slot, email="anne@example.com", mobile_phone=MOBILE, send_sms=False)
    follow_up_services.send_due_communications(now=world.at(1, 12))
    assert _sent(email_only, "reminder") == [Channel.EMAIL]


def test_a_late_booking_skips_the_reminder_whose_time_had_passed(world):
    """Booked 30 hours before: the 48-hour reminder was due before the booking; the 24-hour one goes."""
    _rule(world, CommunicationKind.FIRST_REMINDER, delay=48)
    _rule(world, CommunicationKind.SECOND_REMINDER, delay=24)
    appointment = _reachable(world, world.slot(day=3, start=10, end=11))
    Appointment.objects.filter(pk=appointment.pk).update(created_at=world.at(2, 4))
    assert follow_up_services.send_due_communications(now=world.at(2, 12)) == 1
    assert _sent(appointment, "reminder:first") == []
    assert _sent(appointment, "reminder:second") == [Channel.EMAIL, Channel.SMS]


# Follow-up and statistics ------------------------------------------------------------------------------------


def _data(**values):
    return {"report": "active", "period": "day", "date": timezone.localdate() + timedelta(days=1), **values}


def test_the_follow_up_list_without_and_with_cancellations(world):
    slot = world.slot(per_interval=3)
    kept = book_person(world, slot, name=("Anne", "Roy"))
    cancelled = book_person(world, slot, name=("Marc", "Roy"))
    follow_up_services.cancel_appointment(actor=world.manager1, appointment=cancelled)
    assert list(selectors.follow_up_queryset(world.manager1, _data())) == [kept]
    assert list(selectors.follow_up_queryset(world.manager1, _data(report="all"))) == [kept, cancelled]


@pytest.mark.parametrize(
    ("period", "offsets"),
    [("day", {0}), ("week", {0, 1, 2, 3, 4, 5, 6}), ("month", "month"), ("quarter", "quarter")],
)
def test_the_follow_up_periods(world, period, offsets):
    monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday() + 7)
    start, end = selectors.follow_up_period(period, monday + timedelta(days=2))
    if offsets == "month":
        assert (start.day, end.month, (end + timedelta(days=1)).day) == (1, start.month, 1)
    elif offsets == "quarter":
        months = (end.year - start.year) * 12 + end.month - start.month
        assert (start.day, months, (end + timedelta(days=1)).day) == (1, 2, 1)
    else:
        assert {(day - start).days for day in (start, end)} == {0, max(offsets)}
        if period == "week":
            assert start == monday
        else:
            assert start == monday + timedelta(days=2)


def test_the_follow_up_search_crosses_the_fields_and_finds_a_number_any_day(world):
    slot = world.slot(per_interval=3)
    anne = book_person(world, slot, name=("Anne", "Roy"), born="1980-01-02")
    book_person(world, slot, name=("Anne", "Roy"), born="1990-01-02")
    book_person(world, slot, name=("Marc", "Roy"), born="1980-01-02")
    from datetime import date

    found = selectors.follow_up_queryset(
        world.manager1, _data(first_name="anne", date_of_birth=date(1980, 1, 2))
    )
    assert list(found) == [anne]
    # A number is found whatever the period shown.
    far = book_person(world, world.slot(day=60), name=("Luc", "Roy"))
    assert list(selectors.follow_up_queryset(world.manager1, _data(number=far.number))) == [far]


def test_the_follow_up_is_limited_to_the_roles_teams_and_locations(world):
    in_a = book_person(world, world.slot(per_interval=3), name=("Anne", "Roy"))
    in_b = book_person(world, world.slot(team=world.team_b), service=world.second, name=("Marc", "Roy"))
    in_c = book_person(world, world.slot(team=world.team_c, location=world.location_b), name=("Luc", "Roy"))
    seen = {
        key: set(selectors.follow_up_queryset(getattr(world, key), _data()))
        for key in ("manager1", "manager3", "consult2", "limited")
    }
    assert seen["manager1"] == {in_a, in_b, in_c}
    assert seen["manager3"] == seen["consult2"] == {in_a}
    assert seen["limited"] == {in_c}


def test_the_statistics_count_by_day_service_and_location(world):
    slot = world.slot(day=2, per_interval=5)
    present = book_person(world, slot, name=("Anne", "Roy"))
    absent = book_person(world, slot, name=("Marc", "Roy"))
    cancelled = book_person(world, slot, name=("Luc", "Roy"))
    book_person(world, slot, name=("Eve", "Roy"))  # still to come: not a no-show
    follow_up_services.mark_attendance(
        actor=world.manager1, appointment=present, attendance=Attendance.PRESENT
    )
    follow_up_services.mark_attendance(actor=world.manager1, appointment=absent, attendance=Attendance.ABSENT)
    follow_up_services.cancel_appointment(actor=world.manager1, appointment=cancelled)
    other = world.slot(team=world.team_c, location=world.location_b, day=5)
    book_person(world, other, service=world.second, name=("Zoé", "Roy"))
    no_show = _into_past(book_person(world, world.slot(day=1, start=14, end=15), name=("Léa", "Roy")), 3)
    Appointment.objects.create(  # another clinic's appointment is not counted
        organization=world.other_clinic,
        slot=world.slot(day=2, start=13, end=14),
        service=world.first,
        starts_at=world.at(2, 13),
        number="OTHER1",
        first_name="X",
        last_name="Y",
    )
    today = timezone.localdate()
    data = selectors.statistics_data(world.clinic, today - timedelta(days=7), today + timedelta(days=7))
    keys = ("bookings", "cancellations", "presences", "absences", "no_shows")
    assert [data["totals"][key] for key in keys] == [6, 1, 1, 1, 1]
    by_day = {row["day"]: [row[key] for key in keys] for row in data["by_day"]}
    assert by_day == {
        timezone.localtime(no_show.starts_at).date(): [1, 0, 0, 0, 1],
        today + timedelta(days=2): [4, 1, 1, 1, 0],
        today + timedelta(days=5): [1, 0, 0, 0, 0],
    }
    by_service = {row["label"]: row["bookings"] for row in data["by_service"]}
    assert by_service == {"1re dose": 5, "2e dose": 1} or by_service == {"First dose": 5, "Second dose": 1}
    by_location = {row["label"]: row["bookings"] for row in data["by_location"]}
    assert by_location == {"Lieu A": 5, "Lieu B": 1}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_no_subject_or_sms_names_the_person_or_the_service(
    world, language, django_capture_on_commit_callbacks, mailoutbox
):
    from portal import sms

    slot = world.slot(day=3, start=10, end=11)
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book_person(
            world,
            slot,
            name=("Anne", "Roy"),
            email="anne@example.com",
            send_email=True,
            mobile_phone=MOBILE,
            send_sms=True,
            language=language,
        )
        follow_up_services.send_reminder(actor=world.manager1, appointment=appointment)
    # Sent before the cancellation (a reminder still queued when it is cancelled is dropped).
    with django_capture_on_commit_callbacks(execute=True):
        follow_up_services.cancel_appointment(actor=world.manager1, appointment=appointment)
        follow_up_services.send_relaunch(actor=world.manager1, appointment=appointment)
    assert len(mailoutbox) == len(sms.outbox) == 4  # confirmation, reminder, cancellation, relaunch
    for text in [email.subject for email in mailoutbox] + [message["body"] for message in sms.outbox]:
        assert appointment.number in text
        for private in ("Anne", "Roy", "dose", "COVID"):
            assert private not in text
    assert all(email.extra_headers["Content-Language"] == language for email in mailoutbox)


def test_changing_the_service_in_place_needs_a_slot_offering_it(world):
    slot = world.slot(per_interval=2)  # team A: first dose only
    appointment = book_person(world, slot)
    with pytest.raises(ActionError) as error:
        follow_up_services.update_appointment(
            actor=world.manager1,
            appointment=appointment,
            details=_details(appointment),
            slot=slot,
            service=world.second,
            starts_at=appointment.starts_at,
        )
    assert "does not offer" in _text(error)
    appointment.refresh_from_db()
    assert appointment.service == world.first
    # In a slot offering both, the service changes in place.
    both = world.slot(team=world.team_c, location=world.location_b, day=2)
    other = book_person(world, both, name=("Marc", "Roy"))
    changed = follow_up_services.update_appointment(
        actor=world.manager1,
        appointment=other,
        details=_details(other),
        slot=both,
        service=world.second,
        starts_at=other.starts_at,
    )
    assert changed.service == world.second
