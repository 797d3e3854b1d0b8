"""The public path through the test client (issue 8): the search, eligibility, the times, the booking,
its confirmation and messages, the links of the messages and cancelling by number."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from appointments.booking.forms import time_value
from appointments.configuration import services as configuration_services
from appointments.follow_up import services as follow_up_services
from appointments.models import Appointment, AppointmentStatus, EligibilityQuestion
from appointments.schedules import services as schedules_services
from appointments.tests.conftest import book_person, open_online_booking
from appointments.tests.helpers import PDF, PERSON, book_online, choose_time, messages_text, public_url
from portal import sms
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db


# Public search -------------------------------------------------------------------------------------------


def _search(client, world, postal_code, service=None):
    return client.get(
        reverse("appointments:public_search", args=[world.clinic.pk]),
        {"service": (service or world.first).pk, "postal_code": postal_code},
    )


@pytest.mark.parametrize("postal_code", ["12345", "E1C4M", "E1C 4M22", "ÉÉÉ 1A1", "<script>"])
def test_a_malformed_postal_code_is_refused_next_to_the_field(world, public, postal_code):
    open_online_booking(world)
    response = _search(public, world, postal_code)
    assert response.status_code == 200
    assert "Canadian postal code" in " ".join(response.context["form"].errors["postal_code"])
    assert response.context["results"] == []


def test_a_postal_code_whose_area_is_unknown_is_refused_next_to_the_field(world, public):
    open_online_booking(world)
    response = _search(public, world, "E9Z 9Z9")
    assert "could not be found" in " ".join(response.context["form"].errors["postal_code"])
    assert response.context["results"] == []


def test_an_unknown_full_code_falls_back_to_its_first_three_characters_and_says_so(world, public):
    open_online_booking(world)
    response = _search(public, world, "e1c9z9")
    assert response.status_code == 200
    notice = response.context["notice"]
    assert "E1C 9Z9" in notice and "first three characters" in notice and "Moncton" in notice
    assert notice in response.content.decode().replace("&#x27;", "'")
    assert [result.location for result in response.context["results"]][0] == world.location_a


@pytest.mark.parametrize(("postal_code", "nearest"), [("E1C 4M2", "location_a"), ("E3B 5H1", "location_b")])
def test_the_locations_are_sorted_by_distance(world, public, postal_code, nearest):
    open_online_booking(world)
    response = _search(public, world, postal_code)
    results = response.context["results"]
    assert response.context["notice"] == ""
    assert results[0][0] == getattr(world, nearest)
    assert len(results) == 2
    distances = [result.distance for result in results]
    assert distances == sorted(distances)
    assert distances[0] < 10 < 100 < distances[1]
    assert f"{round(distances[1])} km" in response.content.decode()


def test_only_the_locations_offering_the_service_are_listed(world, public):
    open_online_booking(world)
    world.team_c.services.set([world.second])
    response = _search(public, world, "E3B 5H1")
    assert [result.location for result in response.context["results"]] == [world.location_a]


def test_the_search_is_closed_while_online_booking_is(world, public):
    response = _search(public, world, "E1C 4M2")
    assert response.status_code == 302
    assert response["Location"] == reverse("appointments:public_page", args=[world.clinic.pk])
    assert public.get(public_url(world, "public_times")).status_code == 302


# Eligibility -----------------------------------------------------------------------------------------------


@pytest.fixture
def question(world):
    world.first.message_not_eligible_en = "Only people aged 75 or more, for now."
    world.first.message_not_eligible_fr = "Seulement les 75 ans et plus, pour l'instant."
    world.first.save()
    return EligibilityQuestion.objects.create(
        service=world.first, text_fr="75 ans ou plus ?", text_en="75 or older?", eligible_answer="yes"
    )


def test_a_person_not_eligible_gets_the_configured_message_and_goes_no_further(world, public, question):
    open_online_booking(world)
    slot = world.slot()
    response = public.post(public_url(world, "public_eligibility"), {f"q{question.pk}": "no"})
    assert response.status_code == 200
    assert response.context["not_eligible"] is True
    assert "Only people aged 75 or more, for now." in response.content.decode()
    eligibility = public_url(world, "public_eligibility")
    for name in ("public_times", "public_details"):
        response = public.get(public_url(world, name))
        assert response.status_code == 302 and response["Location"] == eligibility
    response = public.post(public_url(world, "public_times"), {"time": time_value(slot, slot.starts_at)})
    assert response["Location"] == eligibility
    assert not Appointment.objects.exists()


def test_an_unanswered_question_is_asked_again(world, public, question):
    open_online_booking(world)
    # A browser sends the CSRF token even when no answer is ticked.
    response = public.post(public_url(world, "public_eligibility"), {"csrfmiddlewaretoken": "x"})
    assert response.status_code == 200
    assert "Answer this question." in " ".join(response.context["form"].errors[f"q{question.pk}"])


def test_an_eligible_person_goes_on_to_the_times(world, public, question):
    open_online_booking(world)
    slot = world.slot(day=2)
    response = public.post(public_url(world, "public_eligibility"), {f"q{question.pk}": "yes"})
    assert response["Location"] == public_url(world, "public_times")
    response = public.get(public_url(world, "public_times"))
    assert response.status_code == 200
    assert response.context["days"] == [timezone.localtime(slot.starts_at).date()]
    # Answering "no" later closes the way again.
    public.post(public_url(world, "public_eligibility"), {f"q{question.pk}": "no"})
    assert public.get(public_url(world, "public_times")).status_code == 302


# Times -----------------------------------------------------------------------------------------------------


def test_the_times_offered_leave_out_locked_full_past_and_far_slots(world, public):
    open_online_booking(world, days_shown=5)
    open_slot = world.slot(day=2, start=9, end=10, per_interval=1)
    world.slot(day=3, locked=True)
    world.slot(day=7)
    book_person(world, open_slot)  # 9:00 is full
    response = public.get(
        public_url(world, "public_times"),
        {"date": timezone.localtime(open_slot.starts_at).date().isoformat()},
    )
    assert response.context["days"] == [timezone.localtime(open_slot.starts_at).date()]
    times = [moment for _value, moment, _left in response.context["day_times"]]
    assert times == [world.at(2, 9, 15), world.at(2, 9, 30), world.at(2, 9, 45)]


@pytest.mark.parametrize(
    "tamper",
    ["garbage", "@20300101T0900", "999999@{moment}", "{slot}@2030-01-01", "{slot}@{off}", "{other}@{moment}"],
)
def test_a_tampered_time_gives_a_clear_message_and_books_nothing(world, public, tamper):
    open_online_booking(world)
    slot = world.slot(day=2)
    other = world.slot(day=2, team=world.team_c, location=world.location_b)
    value = tamper.format(
        slot=slot.pk,
        other=other.pk,
        moment=f"{timezone.localtime(slot.starts_at):%Y%m%dT%H%M}",
        off=f"{timezone.localtime(slot.starts_at) + timedelta(minutes=5):%Y%m%dT%H%M}",
    )
    response = public.post(public_url(world, "public_times"), {"time": value})
    assert response.status_code == 200
    assert "available" in " ".join(response.context["form"].errors["time"])
    # Nothing chosen: the details page sends back to the times.
    response = public.post(public_url(world, "public_details"), PERSON)
    assert response.status_code == 302
    assert response["Location"] == public_url(world, "public_times")
    assert not Appointment.objects.exists()


def test_a_locked_slot_cannot_be_chosen_online(world, public):
    open_online_booking(world)
    slot = world.slot(day=2, locked=True)
    response = public.post(public_url(world, "public_times"), {"time": time_value(slot, slot.starts_at)})
    assert response.status_code == 200
    assert "no longer available" in " ".join(response.context["form"].errors["time"])


def test_a_time_taken_meanwhile_sends_back_to_the_times_with_a_message(world, public):
    open_online_booking(world)
    slot = world.slot(day=2, per_interval=1)
    details = choose_time(public, world, slot)
    book_person(world, slot, name=("Marc", "Roy"))  # someone else is faster
    response = public.post(details, PERSON)
    assert response.status_code == 302
    assert response["Location"] == public_url(world, "public_times")
    assert "no longer available" in messages_text(response)
    assert Appointment.objects.count() == 1


def test_a_time_whose_slot_was_deleted_meanwhile_sends_back_to_the_times(world, public):
    open_online_booking(world)
    slot = world.slot(day=2)
    details = choose_time(public, world, slot)
    schedules_services.delete_slot(slot=slot)
    response = public.post(details, PERSON)
    assert response.status_code == 302
    assert response["Location"] == public_url(world, "public_times")
    assert not Appointment.objects.exists()


def test_online_booking_closed_meanwhile_books_nothing(world, public):
    clinic_settings = open_online_booking(world)
    slot = world.slot(day=2)
    details = choose_time(public, world, slot)
    clinic_settings.online_booking_open = False
    clinic_settings.save()
    response = public.post(details, PERSON)
    assert response.status_code == 302
    assert not Appointment.objects.exists()


# Booking, confirmation, messages ------------------------------------------------------------------------------


def test_a_public_booking_sends_the_coupon_with_the_ics_and_the_services_attachment(
    world, public, django_capture_on_commit_callbacks, mailoutbox
):
    open_online_booking(world)
    configuration_services.set_service_attachment(
        service=world.first,
        upload=SimpleUploadedFile("Consignes.pdf", PDF, content_type="application/pdf"),
        content_type="application/pdf",
    )
    slot = world.slot(day=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = book_online(public, world, slot, at=world.at(2, 9, 30))
    assert response.status_code == 302, response.content.decode()[:3000]
    appointment = Appointment.objects.get()
    assert response["Location"] == reverse(
        "appointments:public_confirmation", args=[world.clinic.pk, appointment.number]
    )
    assert (appointment.booked_online, appointment.language, appointment.send_sms) == (True, "en", False)
    assert appointment.starts_at == world.at(2, 9, 30)
    page = public.get(response["Location"])
    assert page.status_code == 200
    assert appointment.number in page.content.decode()
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["anne@example.com"]
    assert appointment.number in email.subject
    for private in ("Anne", "Roy", "First dose", "1re dose", "dose"):
        assert private not in email.subject
    attachments = {name: (content, mimetype) for name, content, mimetype in email.attachments}
    ics = attachments[f"appointment-{appointment.number}.ics"]
    assert ics[1] == "text/calendar"
    event = Calendar.from_ical(ics[0]).walk("VEVENT")[0]
    assert event.decoded("dtstart") == appointment.starts_at
    assert event.decoded("dtend") == appointment.starts_at + timedelta(minutes=15)
    assert attachments["Consignes.pdf"] == (PDF, "application/pdf")
    # The link of the email manages the appointment.
    assert reverse("appointments:manage", args=[appointment.token]) in email.body
    assert sms.outbox == []


def test_an_sms_goes_only_with_a_mobile_number_and_the_sms_choice(
    world, public, django_capture_on_commit_callbacks, mailoutbox
):
    open_online_booking(world)
    slot = world.slot(day=2, per_interval=3)
    with django_capture_on_commit_callbacks(execute=True):
        book_online(public, world, slot, first_name="Anne", mobile_phone="506 555 0123")
    assert sms.outbox == []  # a number without the choice
    with django_capture_on_commit_callbacks(execute=True):
        response = book_online(
            public, world, slot, first_name="Marc", email="", mobile_phone="506 555 0199", send_sms="on"
        )
    assert response.status_code == 302
    marc = Appointment.objects.get(first_name="Marc")
    assert (marc.mobile_phone, marc.send_sms) == ("+15065550199", True)
    assert len(sms.outbox) == 1
    message = sms.outbox[0]
    assert message["to"] == "+15065550199"
    assert marc.number in message["body"]
    assert reverse("appointments:manage", args=[marc.token]) in message["body"]
    for private in ("Marc", "Roy", "First dose", "1re dose", "dose"):
        assert private not in message["body"]
    assert len(mailoutbox) == 1  # Anne's email only: Marc gave none


def test_the_sms_choice_without_a_mobile_number_is_refused_next_to_the_field(world, public):
    open_online_booking(world)
    response = book_online(public, world, world.slot(day=2), send_sms="on")
    assert response.status_code == 200
    assert "mobile_phone" in response.context["form"].errors
    assert not Appointment.objects.exists()


def test_the_consent_is_required(world, public):
    open_online_booking(world)
    response = book_online(public, world, world.slot(day=2), accept_terms="")
    assert response.status_code == 200
    assert "accept_terms" in response.context["form"].errors
    assert not Appointment.objects.exists()


def test_the_confirmation_page_is_only_for_the_session_that_booked(world, public):
    open_online_booking(world)
    response = book_online(public, world, world.slot(day=2))
    confirmation = response["Location"]
    assert public.get(confirmation).status_code == 200
    assert Client().get(confirmation).status_code == 404
    assert verified_client(world.manager1).get(confirmation).status_code == 404
    other_clinic = confirmation.replace(f"/public/{world.clinic.pk}/", f"/public/{world.other_clinic.pk}/")
    assert public.get(other_clinic).status_code == 404


def test_the_same_person_cannot_book_the_service_twice_online(world, public):
    open_online_booking(world)
    slot = world.slot(day=2, per_interval=3)
    book_online(public, world, slot)
    response = book_online(
        Client(HTTP_ACCEPT_LANGUAGE="en"), world, slot, first_name=" anne ", last_name="ROY"
    )
    assert response.status_code == 200
    assert "already has an appointment for this service" in messages_text(response)
    assert Appointment.objects.count() == 1


def test_booking_for_someone_else_is_recorded(world, public):
    open_online_booking(world)
    book_online(public, world, world.slot(day=2), for_someone_else="on", first_name="Léo")
    assert Appointment.objects.get().for_someone_else is True


# The links of the messages, and cancelling by number ---------------------------------------------------------


def _manage(appointment):
    return reverse("appointments:manage", args=[appointment.token])


def test_the_link_shows_the_appointment_then_confirms_then_cancels_it(world, public):
    appointment = book_person(world, world.slot(day=2))
    response = public.get(_manage(appointment))
    assert response.status_code == 200
    assert appointment.number in response.content.decode()
    response = public.post(_manage(appointment), {"action": "confirm"})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CONFIRMED
    response = public.post(_manage(appointment), {"action": "cancel"})
    assert "cancelled" in messages_text(response)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    cancelled_at = appointment.cancelled_at
    # Cancelling again: a clear message, nothing changes.
    response = public.post(_manage(appointment), {"action": "cancel"})
    assert response.status_code == 302
    assert "already cancelled" in messages_text(response)
    appointment.refresh_from_db()
    assert appointment.cancelled_at == cancelled_at
    response = public.post(_manage(appointment), {"action": "confirm"})
    assert "cannot be confirmed" in messages_text(response)
    page = public.get(_manage(appointment)).content.decode()
    assert 'value="cancel"' not in page and 'value="confirm"' not in page


def test_a_past_appointment_is_not_cancelled_by_its_link(world, public):
    appointment = book_person(world, world.slot(day=2))
    Appointment.objects.filter(pk=appointment.pk).update(starts_at=world.at(-1, 9))
    response = public.post(_manage(appointment), {"action": "cancel"})
    assert "has passed" in messages_text(response)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_an_unknown_or_stale_link_answers_404(world, public):
    appointment = book_person(world, world.slot(day=2))
    token = appointment.token
    for bad in ["nope", token[:-1], token + "x", "a" * 65]:
        assert public.get(reverse("appointments:manage", args=[bad])).status_code == 404
        assert (
            public.post(reverse("appointments:manage", args=[bad]), {"action": "cancel"}).status_code == 404
        )
    # A stale link (the appointment was cancelled since): the page says so, a second cancel is refused.
    follow_up_services.cancel_appointment(actor=world.manager1, appointment=appointment)
    response = public.post(reverse("appointments:manage", args=[token]), {"action": "cancel"}, follow=True)
    assert response.status_code == 200
    assert "already cancelled" in response.content.decode()


def _cancel(client, world, number, last_name, *, confirm="yes"):
    return client.post(
        reverse("appointments:public_cancel", args=[world.clinic.pk]),
        {"number": number, "last_name": last_name, "confirm": confirm},
    )


def test_cancelling_by_number_asks_first_and_changes_nothing_until_yes(world, public):
    appointment = book_person(world, world.slot(day=2), email="anne@example.com")
    response = _cancel(public, world, appointment.number, "Roy", confirm="")
    assert response.status_code == 200
    assert response.context["asking"] == appointment
    page = response.content.decode()
    assert "Yes, cancel the appointment" in page or "Oui, annuler le rendez-vous" in page
    assert f'name="number" value="{appointment.number}"' in page and 'name="last_name" value="Roy"' in page
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert _cancel(public, world, appointment.number, "Roy").status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED


@pytest.mark.parametrize(("booked", "typed"), [("O'Brien", "o\u2019brien"), ("O\u2019Brien", "O'BRIEN")])
def test_cancelling_by_number_takes_either_apostrophe(world, public, booked, typed):
    appointment = book_person(world, world.slot(day=2), name=("Anne", booked))
    assert _cancel(public, world, appointment.number, typed).status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED


def test_cancelling_by_number_and_last_name(world, public, django_capture_on_commit_callbacks, mailoutbox):
    appointment = book_person(world, world.slot(day=2), email="anne@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        response = _cancel(public, world, f" #{appointment.number.lower()} ", "  roy")
    assert response.status_code == 302
    assert appointment.number in messages_text(response)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.number in mailoutbox[-1].subject and "Roy" not in mailoutbox[-1].subject
    response = _cancel(public, world, appointment.number, "Roy")
    assert response.status_code == 200
    assert "already cancelled" in " ".join(response.context["form"].non_field_errors())


@pytest.mark.parametrize("case", ["wrong name", "wrong number", "other clinic"])
def test_cancelling_with_the_wrong_details_is_refused_and_changes_nothing(world, public, case):
    appointment = book_person(world, world.slot(day=2))
    number, last_name, clinic = appointment.number, "Roy", world.clinic
    if case == "wrong name":
        last_name = "Leblanc"
    elif case == "wrong number":
        number = "ZZZZZZ"
    else:
        clinic = world.other_clinic
    response = public.post(
        reverse("appointments:public_cancel", args=[clinic.pk]), {"number": number, "last_name": last_name}
    )
    assert response.status_code == 200
    assert "No appointment matches" in " ".join(response.context["form"].non_field_errors())
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_the_details_sent_twice_book_once(world, public):
    open_online_booking(world)
    slot = world.slot(day=2, per_interval=3)
    details = choose_time(public, world, slot)
    assert public.post(details, PERSON).status_code == 302
    response = public.post(details, PERSON)
    assert response.status_code == 302
    assert response["Location"] == public_url(world, "public_times")
    assert Appointment.objects.count() == 1


def test_another_clinics_service_or_location_is_not_a_public_step(world, public):
    open_online_booking(world)
    for service, location in [(world.other_service, world.location_a), (world.first, world.other_location)]:
        for name in ("public_eligibility", "public_times", "public_details"):
            assert public.get(public_url(world, name, service, location)).status_code == 404
    # A location whose teams do not offer the service is not a step either.
    assert public.get(public_url(world, "public_times", world.second, world.location_b)).status_code == 200
    world.team_c.services.set([world.first])
    assert public.get(public_url(world, "public_times", world.second, world.location_b)).status_code == 404
