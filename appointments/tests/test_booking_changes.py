"""Changes to appointments through the follow-up services (issue 8): status changes, staff changes,
batch actions."""

import pytest
from django.utils import timezone

from appointments.follow_up import services as follow_up_services
from appointments.models import Appointment, AppointmentEvent, AppointmentStatus, Attendance
from appointments.tests.conftest import book_person
from appointments.tests.helpers import error_text, into_past, places_held
from portal.models import Message
from portal.workflow import ActionError

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


# Status changes --------------------------------------------------------------------------------------------


def test_cancelling_twice_is_refused_with_a_clear_message(world):
    appointment = book_person(world, world.slot())
    follow_up_services.cancel_appointment(actor=world.manager1, appointment=appointment)
    with pytest.raises(ActionError) as error:
        follow_up_services.cancel_appointment(actor=world.manager1, appointment=appointment)
    assert "already cancelled" in error_text(error)
    assert appointment.events.filter(action="cancelled").count() == 1


def test_a_person_cannot_cancel_a_past_appointment_online(world):
    appointment = into_past(book_person(world, world.slot()), 3)
    with pytest.raises(ActionError) as error:
        follow_up_services.cancel_appointment(actor=None, appointment=appointment, by_person=True)
    assert "has passed" in error_text(error)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_an_appointment_with_a_recorded_presence_is_not_cancelled(world):
    appointment = book_person(world, world.slot())
    follow_up_services.mark_attendance(
        actor=world.manager1, appointment=appointment, attendance=Attendance.PRESENT
    )
    with pytest.raises(ActionError) as error:
        follow_up_services.cancel_appointment(actor=world.manager1, appointment=appointment)
    assert "presence is already recorded" in error_text(error)


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
    assert "cancelled" in error_text(error)


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
    assert "no longer available" in error_text(error)
    appointment.refresh_from_db()
    assert (appointment.starts_at, appointment.comment) == (slot.starts_at, "")
    assert places_held(slot, world.at(1, 9, 15)) == 1


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
        appointment = into_past(appointment, 3)
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
    assert "only the comment and details change" in error_text(error)
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
    assert "already has an appointment" in error_text(error)
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
    assert "does not offer" in error_text(error)
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
