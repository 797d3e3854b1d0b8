"""Issue 20, "lost input after a race": two people fill the last place; the second is sent back to
the times ("no longer available") and, after choosing another time, finds every detail typed
again in the form (carried in the signed booking cookie), the consent to give again."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from appointments.booking.forms import time_value
from appointments.booking.views_common import BOOKING_COOKIE, BOOKING_SALT
from appointments.models import Appointment
from appointments.tests.conftest import open_online_booking
from appointments.tests.helpers import PERSON, choose_time, message_texts, public_url

pytestmark = pytest.mark.django_db

# 2026-12-03 10:00 in Moncton: the slots are tomorrow's.
NOW = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
TYPED = {**PERSON, "first_name": "Élise", "last_name": "Léger", "email": "elise@example.com"}


def _race_for_the_last_place(world):
    open_online_booking(world)
    slot = world.slot(day=1, start=9, end=10, per_interval=1)
    first, second = Client(HTTP_ACCEPT_LANGUAGE="en"), Client(HTTP_ACCEPT_LANGUAGE="en")
    details = choose_time(first, world, slot)
    assert choose_time(second, world, slot) == details
    assert first.post(details, PERSON).status_code == 302
    response = second.post(details, TYPED)
    return slot, second, details, response


@time_machine.travel(NOW, tick=False)
def test_the_second_person_keeps_every_detail_typed_after_choosing_another_time(world):
    slot, second, details, response = _race_for_the_last_place(world)
    assert response.status_code == 302 and response["Location"] == public_url(world, "public_times")
    assert any("no longer available" in text for text in message_texts(response))
    # Another time of the slot, then the form again: what was typed is there, nothing booked yet.
    other = slot.interval_starts()[1]
    assert choose_time(second, world, slot, at=other) == details
    form_page = second.get(details)
    form = form_page.context["form"]
    assert not form.is_bound
    for name in ("first_name", "last_name", "date_of_birth", "email"):
        assert form[name].value() == TYPED[name], name
    html = form_page.content.decode()
    assert 'value="Élise"' in html and 'value="Léger"' in html and 'value="elise@example.com"' in html
    # The consent is given again for the new time.
    assert not form["accept_terms"].value()
    assert Appointment.objects.count() == 1
    # Booked with those details; the cookie no longer holds them afterwards.
    booked = second.post(details, {**{name: form[name].value() for name in TYPED}, "accept_terms": "on"})
    assert booked.status_code == 302 and "/confirmation/" in booked["Location"]
    appointment = Appointment.objects.get(first_name="Élise")
    assert appointment.starts_at == other and appointment.email == "elise@example.com"
    from django.core import signing

    state = signing.loads(second.cookies[BOOKING_COOKIE].value, salt=BOOKING_SALT)
    assert not state[str(world.clinic.pk)].get("typed")
    assert second.get(details, {"time": time_value(slot, slot.interval_starts()[2])}).context["form"][
        "first_name"
    ].value() in (None, "")


@time_machine.travel(NOW, tick=False)
def test_a_visitor_without_a_race_gets_the_blank_form(world):
    open_online_booking(world)
    slot = world.slot(day=1, start=9, end=10, per_interval=2)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    details = choose_time(client, world, slot)
    first = client.get(details)
    assert first.context["form"]["first_name"].value() is None
    # The blank form is rendered once per service and language, then reused: the same fields.
    second = Client(HTTP_ACCEPT_LANGUAGE="en")
    choose_time(second, world, slot)
    again = second.get(details)
    assert again.context["form_html"] == first.context["form_html"]
    assert 'name="first_name"' in again.content.decode() and 'name="accept_terms"' in again.content.decode()


@time_machine.travel(NOW, tick=False)
def test_details_refused_on_the_form_stay_typed_and_nothing_is_booked(world):
    open_online_booking(world)
    slot = world.slot(day=1, start=9, end=10, per_interval=2)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    details = choose_time(client, world, slot)
    response = client.post(details, {**TYPED, "accept_terms": ""})
    assert response.status_code == 200
    assert "Tick this box" in " ".join(response.context["form"].errors["accept_terms"])
    assert 'value="Élise"' in response.content.decode()
    assert not Appointment.objects.exists()
