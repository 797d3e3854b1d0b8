"""Booking and follow-up through the test client (issue 8): the public path, the links of the messages,
staff booking and changes, batch actions, the follow-up list, its print and export, the statistics."""

import io
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from openpyxl import load_workbook

from appointments.booking.forms import time_value
from appointments.configuration import services as configuration_services
from appointments.follow_up import services as follow_up_services
from appointments.follow_up.forms import FOLLOW_UP_COLUMNS
from appointments.models import (
    Appointment,
    AppointmentStatus,
    Attendance,
    EligibilityQuestion,
    ListPreference,
)
from appointments.schedules import services as schedules_services
from appointments.tests.conftest import book_person, open_online_booking
from portal import sms
from portal.models import Channel, Export, Message
from tests.helpers import assert_constant_queries, search, verified_client

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PERSON = {
    "first_name": "Anne",
    "last_name": "Roy",
    "date_of_birth": "1980-01-02",
    "email": "anne@example.com",
    "accept_terms": "on",
}


def _messages(response):
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def _client(world, key):
    if key == "limited":
        return verified_client(world.limited, membership=world.limited_membership)
    return verified_client(getattr(world, key), membership=world.memberships[key])


@pytest.fixture
def public():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def manager(world):
    return _client(world, "manager1")


def _public_url(world, name, service=None, location=None):
    service = service or world.first
    location = location or world.location_a
    return reverse(f"appointments:{name}", args=[world.clinic.pk, service.pk, location.pk])


def _choose_time(client, world, slot, at=None, service=None):
    """Eligibility (when asked) then the time; returns the details page's URL."""
    service = service or world.first
    location = slot.location
    questions = list(service.questions.all())
    if questions:
        response = client.post(
            _public_url(world, "public_eligibility", service, location),
            {f"q{question.pk}": question.eligible_answer for question in questions},
        )
        assert response.status_code == 302
    at = at or slot.starts_at
    response = client.post(
        _public_url(world, "public_times", service, location),
        {"time": time_value(slot, at), "date": timezone.localtime(at).date().isoformat()},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return _public_url(world, "public_details", service, location)


def _book_online(client, world, slot, *, at=None, service=None, **person):
    details = _choose_time(client, world, slot, at=at, service=service)
    return client.post(details, {**PERSON, **person})


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
    assert [location for location, _distance in response.context["results"]][0] == world.location_a


@pytest.mark.parametrize(("postal_code", "nearest"), [("E1C 4M2", "location_a"), ("E3B 5H1", "location_b")])
def test_the_locations_are_sorted_by_distance(world, public, postal_code, nearest):
    open_online_booking(world)
    response = _search(public, world, postal_code)
    results = response.context["results"]
    assert response.context["notice"] == ""
    assert results[0][0] == getattr(world, nearest)
    assert len(results) == 2
    distances = [distance for _location, distance in results]
    assert distances == sorted(distances)
    assert distances[0] < 10 < 100 < distances[1]
    assert f"{round(distances[1])} km" in response.content.decode()


def test_only_the_locations_offering_the_service_are_listed(world, public):
    open_online_booking(world)
    world.team_c.services.set([world.second])
    response = _search(public, world, "E3B 5H1")
    assert [location for location, _distance in response.context["results"]] == [world.location_a]


def test_the_search_is_closed_while_online_booking_is(world, public):
    response = _search(public, world, "E1C 4M2")
    assert response.status_code == 302
    assert response["Location"] == reverse("appointments:public_page", args=[world.clinic.pk])
    assert public.get(_public_url(world, "public_times")).status_code == 302


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
    response = public.post(_public_url(world, "public_eligibility"), {f"q{question.pk}": "no"})
    assert response.status_code == 200
    assert response.context["not_eligible"] is True
    assert "Only people aged 75 or more, for now." in response.content.decode()
    eligibility = _public_url(world, "public_eligibility")
    for name in ("public_times", "public_details"):
        response = public.get(_public_url(world, name))
        assert response.status_code == 302 and response["Location"] == eligibility
    response = public.post(_public_url(world, "public_times"), {"time": time_value(slot, slot.starts_at)})
    assert response["Location"] == eligibility
    assert not Appointment.objects.exists()


def test_an_unanswered_question_is_asked_again(world, public, question):
    open_online_booking(world)
    # A browser sends the CSRF token even when no answer is ticked.
    response = public.post(_public_url(world, "public_eligibility"), {"csrfmiddlewaretoken": "x"})
    assert response.status_code == 200
    assert "Answer this question." in " ".join(response.context["form"].errors[f"q{question.pk}"])


def test_an_eligible_person_goes_on_to_the_times(world, public, question):
    open_online_booking(world)
    slot = world.slot(day=2)
    response = public.post(_public_url(world, "public_eligibility"), {f"q{question.pk}": "yes"})
    assert response["Location"] == _public_url(world, "public_times")
    response = public.get(_public_url(world, "public_times"))
    assert response.status_code == 200
    assert response.context["days"] == [timezone.localtime(slot.starts_at).date()]
    # Answering "no" later closes the way again.
    public.post(_public_url(world, "public_eligibility"), {f"q{question.pk}": "no"})
    assert public.get(_public_url(world, "public_times")).status_code == 302


# Times -----------------------------------------------------------------------------------------------------


def test_the_times_offered_leave_out_locked_full_past_and_far_slots(world, public):
    open_online_booking(world, days_shown=5)
    open_slot = world.slot(day=2, start=9, end=10, per_interval=1)
    world.slot(day=3, locked=True)
    world.slot(day=7)
    book_person(world, open_slot)  # 9:00 is full
    response = public.get(
        _public_url(world, "public_times"),
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
    response = public.post(_public_url(world, "public_times"), {"time": value})
    assert response.status_code == 200
    assert "available" in " ".join(response.context["form"].errors["time"])
    # Nothing chosen: the details page sends back to the times.
    response = public.post(_public_url(world, "public_details"), PERSON)
    assert response.status_code == 302
    assert response["Location"] == _public_url(world, "public_times")
    assert not Appointment.objects.exists()


def test_a_locked_slot_cannot_be_chosen_online(world, public):
    open_online_booking(world)
    slot = world.slot(day=2, locked=True)
    response = public.post(_public_url(world, "public_times"), {"time": time_value(slot, slot.starts_at)})
    assert response.status_code == 200
    assert "no longer available" in " ".join(response.context["form"].errors["time"])


def test_a_time_taken_meanwhile_sends_back_to_the_times_with_a_message(world, public):
    open_online_booking(world)
    slot = world.slot(day=2, per_interval=1)
    details = _choose_time(public, world, slot)
    book_person(world, slot, name=("Marc", "Roy"))  # someone else is faster
    response = public.post(details, PERSON)
    assert response.status_code == 302
    assert response["Location"] == _public_url(world, "public_times")
    assert "no longer available" in _messages(response)
    assert Appointment.objects.count() == 1


def test_a_time_whose_slot_was_deleted_meanwhile_sends_back_to_the_times(world, public):
    open_online_booking(world)
    slot = world.slot(day=2)
    details = _choose_time(public, world, slot)
    schedules_services.delete_slot(slot=slot)
    response = public.post(details, PERSON)
    assert response.status_code == 302
    assert response["Location"] == _public_url(world, "public_times")
    assert not Appointment.objects.exists()


def test_online_booking_closed_meanwhile_books_nothing(world, public):
    clinic_settings = open_online_booking(world)
    slot = world.slot(day=2)
    details = _choose_time(public, world, slot)
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
        response = _book_online(public, world, slot, at=world.at(2, 9, 30))
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
        _book_online(public, world, slot, first_name="Anne", mobile_phone="506 555 0123")
    assert sms.outbox == []  # a number without the choice
    with django_capture_on_commit_callbacks(execute=True):
        response = _book_online(
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
    response = _book_online(public, world, world.slot(day=2), send_sms="on")
    assert response.status_code == 200
    assert "mobile_phone" in response.context["form"].errors
    assert not Appointment.objects.exists()


def test_the_consent_is_required(world, public):
    open_online_booking(world)
    response = _book_online(public, world, world.slot(day=2), accept_terms="")
    assert response.status_code == 200
    assert "accept_terms" in response.context["form"].errors
    assert not Appointment.objects.exists()


def test_the_confirmation_page_is_only_for_the_session_that_booked(world, public):
    open_online_booking(world)
    response = _book_online(public, world, world.slot(day=2))
    confirmation = response["Location"]
    assert public.get(confirmation).status_code == 200
    assert Client().get(confirmation).status_code == 404
    assert verified_client(world.manager1).get(confirmation).status_code == 404
    other_clinic = confirmation.replace(f"/public/{world.clinic.pk}/", f"/public/{world.other_clinic.pk}/")
    assert public.get(other_clinic).status_code == 404


def test_the_same_person_cannot_book_the_service_twice_online(world, public):
    open_online_booking(world)
    slot = world.slot(day=2, per_interval=3)
    _book_online(public, world, slot)
    response = _book_online(
        Client(HTTP_ACCEPT_LANGUAGE="en"), world, slot, first_name=" anne ", last_name="ROY"
    )
    assert response.status_code == 200
    assert "already has an appointment for this service" in _messages(response)
    assert Appointment.objects.count() == 1


def test_booking_for_someone_else_is_recorded(world, public):
    open_online_booking(world)
    _book_online(public, world, world.slot(day=2), for_someone_else="on", first_name="Léo")
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
    assert "cancelled" in _messages(response)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    cancelled_at = appointment.cancelled_at
    # Cancelling again: a clear message, nothing changes.
    response = public.post(_manage(appointment), {"action": "cancel"})
    assert response.status_code == 302
    assert "already cancelled" in _messages(response)
    appointment.refresh_from_db()
    assert appointment.cancelled_at == cancelled_at
    response = public.post(_manage(appointment), {"action": "confirm"})
    assert "cannot be confirmed" in _messages(response)
    page = public.get(_manage(appointment)).content.decode()
    assert 'value="cancel"' not in page and 'value="confirm"' not in page


def test_a_past_appointment_is_not_cancelled_by_its_link(world, public):
    appointment = book_person(world, world.slot(day=2))
    Appointment.objects.filter(pk=appointment.pk).update(starts_at=world.at(-1, 9))
    response = public.post(_manage(appointment), {"action": "cancel"})
    assert "has passed" in _messages(response)
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


def _cancel(client, world, number, last_name):
    return client.post(
        reverse("appointments:public_cancel", args=[world.clinic.pk]),
        {"number": number, "last_name": last_name},
    )


def test_cancelling_by_number_and_last_name(world, public, django_capture_on_commit_callbacks, mailoutbox):
    appointment = book_person(world, world.slot(day=2), email="anne@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        response = _cancel(public, world, f" #{appointment.number.lower()} ", "  roy")
    assert response.status_code == 302
    assert appointment.number in _messages(response)
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


# Staff booking -----------------------------------------------------------------------------------------------


def _book_url(world, slot, service=None, **extra):
    query = {
        "service": (service or world.first).pk,
        "location": slot.location.pk,
        "date": timezone.localtime(slot.starts_at).date().isoformat(),
        **extra,
    }
    return reverse("appointments:book") + "?" + "&".join(f"{key}={value}" for key, value in query.items())


def _staff_person(**changes):
    return {"first_name": "Anne", "last_name": "Roy", "date_of_birth": "1980-01-02", **changes}


@pytest.mark.parametrize("key", ["manager1", "manager2"])
def test_management_1_and_2_book_any_teams_slot_even_locked(world, key):
    client = _client(world, key)
    locked = world.slot(day=2, team=world.team_b, locked=True)
    url = _book_url(world, locked, service=world.second)
    response = client.get(url)
    assert response.status_code == 200
    assert [moment for _value, _slot, moment, _left in response.context["times"]][0] == locked.starts_at
    response = client.post(
        url,
        _staff_person(time=time_value(locked, locked.starts_at), email="anne@example.com", send_email="on"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    appointment = Appointment.objects.get()
    assert response["Location"] == reverse("appointments:appointment", args=[appointment.pk])
    assert (appointment.booked_online, appointment.created_by, appointment.send_email) == (
        False,
        getattr(world, key),
        True,
    )
    assert client.get(response["Location"]).status_code == 200


def test_management_3_books_only_its_teams_slots(world):
    client = _client(world, "manager3")
    own = world.slot(day=2)  # team A: manager3 is a member
    foreign = world.slot(day=2, team=world.team_b)
    response = client.get(_book_url(world, own))
    assert {slot for _value, slot, _moment, _left in response.context["times"]} == {own}
    response = client.get(_book_url(world, foreign, service=world.second))
    assert response.context["times"] == []
    response = client.post(
        _book_url(world, foreign, service=world.second),
        _staff_person(time=time_value(foreign, foreign.starts_at)),
    )
    assert response.status_code == 200
    assert "not available" in " ".join(response.context["time_form"].errors["time"])
    assert not Appointment.objects.exists()
    response = client.post(_book_url(world, own), _staff_person(time=time_value(own, own.starts_at)))
    assert response.status_code == 302
    assert Appointment.objects.get().slot == own


@pytest.mark.parametrize("key", ["consult1", "consult2", "pilot"])
def test_roles_that_do_not_book_get_403(world, key):
    client = _client(world, key)
    slot = world.slot(day=2)
    assert client.get(reverse("appointments:book")).status_code == 403
    assert (
        client.post(_book_url(world, slot), _staff_person(time=time_value(slot, slot.starts_at))).status_code
        == 403
    )
    assert not Appointment.objects.exists()


def test_a_staff_booking_on_a_full_time_is_refused_next_to_the_time(world, manager):
    slot = world.slot(day=2, per_interval=1)
    book_person(world, slot, name=("Marc", "Roy"))
    response = manager.post(_book_url(world, slot), _staff_person(time=time_value(slot, slot.starts_at)))
    assert response.status_code == 200
    assert "no longer available" in " ".join(response.context["time_form"].errors["time"])
    assert Appointment.objects.count() == 1


def test_a_staff_booking_of_someone_holding_the_service_names_the_appointment(world, manager):
    slot = world.slot(day=2, per_interval=3)
    held = book_person(world, slot)
    response = manager.post(_book_url(world, slot), _staff_person(time=time_value(slot, slot.starts_at)))
    assert response.status_code == 200
    assert held.number in _messages(response)
    assert Appointment.objects.count() == 1


def test_a_new_appointment_for_the_same_person_is_prefilled(world, manager):
    source = book_person(world, world.slot(day=2), email="anne@example.com", mobile_phone="+15065550123")
    second = world.slot(day=30, team=world.team_b)
    url = _book_url(world, second, service=world.second, **{"from": source.pk})
    response = manager.get(url)
    assert response.status_code == 200
    person = response.context["person"]
    assert (person["first_name"].value(), person["last_name"].value(), person["email"].value()) == (
        "Anne",
        "Roy",
        "anne@example.com",
    )
    assert str(person["date_of_birth"].value()) == "1980-01-02"
    content = response.content.decode()
    assert 'value="anne@example.com"' in content and f'name="from" value="{source.pk}"' in content
    # Another clinic's appointment is not a source.
    assert manager.get(reverse("appointments:book") + "?from=999999").status_code == 404


# Staff changes -----------------------------------------------------------------------------------------------


def _edit(appointment):
    return reverse("appointments:appointment_edit", args=[appointment.pk])


def _edit_data(appointment, **changes):
    return {
        "first_name": appointment.first_name,
        "last_name": appointment.last_name,
        "date_of_birth": appointment.date_of_birth.isoformat() if appointment.date_of_birth else "",
        "email": appointment.email,
        "comment": appointment.comment,
        **changes,
    }


def test_an_upcoming_appointment_is_moved_to_a_time_with_room(world, manager):
    slot = world.slot(day=2, per_interval=1)
    appointment = book_person(world, slot)
    book_person(world, slot, at=world.at(2, 9, 15), name=("Marc", "Roy"))
    response = manager.get(_edit(appointment))
    assert response.status_code == 200
    offered = [moment for _value, _slot, moment, _left in response.context["times"]]
    assert world.at(2, 9) in offered and world.at(2, 9, 15) not in offered
    # A full time is refused next to the time, nothing changes.
    response = manager.post(
        _edit(appointment), _edit_data(appointment, time=time_value(slot, world.at(2, 9, 15)), comment="x")
    )
    assert response.status_code == 200
    assert "no longer available" in " ".join(response.context["time_form"].errors["time"])
    appointment.refresh_from_db()
    assert (appointment.starts_at, appointment.comment) == (world.at(2, 9), "")
    response = manager.post(
        _edit(appointment),
        _edit_data(appointment, time=time_value(slot, world.at(2, 9, 30)), comment="Moved"),
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.starts_at, appointment.comment) == (world.at(2, 9, 30), "Moved")


def test_an_upcoming_appointment_moves_to_another_day_and_location(world, manager):
    appointment = book_person(world, world.slot(day=2))
    other = world.slot(day=4, team=world.team_c, location=world.location_b)
    query = (
        f"?service={world.first.pk}&location={world.location_b.pk}"
        f"&date={timezone.localtime(other.starts_at).date().isoformat()}"
    )
    response = manager.post(
        _edit(appointment) + query, _edit_data(appointment, time=time_value(other, other.starts_at))
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.slot, appointment.starts_at) == (other, other.starts_at)


@pytest.mark.parametrize("state", ["past", "cancelled"])
def test_a_past_or_cancelled_appointment_changes_only_its_comment_and_details(world, manager, state):
    slot = world.slot(day=2)
    appointment = book_person(world, slot)
    if state == "past":
        Appointment.objects.filter(pk=appointment.pk).update(starts_at=world.at(-3, 9))
    else:
        follow_up_services.cancel_appointment(actor=world.manager1, appointment=appointment)
    appointment.refresh_from_db()
    starts_at = appointment.starts_at
    response = manager.get(_edit(appointment))
    assert response.status_code == 200
    assert response.context["movable"] is False and response.context["times"] == []
    assert 'name="time"' not in response.content.decode()
    other = world.slot(day=3)
    response = manager.post(
        _edit(appointment),
        _edit_data(
            appointment,
            comment="Called back",
            email="anne@example.com",
            time=time_value(other, other.starts_at),
        ),
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.comment, appointment.email) == ("Called back", "anne@example.com")
    assert (appointment.slot, appointment.starts_at) == (slot, starts_at)


def test_management_3_does_not_edit_another_teams_appointment(world):
    appointment = book_person(world, world.slot(day=2, team=world.team_b))
    client = _client(world, "manager3")
    assert client.get(_edit(appointment)).status_code == 404
    assert client.get(reverse("appointments:appointment", args=[appointment.pk])).status_code == 404
    assert _client(world, "consult1").get(_edit(appointment)).status_code == 403


# Batch actions -------------------------------------------------------------------------------------------------


def _batch(client, action, appointments, *, confirmed=True):
    data = {"action": action, "selected": [appointment.pk for appointment in appointments]}
    if confirmed:
        data["confirmed"] = "1"
    return client.post(reverse("appointments:follow_up_batch"), data)


BATCH_RESULTS = {
    "present": ("attendance", Attendance.PRESENT),
    "absent": ("attendance", Attendance.ABSENT),
    "not_eligible": ("attendance", Attendance.NOT_ELIGIBLE),
    "confirm": ("status", AppointmentStatus.CONFIRMED),
    "cancel": ("status", AppointmentStatus.CANCELLED),
    "reminder": ("reminders", 1),
    "relaunch": ("relaunches", 1),
}


@pytest.mark.parametrize("action", list(BATCH_RESULTS))
def test_a_batch_action_asks_for_confirmation_then_applies_once(world, manager, action):
    slot = world.slot(day=2, per_interval=3)
    chosen = [
        book_person(world, slot, name=(name, "Roy"), email=f"{name.lower()}@example.com")
        for name in ("Anne", "Marc")
    ]
    if action == "relaunch":
        for appointment in chosen:
            follow_up_services.mark_attendance(
                actor=world.manager1, appointment=appointment, attendance=Attendance.ABSENT
            )
    field, value = BATCH_RESULTS[action]
    before = list(Appointment.objects.order_by("pk").values_list(field, flat=True))
    response = _batch(manager, action, chosen, confirmed=False)
    assert response.status_code == 200
    assert [appointment.pk for appointment in response.context["appointments"]] == [a.pk for a in chosen]
    assert 'name="confirmed" value="1"' in response.content.decode()
    assert list(Appointment.objects.order_by("pk").values_list(field, flat=True)) == before
    response = _batch(manager, action, chosen)
    assert response.status_code == 302
    assert "2 appointments done" in _messages(response)
    assert list(Appointment.objects.order_by("pk").values_list(field, flat=True)) == [value, value]
    # Again: a no-op, or a clear refusal for each appointment.
    response = _batch(manager, action, chosen)
    if action == "cancel":
        assert _messages(response).count("already cancelled") == 2
    if action in ("reminder", "relaunch"):
        value += 1  # a reminder or relaunch asked again is sent again, and counted
    assert list(Appointment.objects.order_by("pk").values_list(field, flat=True)) == [value, value]


def test_a_batch_leaves_other_clinics_and_other_teams_appointments_untouched(world):
    mine = book_person(world, world.slot(day=2))  # team A
    other_team = book_person(world, world.slot(day=2, team=world.team_b), name=("Marc", "Roy"))
    foreign = Appointment.objects.create(
        organization=world.other_clinic,
        slot=world.slot(day=3),
        service=world.other_service,
        starts_at=world.at(3, 9),
        number="OTHER1",
        first_name="X",
        last_name="Y",
    )
    client = _client(world, "manager3")
    response = _batch(client, "present", [mine, other_team, foreign])
    assert response.status_code == 302
    for appointment, expected in ((mine, "present"), (other_team, "undefined"), (foreign, "undefined")):
        appointment.refresh_from_db()
        assert appointment.attendance == expected
    # Nothing of theirs only: nothing done, a clear message.
    response = _batch(client, "cancel", [other_team, foreign])
    assert "Select at least one appointment" in _messages(response)
    other_team.refresh_from_db()
    assert other_team.status == AppointmentStatus.BOOKED


@pytest.mark.parametrize("key", ["consult1", "consult2", "pilot"])
def test_roles_that_do_not_book_cannot_apply_batch_actions(world, key):
    appointment = book_person(world, world.slot(day=2))
    assert _batch(_client(world, key), "cancel", [appointment]).status_code == 403
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_an_unknown_batch_action_changes_nothing(world, manager):
    appointment = book_person(world, world.slot(day=2))
    response = _batch(manager, "delete", [appointment])
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


# Follow-up list ------------------------------------------------------------------------------------------------


def _follow_up(client, **query):
    return search(client, reverse("appointments:follow_up"), query)


def _rows(response):
    return [appointment.number for appointment in response.context["rows"]]


def _day(offset):
    return (timezone.localdate() + timedelta(days=offset)).isoformat()


def test_the_list_with_and_without_cancellations(world, manager):
    slot = world.slot(day=2, per_interval=2)
    kept = book_person(world, slot)
    cancelled = book_person(world, slot, name=("Marc", "Roy"))
    follow_up_services.cancel_appointment(actor=world.manager1, appointment=cancelled)
    assert _rows(_follow_up(manager, date=_day(2))) == [kept.number]
    response = _follow_up(manager, date=_day(2), report="all")
    assert _rows(response) == [kept.number, cancelled.number]
    assert "row--cancelled" in response.content.decode()


@pytest.mark.parametrize(("period", "count"), [("day", 1), ("week", 2), ("month", 3), ("quarter", 4)])
def test_the_list_by_day_week_month_and_three_months(world, manager, period, count):
    # A Wednesday far enough ahead that its week, month and quarter are all in the future.
    base = timezone.localdate() + timedelta(days=120)
    base = base.replace(day=1) + timedelta(days=40)
    base -= timedelta(days=base.weekday() - 2)
    offsets = {
        "day": base,
        "week": base + timedelta(days=1),  # Thursday
        "month": base.replace(day=28) if base.day < 25 else base.replace(day=1),
        "quarter": (base.replace(day=1) + timedelta(days=45)).replace(day=10),
    }
    for name, day in offsets.items():
        offset = (day - timezone.localdate()).days
        book_person(world, world.slot(day=offset), name=(name, "Roy"))
    response = _follow_up(manager, date=base.isoformat(), period=period)
    assert response.context["total"] == count


def test_the_list_filters_by_service_location_and_resource(world, manager):
    in_a = book_person(world, world.slot(day=2))
    in_b = book_person(world, world.slot(day=2, team=world.team_b), name=("Marc", "Roy"))
    in_c = book_person(
        world, world.slot(day=2, team=world.team_c, location=world.location_b), name=("Luc", "Roy")
    )
    assert set(_rows(_follow_up(manager, date=_day(2)))) == {in_a.number, in_b.number, in_c.number}
    assert _rows(_follow_up(manager, date=_day(2), services=world.second.pk)) == [in_b.number]
    assert _rows(_follow_up(manager, date=_day(2), locations=world.location_b.pk)) == [in_c.number]
    assert set(_rows(_follow_up(manager, date=_day(2), resources=[world.team_a.pk, world.team_c.pk]))) == {
        in_a.number,
        in_c.number,
    }


def test_the_view_types_show_availabilities_appointments_or_both(world, manager):
    slot = world.slot(day=2, per_interval=1)
    appointment = book_person(world, slot)
    response = _follow_up(manager, date=_day(2), view_type="availabilities")
    assert response.context["rows"] == []
    free = [moment for moment, _slot, _service, _left in response.context["availabilities"]]
    assert free == [world.at(2, 9, 15), world.at(2, 9, 30), world.at(2, 9, 45)]
    response = _follow_up(manager, date=_day(2), view_type="both")
    assert _rows(response) == [appointment.number] and len(response.context["availabilities"]) == 3
    response = _follow_up(manager, date=_day(2))
    assert response.context["availabilities"] == []


def test_the_advanced_search_crosses_first_name_and_date_of_birth(world, manager):
    slot = world.slot(day=2, per_interval=5)
    anne = book_person(world, slot, name=("Anne", "Roy"), born="1980-01-02")
    book_person(world, slot, name=("Anne", "Roy"), born="1990-01-02")
    book_person(world, slot, name=("Marc", "Roy"), born="1980-01-02")
    response = _follow_up(manager, date=_day(2), first_name="anne", date_of_birth="1980-01-02")
    assert _rows(response) == [anne.number]
    assert len(_rows(_follow_up(manager, date=_day(2), last_name="roy"))) == 3
    assert _rows(_follow_up(manager, date=_day(2), first_name="anne", date_of_birth="1970-01-01")) == []


def test_the_number_search_finds_an_appointment_on_any_day(world, manager):
    appointment = book_person(world, world.slot(day=40))
    response = _follow_up(manager, number=f" #{appointment.number.lower()}")
    assert _rows(response) == [appointment.number]
    assert _rows(_follow_up(manager, number="ZZZZZZ")) == []
    # Another clinic's number is not found.
    foreign = Appointment.objects.create(
        organization=world.other_clinic,
        slot=world.slot(day=3),
        service=world.other_service,
        starts_at=world.at(3, 9),
        number="OTHER1",
        first_name="X",
        last_name="Y",
    )
    assert _rows(_follow_up(manager, number=foreign.number)) == []


def test_the_columns_chosen_are_remembered_per_person(world, manager):
    book_person(world, world.slot(day=2), email="anne@example.com")
    response = manager.post(
        reverse("appointments:follow_up_columns"),
        {
            "columns": ["number", "email", "status"],
            "next": reverse("appointments:follow_up") + f"?date={_day(2)}",
        },
    )
    assert response.status_code == 302
    assert ListPreference.objects.get(user=world.manager1).columns == ["number", "email", "status"]
    response = _follow_up(manager, date=_day(2))
    assert response.context["columns"] == ["number", "email", "status"]
    assert "anne@example.com" in response.content.decode()
    other = _client(world, "manager2")
    assert "email" not in _follow_up(other, date=_day(2)).context["columns"]
    # An empty choice is refused and keeps the saved columns.
    response = manager.post(reverse("appointments:follow_up_columns"), {})
    assert "at least one column" in _messages(response)
    assert ListPreference.objects.get(user=world.manager1).columns == ["number", "email", "status"]


def _add_appointments(world, slot, count, *, start=0):
    Appointment.objects.bulk_create(
        [
            Appointment(
                organization=world.clinic,
                slot=slot,
                service=world.first,
                starts_at=slot.starts_at,
                number=f"T{start + index:05d}",
                first_name=f"P{start + index}",
                last_name="Roy",
                token=f"token-{slot.pk}-{start + index}",
            )
            for index in range(count)
        ]
    )


def test_the_print_view_shows_100_rows_a_page(world, manager):
    slot = world.slot(day=2, per_interval=200)
    _add_appointments(world, slot, 150)
    response = _follow_up(manager, date=_day(2), print="1")
    assert response.status_code == 200
    assert [template.name for template in response.templates][0] == "appointments/follow_up_print.html"
    assert len(response.context["rows"]) == 100
    assert (response.context["total"], response.context["pages"]) == (150, 2)
    assert response.content.decode().count("<tr>") == 101  # the header and 100 rows
    response = _follow_up(manager, date=_day(2), print="1", page="2")
    assert len(response.context["rows"]) == 50


def test_the_list_costs_the_same_queries_for_one_or_fifty_appointments(world, manager):
    slot = world.slot(day=2, per_interval=100)
    added = []

    def add_rows(count):
        _add_appointments(world, slot, count, start=len(added))
        added.extend(range(count))

    # Every column, so that every cell's data is counted.
    ListPreference.objects.create(user=world.manager1, columns=[code for code, _label in FOLLOW_UP_COLUMNS])
    assert_constant_queries(
        manager, reverse("appointments:follow_up") + f"?date={_day(2)}&view_type=both", add_rows
    )


def test_the_excel_export_is_emailed_to_the_person_who_asked(
    world, manager, django_capture_on_commit_callbacks, mailoutbox
):
    slot = world.slot(day=2, per_interval=3)
    anne = book_person(world, slot, email="anne@example.com")
    cancelled = book_person(world, slot, name=("Marc", "Roy"))
    follow_up_services.cancel_appointment(actor=world.manager1, appointment=cancelled)
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(
            reverse("appointments:follow_up_export"),
            {"date": _day(2), "period": "day", "services": [world.first.pk]},
        )
    assert response.status_code == 302
    assert "sent to your mailbox" in _messages(response)
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == [world.manager1.email]
    ((name, content, mimetype),) = email.attachments
    assert name.endswith(".xlsx") and "spreadsheetml" in mimetype
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2  # the headers and Anne (the cancellation is left out)
    assert rows[0][10] == "Confirmation number"
    assert rows[1][5:11] == ("Anne", "Roy", rows[1][7], None, "anne@example.com", anne.number)
    assert Message.objects.filter(channel=Channel.EMAIL, key__startswith="portal:export:").count() == 1


def test_the_export_holds_only_what_the_role_sees(world, django_capture_on_commit_callbacks, mailoutbox):
    book_person(world, world.slot(day=2))
    hidden = book_person(world, world.slot(day=2, team=world.team_b), name=("Marc", "Roy"))
    client = _client(world, "manager3")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("appointments:follow_up_export"), {"date": _day(2)})
    ((_name, content, _mimetype),) = mailoutbox[0].attachments
    numbers = [row[10] for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]
    assert len(numbers) == 2 and hidden.number not in numbers


# Statistics --------------------------------------------------------------------------------------------------


def test_the_statistics_are_for_the_pilot_only(world):
    for key in ("manager1", "manager2", "manager3", "consult1", "consult2"):
        client = _client(world, key)
        assert client.get(reverse("appointments:statistics")).status_code == 403
        assert client.post(reverse("appointments:statistics_export")).status_code == 403
    assert _client(world, "pilot").get(reverse("appointments:statistics")).status_code == 200


def test_the_statistics_count_bookings_cancellations_presences_absences(world):
    slot = world.slot(day=2, per_interval=5)
    present = book_person(world, slot, name=("Anne", "Roy"))
    absent = book_person(world, slot, name=("Marc", "Roy"))
    cancelled = book_person(world, slot, name=("Luc", "Roy"))
    book_person(world, world.slot(day=3, team=world.team_c, location=world.location_b), service=world.second)
    follow_up_services.mark_attendance(
        actor=world.manager1, appointment=present, attendance=Attendance.PRESENT
    )
    follow_up_services.mark_attendance(actor=world.manager1, appointment=absent, attendance=Attendance.ABSENT)
    follow_up_services.cancel_appointment(actor=world.manager1, appointment=cancelled)
    response = _client(world, "pilot").get(
        reverse("appointments:statistics"), {"first_day": _day(0), "last_day": _day(7)}
    )
    data = response.context["data"]
    assert data["totals"] == {"bookings": 4, "cancellations": 1, "presences": 1, "absences": 1, "no_shows": 0}
    assert [(row["label"], row["bookings"]) for row in data["by_location"]] == [("Lieu A", 3), ("Lieu B", 1)]
    assert sorted(row["bookings"] for row in data["by_service"]) == [1, 3]
    assert [row["bookings"] for row in data["by_day"]] == [3, 1]
    assert "Lieu B" in response.content.decode()


def test_the_statistics_export_is_emailed(world, django_capture_on_commit_callbacks, mailoutbox):
    book_person(world, world.slot(day=2))
    pilot = _client(world, "pilot")
    with django_capture_on_commit_callbacks(execute=True):
        response = pilot.post(
            reverse("appointments:statistics_export"), {"first_day": _day(0), "last_day": _day(7)}
        )
    assert response.status_code == 302
    ((name, content, _mimetype),) = mailoutbox[0].attachments
    assert name.endswith(".xlsx")
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Grouped by", "Value", "Bookings")
    assert ("Location", "Lieu A", 1, 0, 0, 0, 0) in rows
    assert ("Day", _day(2), 1, 0, 0, 0, 0) in rows


@pytest.mark.parametrize(("first", "last"), [(7, 0), (-400, 7), ("x", 7)])
def test_a_statistics_export_for_a_bad_period_is_refused_with_a_message(
    world, django_capture_on_commit_callbacks, mailoutbox, first, last
):
    pilot = _client(world, "pilot")
    with django_capture_on_commit_callbacks(execute=True):
        response = pilot.post(
            reverse("appointments:statistics_export"),
            {"first_day": _day(first) if isinstance(first, int) else first, "last_day": _day(last)},
        )
    assert response.status_code == 302
    assert "sent to your mailbox" not in _messages(response)
    assert any(
        words in _messages(response) for words in ("cannot be before", "one year at most", "valid date")
    )
    assert mailoutbox == []
    assert not Export.objects.exists()


def test_the_details_sent_twice_book_once(world, public):
    open_online_booking(world)
    slot = world.slot(day=2, per_interval=3)
    details = _choose_time(public, world, slot)
    assert public.post(details, PERSON).status_code == 302
    response = public.post(details, PERSON)
    assert response.status_code == 302
    assert response["Location"] == _public_url(world, "public_times")
    assert Appointment.objects.count() == 1


def test_changing_the_service_on_the_edit_page_keeps_a_slot_that_offers_it(world, manager):
    slot = world.slot(day=2)  # team A: first dose only
    appointment = book_person(world, slot)
    query = f"?service={world.second.pk}&location={world.location_a.pk}&date={_day(2)}"
    response = manager.post(
        _edit(appointment) + query, _edit_data(appointment, time=time_value(slot, slot.starts_at))
    )
    assert response.status_code == 200
    assert "does not offer" in " ".join(response.context["time_form"].errors["time"])
    appointment.refresh_from_db()
    assert appointment.service == world.first


def test_another_clinics_service_or_location_is_not_a_public_step(world, public):
    open_online_booking(world)
    for service, location in [(world.other_service, world.location_a), (world.first, world.other_location)]:
        for name in ("public_eligibility", "public_times", "public_details"):
            assert public.get(_public_url(world, name, service, location)).status_code == 404
    # A location whose teams do not offer the service is not a step either.
    assert public.get(_public_url(world, "public_times", world.second, world.location_b)).status_code == 200
    world.team_c.services.set([world.first])
    assert public.get(_public_url(world, "public_times", world.second, world.location_b)).status_code == 404
