"""Issue 20, browser walk: once the second dose of a pair is booked, neither the public link nor the
staff pages offer to book it again; they show the booked appointment (date, time, location) and no
form."""

import html
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from appointments.booking import services as booking_services
from appointments.booking import views_form
from appointments.models import Appointment, AppointmentStatus
from appointments.tests.conftest import book_person, open_online_booking
from appointments.tests.helpers import book_online, client_for

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fresh_blank_forms():
    views_form._BLANK_FORMS.clear()
    yield
    views_form._BLANK_FORMS.clear()


def _pair(world):
    world.first.minimum_interval_days = 28
    world.first.save()
    open_online_booking(world, days_shown=14)


def _second_slot(world):
    return world.slot(day=29, team=world.team_b, location=world.location_a)


def _book_second(world, first):
    slot = _second_slot(world)
    return booking_services.book_place(
        actor=None,
        slot=slot,
        service=world.second,
        starts_at=slot.starts_at,
        online=True,
        **booking_services.second_dose_values(first),
    )


def _second_dose_url(first):
    return reverse(
        "appointments:public_second_dose",
        args=[first.organization_id, booking_services.second_dose_token(first)],
    )


def _shows_booked(page, booked):
    page = html.unescape(page)
    assert "second-dose-booked" in page
    assert booked.number in page
    assert booked.slot.location.name in page
    assert "09:00" in page  # the booked time
    assert "2027" in page and ("January" in page or "janvier" in page)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_it_shows_the_booked_second_dose_on_the_public_link_instead_of_the_form(world, language):
    _pair(world)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    response = book_online(client, world, world.slot(day=1), send_email="on")
    assert response.status_code == 302
    first = Appointment.objects.get(service=world.first)
    before = client.get(_second_dose_url(first))
    assert before.status_code == 302  # not booked yet: on to the times of the first dose's location
    booked = _book_second(world, first)
    for url in (
        _second_dose_url(first),
        reverse(
            "appointments:public_second_dose_at",
            args=[world.clinic.pk, booking_services.second_dose_token(first), world.location_b.pk],
        ),
    ):
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        _shows_booked(page, booked)
        assert 'name="time"' not in page and "<form" not in page.split("<main", 1)[-1].split("</main>")[0]
    # A post (an old tab) books nothing more.
    slot = _second_slot(world)
    response = client.post(
        _second_dose_url(first), {"date": "2027-01-01", "time": f"{slot.pk}@20270101T0930"}
    )
    assert response.status_code == 200
    assert Appointment.objects.filter(service=world.second).count() == 1
    # The first dose's confirmation shows it too, not the offer.
    page = client.get(reverse("appointments:public_confirmation", args=[world.clinic.pk, first.number]))
    page = page.content.decode()
    _shows_booked(page, booked)
    assert booking_services.second_dose_token(first) not in page


@time_machine.travel(NOW, tick=False)
def test_a_cancelled_second_dose_is_offered_again(world):
    _pair(world)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    book_online(client, world, world.slot(day=1), send_email="on")
    first = Appointment.objects.get(service=world.first)
    booked = _book_second(world, first)
    Appointment.objects.filter(pk=booked.pk).update(status=AppointmentStatus.CANCELLED)
    assert client.get(_second_dose_url(first)).status_code == 302  # the times again


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_staff_see_the_booked_second_dose_instead_of_the_booking_button_and_form(world, language):
    _pair(world)
    first = book_person(world, world.slot(day=1), email="anne@example.com")
    client = client_for(world, "manager1")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    from portal.models import User

    User.objects.filter(pk=world.manager1.pk).update(preferred_language=language)
    detail_url = reverse("appointments:appointment", args=[first.pk])
    assert "second_dose=1" in client.get(detail_url).content.decode()
    booked = _book_second(world, first)
    detail = client.get(detail_url).content.decode()
    assert "second_dose=1" not in detail
    _shows_booked(detail, booked)
    assert reverse("appointments:appointment", args=[booked.pk]) in detail
    # The booking page of the second dose (an old link, or its service chosen) shows it, no form.
    for query in (
        f"?from={first.pk}&second_dose=1",
        f"?from={first.pk}&service={world.second.pk}&location={world.location_a.pk}&date=2027-01-01",
    ):
        response = client.get(reverse("appointments:book") + query)
        assert response.status_code == 200
        page = response.content.decode()
        _shows_booked(page, booked)
        assert 'name="first_name"' not in page and 'name="service"' not in page
    # Another service for the same person is still offered.
    page = client.get(reverse("appointments:book") + f"?from={first.pk}").content.decode()
    assert 'name="service"' in page
