"""Issue 20, both doses as a pair: a first dose whose service has a minimum interval offers the
campaign's second dose from its confirmation (page and email) and from the staff appointment page;
the person's details are reused (a signed token, nothing personal in the link); `book_place` refuses
a second dose before the first dose's day plus the interval. The date arithmetic at fixed instants."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation

from appointments.booking import services as booking_services
from appointments.booking import views_form
from appointments.configuration import services as configuration_services
from appointments.configuration.forms import ServiceForm
from appointments.models import Appointment, AppointmentStatus, Dose, Service
from appointments.tests.conftest import book_person, open_online_booking
from appointments.tests.helpers import book_online, client_for, messages_text
from portal.models import Message
from portal.workflow import ActionError

pytestmark = pytest.mark.django_db

MONCTON = ZoneInfo("America/Moncton")
# 2026-12-03 10:00 in Moncton: the first dose is tomorrow, 2026-12-04; + 28 days = 2027-01-01.
NOW = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)


def _either(text, *choices):
    """The English text or its French (the catalogue gets the French of new strings later)."""
    assert any(choice in text for choice in choices), (choices, text[:3000])


@pytest.fixture(autouse=True)
def fresh_blank_forms():
    views_form._BLANK_FORMS.clear()
    yield
    views_form._BLANK_FORMS.clear()


def _pair(world, days=28):
    world.first.minimum_interval_days = days
    world.first.save()
    open_online_booking(world, days_shown=14)


def _second_slot(world, day=29, **values):
    # Team B offers the second dose at location A.
    return world.slot(day=day, team=world.team_b, location=world.location_a, **values)


def _first_online(client, world):
    response = book_online(client, world, world.slot(day=1), send_email="on")
    assert response.status_code == 302, response.content.decode()[:2000]
    return Appointment.objects.get(service=world.first)


def _second_dose_url(appointment):
    return reverse(
        "appointments:public_second_dose",
        args=[appointment.organization_id, booking_services.second_dose_token(appointment)],
    )


# The date arithmetic ---------------------------------------------------------------------------------


def _earliest(world, local_moment, days):
    world.first.minimum_interval_days = days
    first = Appointment(service=world.first, starts_at=local_moment)
    return booking_services.second_dose_earliest(first)


@pytest.mark.parametrize(
    ("first", "days", "expected"),
    [
        # 31 January + 28 days: 28 February (no month arithmetic that would clamp or overflow).
        (datetime(2027, 1, 31, 10, 0, tzinfo=MONCTON), 28, date(2027, 2, 28)),
        # The leap day.
        (datetime(2028, 2, 1, 10, 0, tzinfo=MONCTON), 28, date(2028, 2, 29)),
        # Across the spring-forward change (2027-03-14 in Moncton): a calendar day, not 24 hours.
        (datetime(2027, 2, 14, 10, 0, tzinfo=MONCTON), 28, date(2027, 3, 14)),
        (datetime(2027, 3, 13, 23, 30, tzinfo=MONCTON), 1, date(2027, 3, 14)),
        (datetime(2027, 3, 14, 12, 0, tzinfo=MONCTON), 1, date(2027, 3, 15)),
        # A first dose at 21:00 local is the next day in UTC: the local day counts.
        (datetime(2027, 1, 31, 21, 0, tzinfo=MONCTON), 28, date(2027, 2, 28)),
    ],
)
def test_the_second_dose_starts_the_local_day_the_interval_gives(world, first, days, expected):
    with time_machine.travel(datetime(2026, 12, 3, 14, 0, tzinfo=UTC), tick=False):
        earliest = _earliest(world, first, days)
    local = earliest.astimezone(MONCTON)
    assert (local.date(), local.hour, local.minute) == (expected, 0, 0)
    assert earliest == datetime(expected.year, expected.month, expected.day, tzinfo=MONCTON)


def test_the_dst_day_starts_at_local_midnight_with_its_winter_offset(world):
    earliest = _earliest(world, datetime(2027, 2, 14, 10, 0, tzinfo=MONCTON), 28)
    assert earliest.utcoffset() == timedelta(hours=-4)
    assert earliest.astimezone(UTC) == datetime(2027, 3, 14, 4, 0, tzinfo=UTC)


def test_a_service_without_interval_or_not_a_first_dose_offers_no_pair(world):
    assert booking_services.second_dose_service(world.first) is None
    world.first.minimum_interval_days = 28
    assert booking_services.second_dose_service(world.first) == world.second
    assert booking_services.second_dose_service(world.second) is None
    world.second.is_active = False
    world.second.save()
    assert booking_services.second_dose_service(world.first) is None


# book_place ------------------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_book_place_books_the_second_dose_with_the_first_doses_details(world):
    _pair(world)
    first = book_person(world, world.slot(day=1), email="anne@example.com", send_email=True)
    slot = _second_slot(world)
    second = booking_services.book_place(
        actor=None,
        slot=slot,
        service=world.second,
        starts_at=slot.starts_at,
        online=True,
        **booking_services.second_dose_values(first),
    )
    assert (second.service, second.first_name, second.last_name, second.date_of_birth, second.email) == (
        world.second,
        "Anne",
        "Roy",
        first.date_of_birth,
        "anne@example.com",
    )
    assert second.person_key == first.person_key


@time_machine.travel(NOW, tick=False)
def test_book_place_refuses_a_second_dose_before_the_interval_and_saves_nothing(world):
    _pair(world)
    first = book_person(world, world.slot(day=1))
    early = _second_slot(world, day=20)
    with translation.override("en"), pytest.raises(ActionError) as refused:
        booking_services.book_place(
            actor=world.manager1,
            slot=early,
            service=world.second,
            starts_at=early.starts_at,
            **booking_services.second_dose_values(first),
        )
    assert "cannot take place before Friday 1 January 2027, 28 days after the first dose" in " ".join(
        refused.value.messages
    )
    assert refused.value.code == "time_gone"
    assert not Appointment.objects.filter(service=world.second).exists()


@time_machine.travel(NOW, tick=False)
def test_a_first_dose_moved_later_moves_the_second_doses_earliest_day(world):
    _pair(world)
    first = book_person(world, world.slot(day=1))
    slot = _second_slot(world)
    # The first dose was moved five days later after the link was sent: its new day counts.
    Appointment.objects.filter(pk=first.pk).update(starts_at=first.starts_at + timedelta(days=5))
    with translation.override("fr"), pytest.raises(ActionError) as refused:
        booking_services.book_place(
            actor=None,
            slot=slot,
            service=world.second,
            starts_at=slot.starts_at,
            online=True,
            **booking_services.second_dose_values(first),
        )
    assert "mercredi 6 janvier 2027" in " ".join(refused.value.messages)


@time_machine.travel(NOW, tick=False)
def test_a_cancelled_first_dose_books_no_second_dose_and_a_second_one_is_a_duplicate(world):
    _pair(world)
    first = book_person(world, world.slot(day=1))
    slot = _second_slot(world, per_interval=3)
    values = booking_services.second_dose_values(first)
    booking_services.book_place(
        actor=None, slot=slot, service=world.second, starts_at=slot.starts_at, **values
    )
    with pytest.raises(ActionError):  # one active appointment per person and service
        booking_services.book_place(
            actor=None, slot=slot, service=world.second, starts_at=slot.starts_at, **values
        )
    Appointment.objects.filter(pk=first.pk).update(status=AppointmentStatus.CANCELLED)
    Appointment.objects.filter(service=world.second).update(status=AppointmentStatus.CANCELLED)
    with pytest.raises(ActionError):
        booking_services.book_place(
            actor=None, slot=slot, service=world.second, starts_at=slot.starts_at, **values
        )
    assert Appointment.objects.filter(service=world.second).count() == 1


# The public path -------------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_confirmation_and_its_email_offer_the_second_dose(world, language):
    _pair(world)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    first = _first_online(client, world)
    page = client.get(reverse("appointments:public_confirmation", args=[world.clinic.pk, first.number]))
    text = page.content.decode()
    _either(text, "Book my second dose", "Prendre rendez-vous pour ma 2e dose")
    assert f'href="{_second_dose_url(first)}"' in text
    _either(text, "Friday 1 January 2027", "vendredi 1er janvier 2027")
    # Nothing personal in the link: a signed id only.
    assert "Anne" not in _second_dose_url(first) and "anne" not in _second_dose_url(first)
    message = Message.objects.get(key__startswith=f"appointments:{first.pk}:booked", channel="email")
    assert message.context["second_dose_link"].endswith(_second_dose_url(first))
    with translation.override(language):
        body = render_to_string("appointments/emails/confirmation.txt", message.context)
    assert message.context["second_dose_link"] in body


@time_machine.travel(NOW, tick=False)
def test_a_first_dose_without_interval_offers_no_second_dose(world):
    open_online_booking(world, days_shown=14)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    first = _first_online(client, world)
    page = client.get(reverse("appointments:public_confirmation", args=[world.clinic.pk, first.number]))
    assert "second-dose" not in page.content.decode()
    assert (
        "second_dose_link"
        not in Message.objects.get(key__startswith=f"appointments:{first.pk}:booked").context
    )
    assert client.get(_second_dose_url(first)).status_code == 404


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_second_dose_page_books_from_the_interval_without_retyping(world, language):
    _pair(world)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    first = _first_online(client, world)
    _second_slot(world, day=20)  # before the interval: never offered
    slot = _second_slot(world)
    response = client.get(_second_dose_url(first))
    located = reverse(
        "appointments:public_second_dose_at",
        args=[world.clinic.pk, booking_services.second_dose_token(first), world.location_a.pk],
    )
    assert response.status_code == 302 and response["Location"] == located
    page = client.get(located).content.decode()
    assert "?date=2027-01-01" in page and "?date=2026-12-23" not in page
    page = client.get(located + "?date=2027-01-01").content.decode()
    assert f'value="{slot.pk}@20270101T0900"' in page
    assert 'name="first_name"' not in page  # nothing to type
    response = client.post(located, {"date": "2027-01-01", "time": f"{slot.pk}@20270101T0900"})
    second = Appointment.objects.get(service=world.second)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "appointments:public_confirmation", args=[world.clinic.pk, second.number]
    )
    assert (second.first_name, second.last_name, second.email, second.booked_online) == (
        "Anne",
        "Roy",
        "anne@example.com",
        True,
    )
    assert second.starts_at == slot.starts_at
    page = client.get(response["Location"]).content.decode()
    _either(page, "Your appointment is booked", "Votre rendez-vous est confirmé", "rendez-vous")
    assert "second-dose-title" not in page  # a second dose offers no third


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_second_dose_page_refuses_a_time_before_the_interval_next_to_the_times(world, language):
    _pair(world)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    first = _first_online(client, world)
    early = _second_slot(world, day=20)
    _second_slot(world)
    located = reverse(
        "appointments:public_second_dose_at",
        args=[world.clinic.pk, booking_services.second_dose_token(first), world.location_a.pk],
    )
    response = client.post(located, {"date": "2026-12-23", "time": f"{early.pk}@20261223T0900"})
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="time-errors"' in text
    _either(text, "The second dose cannot take place before", "La 2e dose ne peut pas avoir lieu avant")
    assert not Appointment.objects.filter(service=world.second).exists()
    # Garbage answers a message, never an error page.
    response = client.post(located, {"date": "x", "time": "nonsense"})
    assert response.status_code == 200 and 'id="time-errors"' in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_a_forged_or_other_networks_token_answers_404(world):
    _pair(world)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    first = _first_online(client, world)
    token = booking_services.second_dose_token(first)
    assert (
        client.get(
            reverse("appointments:public_second_dose", args=[world.clinic.pk, token + "x"])
        ).status_code
        == 404
    )
    assert (
        client.get(reverse("appointments:public_second_dose", args=[world.clinic.pk, "1"])).status_code == 404
    )
    assert (
        client.get(
            reverse("appointments:public_second_dose", args=[world.other_clinic.pk, token])
        ).status_code
        == 404
    )


# Staff -------------------------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_staff_book_the_second_dose_from_the_appointment(world, language):
    _pair(world)
    first = book_person(world, world.slot(day=1), email="anne@example.com")
    early = _second_slot(world, day=20)
    slot = _second_slot(world)
    client = client_for(world, "manager1")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    from portal.models import User

    User.objects.filter(pk=world.manager1.pk).update(preferred_language=language)
    detail = client.get(reverse("appointments:appointment", args=[first.pk])).content.decode()
    link = f"{reverse('appointments:book')}?from={first.pk}&amp;second_dose=1"
    assert link in detail
    response = client.get(link.replace("&amp;", "&"))
    assert response.status_code == 302
    target = response["Location"]
    assert f"service={world.second.pk}" in target and "date=2027-01-01" in target
    page = client.get(target).content.decode()
    assert 'value="Anne"' in page
    _either(page, "Second dose after appointment", "2e dose après le rendez-vous")
    person = {
        "first_name": "Anne",
        "last_name": "Roy",
        "date_of_birth": "1980-01-02",
        "email": "anne@example.com",
    }
    early_url = target.replace("date=2027-01-01", "date=2026-12-23")
    refused = client.post(early_url, {**person, "time": f"{early.pk}@20261223T0900"})
    assert refused.status_code == 200
    _either(
        refused.content.decode(),
        "The second dose cannot take place before",
        "La 2e dose ne peut pas avoir lieu avant",
    )
    assert not Appointment.objects.filter(service=world.second).exists()
    booked = client.post(target, {**person, "time": f"{slot.pk}@20270101T0900"})
    assert booked.status_code == 302, booked.content.decode()[:3000]
    assert Appointment.objects.get(service=world.second).starts_at == slot.starts_at


@time_machine.travel(NOW, tick=False)
def test_staff_see_no_second_dose_button_without_interval(world, in_english):
    first = book_person(world, world.slot(day=1))
    client = client_for(world, "manager1")
    detail = client.get(reverse("appointments:appointment", args=[first.pk])).content.decode()
    assert "second_dose=1" not in detail
    response = client.get(f"{reverse('appointments:book')}?from={first.pk}&second_dose=1")
    assert response.status_code == 302
    assert "second dose" in messages_text(response)


# Configuration -------------------------------------------------------------------------------------------


def _service_data(service, **changes):
    data = {
        "name_fr": service.name_fr,
        "name_en": service.name_en,
        "campaign": service.campaign,
        "dose": service.dose,
        "duration_minutes": service.duration_minutes,
        "is_active": "on",
        "position": service.position,
        "questions-TOTAL_FORMS": "0",
        "questions-INITIAL_FORMS": "0",
        **changes,
    }
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_service_form_keeps_an_interval_for_a_first_dose_with_its_second(world, language):
    client = client_for(world, "pilot")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    url = reverse("appointments:service_edit", args=[world.first.pk])
    page = client.get(url).content.decode()
    assert 'name="minimum_interval_days"' in page
    _either(page, "First dose only", "1re dose seulement")
    response = client.post(url, _service_data(world.first, minimum_interval_days="28"))
    assert response.status_code == 302
    assert Service.objects.get(pk=world.first.pk).minimum_interval_days == 28


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_service_form_refuses_an_interval_without_a_second_dose_next_to_the_field(world, language):
    client = client_for(world, "pilot")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    world.second.campaign = "Influenza"
    world.second.save()
    url = reverse("appointments:service_edit", args=[world.first.pk])
    response = client.post(url, _service_data(world.first, minimum_interval_days="28", name_en="Typed name"))
    assert response.status_code == 200
    text = response.content.decode()
    assert (
        'id="id_minimum_interval_days_error"' in text
        or "minimum_interval_days" in text.split("errorlist", 1)[-1]
    )
    _either(
        text, "Add the second-dose service of this campaign first", "Ajoutez d'abord le service de 2e dose"
    )
    assert 'value="Typed name"' in text  # nothing typed lost
    assert Service.objects.get(pk=world.first.pk).minimum_interval_days is None
    # A second dose has no interval of its own.
    url = reverse("appointments:service_edit", args=[world.second.pk])
    response = client.post(url, _service_data(world.second, minimum_interval_days="28"))
    assert response.status_code == 200
    _either(response.content.decode(), "Only a first dose has a minimum interval", "Seule une 1re dose")


def test_save_service_clears_an_empty_interval_and_checks_the_bounds(world):
    world.first.minimum_interval_days = 0
    configuration_services.save_service(organization=world.clinic, service=world.first)
    assert Service.objects.get(pk=world.first.pk).minimum_interval_days is None
    form = ServiceForm(_service_data(world.first, minimum_interval_days="400"), instance=world.first)
    assert not form.is_valid() and "minimum_interval_days" in form.errors
    with pytest.raises(ValidationError):
        Service(
            organization=world.clinic, name="x", dose=Dose.FIRST, duration_minutes=5, minimum_interval_days=0
        ).full_clean()
