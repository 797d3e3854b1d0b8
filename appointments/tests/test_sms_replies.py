"""Answering a reminder SMS (issue 17): "1"/"OUI"/"YES" confirms, "2"/"NON"/"NO" cancels, through
Twilio's signed inbound webhook. The answer is matched by the sender's number to the appointment
whose reminder went out last; it is idempotent, written in the appointment's history ("SMS reply",
no staff actor) and answered in the person's language with what the reminder showed."""

from datetime import timedelta

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from twilio.request_validator import RequestValidator

from appointments import sms_replies
from appointments.follow_up import services as follow_up_services
from appointments.models import AppointmentEvent, AppointmentStatus
from appointments.schedules import services as schedules_services
from appointments.tests.conftest import book_person
from portal import sms
from portal.models import InboundSms
from portal.sms_services import help_text
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db

TOKEN = "test-auth-token"
MOBILE = "+15065550123"
STRANGER = "+15065559999"


@pytest.fixture(autouse=True)
def _twilio(settings):
    settings.SMS_TWILIO_AUTH_TOKEN = TOKEN


@pytest.fixture
def send(client, django_capture_on_commit_callbacks):
    """An SMS sent to Liaison's number, signed as Twilio signs it; returns the texts sent back."""
    count = [0]

    def post(body, phone=MOBILE, sid=None):
        count[0] += 1
        params = {"MessageSid": sid or f"SMr{count[0]}", "From": phone, "To": "+15065550100", "Body": body}
        path = reverse("portal:sms_twilio_inbound")
        signature = RequestValidator(TOKEN).compute_signature("https://liaison.example.ca" + path, params)
        before = len(sms.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)
        assert response.status_code == 200
        return [message["body"] for message in sms.outbox[before:] if message["to"] == phone]

    return post


def reminded(world, django_capture_on_commit_callbacks, *, day=2, language="fr", phone=MOBILE, **values):
    """An appointment booked with SMS, whose reminder SMS went out."""
    slot = values.pop("slot", None) or world.slot(day=day, start=9, end=10)
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book_person(world, slot, mobile_phone=phone, send_sms=True, language=language, **values)
        follow_up_services.send_reminder(actor=world.manager1, appointment=appointment)
    appointment.refresh_from_db()
    return appointment


def sms_events(appointment):
    return list(
        AppointmentEvent.objects.filter(appointment=appointment, note=sms_replies.SMS_NOTE).values_list(
            "action", "actor"
        )
    )


def in_language(language, text, **values):
    with translation.override(language):
        return gettext(text) % values


def when(appointment):
    moment = timezone.localtime(appointment.starts_at)
    return {"number": appointment.number, "short_date": f"{moment:%Y-%m-%d}", "time": f"{moment:%H:%M}"}


CONFIRMED = "Liaison #%(number)s: your appointment of %(short_date)s %(time)s is confirmed. Thank you."
CANCELLED = "Liaison #%(number)s: your appointment of %(short_date)s %(time)s is cancelled, as you asked."
SEVERAL = (
    "Liaison: several appointments are waiting for an answer from this number. "
    "Please call the clinic, or use the link in your reminder."
)


def test_the_reminder_sms_says_how_to_answer_without_personal_details(
    world, django_capture_on_commit_callbacks
):
    with translation.override("en"):
        reminded(world, django_capture_on_commit_callbacks, language="en", name=("Anne", "Roy"))
    body = sms.outbox[-1]["body"]
    assert "Reply 1 to confirm, 2 to cancel" in body
    assert "Anne" not in body and "Roy" not in body and "dose" not in body


@pytest.mark.parametrize("body", ["1", "OUI", "yes", " Oui, merci."])
def test_it_confirms_on_a_yes_and_answers_in_the_persons_language(
    world, django_capture_on_commit_callbacks, send, body
):
    appointment = reminded(world, django_capture_on_commit_callbacks, name=("Anne", "Roy"))
    replies = send(body)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CONFIRMED
    assert sms_events(appointment) == [("confirmed", None)]
    assert replies == [in_language("fr", CONFIRMED, **when(appointment))]
    assert "Anne" not in replies[0] and "Roy" not in replies[0]
    assert InboundSms.objects.get().handled_by == "appointments.sms_replies.handle"
    # Audited like any change: the status, with no one signed in.
    change = LogEntry.objects.get_for_object(appointment).filter(action=LogEntry.Action.UPDATE).latest("pk")
    assert change.actor is None
    assert "status" in change.changes_dict


@pytest.mark.parametrize("body", ["2", "NON", "No"])
def test_it_cancels_on_a_no(world, django_capture_on_commit_callbacks, send, body):
    appointment = reminded(world, django_capture_on_commit_callbacks, language="en", email="anne@example.org")
    emails_before = len(mail.outbox)
    replies = send(body)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert sms_events(appointment) == [("cancelled", None)]
    # One text: the answer. The cancellation notice (with its "book again" link) goes by email.
    assert replies == [in_language("en", CANCELLED, **when(appointment))]
    notices = [m for m in mail.outbox[emails_before:] if m.to == [appointment.email]]
    assert len(notices) == 1 and appointment.number in notices[0].body


def test_a_repeated_answer_changes_nothing_twice(world, django_capture_on_commit_callbacks, send):
    appointment = reminded(world, django_capture_on_commit_callbacks)
    send("1")
    again = send("OUI")
    assert sms_events(appointment) == [("confirmed", None)]
    assert again == [in_language("fr", CONFIRMED, **when(appointment))]
    # A confirmed appointment may still be cancelled by SMS; "2" sent twice cancels it once.
    send("2")
    twice = send("2")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert sms_events(appointment) == [("confirmed", None), ("cancelled", None)]
    assert twice == [
        in_language(
            "fr",
            "Liaison #%(number)s: %(reason)s",
            number=appointment.number,
            reason=in_language("fr", "This appointment is already cancelled."),
        )
    ]


def test_a_repeated_no_never_cancels_the_persons_other_appointment(
    world, django_capture_on_commit_callbacks, send
):
    earlier = reminded(world, django_capture_on_commit_callbacks, day=3, service=world.first)
    later = reminded(
        world,
        django_capture_on_commit_callbacks,
        day=4,
        slot=world.slot(day=4, team=world.team_b),
        service=world.second,
    )
    send("2")
    send("2")
    earlier.refresh_from_db()
    later.refresh_from_db()
    # The last reminder is the one answered; the repeat finds it again, already cancelled.
    assert (later.status, earlier.status) == (AppointmentStatus.CANCELLED, AppointmentStatus.BOOKED)
    assert sms_events(earlier) == []


def test_an_unknown_number_gets_the_help_and_changes_nothing(world, django_capture_on_commit_callbacks, send):
    appointment = reminded(world, django_capture_on_commit_callbacks)
    assert send("1", phone=STRANGER) == [help_text()]
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert InboundSms.objects.get().handled_by == ""


def test_anything_but_an_answer_gets_the_help(world, django_capture_on_commit_callbacks, send):
    appointment = reminded(world, django_capture_on_commit_callbacks)
    assert send("C'est à quelle heure?") == [help_text()]
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_an_appointment_without_a_reminder_is_not_answered(world, send):
    appointment = book_person(world, world.slot(day=2), mobile_phone=MOBILE, send_sms=True)
    assert send("1") == [help_text()]
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_two_people_sharing_a_number_are_asked_to_call(world, django_capture_on_commit_callbacks, send):
    slot = world.slot(day=2, per_interval=4)
    mother = reminded(world, django_capture_on_commit_callbacks, slot=slot, name=("Anne", "Roy"))
    son = reminded(
        world, django_capture_on_commit_callbacks, slot=slot, name=("Léo", "Roy"), born="2010-05-06"
    )
    assert send("2") == [in_language("fr", SEVERAL)]
    for appointment in (mother, son):
        appointment.refresh_from_db()
        assert appointment.status == AppointmentStatus.BOOKED
        assert sms_events(appointment) == []


def test_another_clinics_person_at_the_same_number_is_never_answered_by_mistake(
    world, django_capture_on_commit_callbacks, send
):
    ours = reminded(world, django_capture_on_commit_callbacks, language="en")
    theirs_slot = schedules_services.create_slot(
        actor=world.other_member,
        organization=world.other_clinic,
        location=world.other_location,
        resource=world.other_team,
        services=[world.other_service],
        starts_at=world.at(3, 9),
        ends_at=world.at(3, 10),
        per_interval=2,
        is_locked=False,
    )
    # The same person's name and birth date, at another network: still not the same record.
    theirs = reminded(
        world, django_capture_on_commit_callbacks, slot=theirs_slot, language="en", actor=world.other_member
    )
    assert send("YES") == [in_language("en", SEVERAL)]
    for appointment in (ours, theirs):
        appointment.refresh_from_db()
        assert appointment.status == AppointmentStatus.BOOKED


def test_too_late_to_cancel_says_so_and_changes_nothing(world, django_capture_on_commit_callbacks, send):
    appointment = reminded(world, django_capture_on_commit_callbacks, day=1)
    with time_machine.travel(appointment.starts_at + timedelta(hours=1)):
        replies = send("2")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert sms_events(appointment) == []
    assert len(replies) == 1
    assert appointment.number in replies[0]
    assert (
        in_language("fr", "This appointment has passed: it can no longer be cancelled online.") in replies[0]
    )


def test_an_appointment_the_clinic_cancelled_answers_so(world, django_capture_on_commit_callbacks, send):
    appointment = reminded(world, django_capture_on_commit_callbacks, language="en")
    follow_up_services.cancel_appointment(actor=world.manager1, appointment=appointment)
    replies = send("1")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert sms_events(appointment) == []
    assert "This appointment is cancelled: it cannot be confirmed." in replies[0]


@pytest.mark.parametrize(("language", "body"), [("fr", "YES"), ("en", "OUI")])
def test_the_answer_is_in_the_appointments_language_whatever_the_reply_seemed_to_be(
    world, django_capture_on_commit_callbacks, send, language, body
):
    appointment = reminded(world, django_capture_on_commit_callbacks, language=language)
    follow_up_services.cancel_appointment(actor=world.manager1, appointment=appointment)
    replies = send(body)
    expected = {
        "fr": "Ce rendez-vous est annulé : il ne peut pas être confirmé.",
        "en": "This appointment is cancelled: it cannot be confirmed.",
    }[language]
    assert expected in replies[0]
    appointment = reminded(world, django_capture_on_commit_callbacks, day=5, language=language)
    assert send(body) == [in_language(language, CONFIRMED, **when(appointment))]


@pytest.mark.parametrize(("language", "shown"), [("fr", "Réponse par SMS"), ("en", "SMS reply")])
def test_the_staff_page_shows_the_sms_reply_in_its_history(
    world, django_capture_on_commit_callbacks, send, language, shown
):
    appointment = reminded(world, django_capture_on_commit_callbacks)
    send("1")
    world.manager1.preferred_language = language
    world.manager1.save()
    staff = verified_client(world.manager1, membership=world.memberships["manager1"])
    page = staff.get(
        reverse("appointments:appointment", args=[appointment.pk]), HTTP_ACCEPT_LANGUAGE=language
    )
    text = page.content.decode()
    with translation.override(language):
        expected = gettext(sms_replies.SMS_NOTE)
    assert expected in text
    if gettext_is_translated(language):
        assert shown in text


def gettext_is_translated(language):
    with translation.override(language):
        return language == "en" or gettext(sms_replies.SMS_NOTE) != sms_replies.SMS_NOTE
