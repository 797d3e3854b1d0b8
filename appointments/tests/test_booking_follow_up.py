"""Reminders, relaunches, the follow-up list and the statistics through the follow-up services and
selectors (issue 8)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from appointments import selectors
from appointments.booking import services as booking_services
from appointments.follow_up import services as follow_up_services
from appointments.models import Appointment, Attendance, CommunicationKind, CommunicationRule
from appointments.tests.conftest import book_person
from appointments.tests.helpers import into_past
from portal.models import Channel, Message

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


MOBILE = "+15065550123"


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
    no_show = into_past(book_person(world, world.slot(day=1, start=14, end=15), name=("Léa", "Roy")), 3)
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
