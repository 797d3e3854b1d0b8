"""The waitlist's second half in real Chromium, in French and in English (issue 20): a person signs up
for a service without places; places open (a new slot); the place is held for them and offered by a
signed link; they open it, fill what booking needs and confirm: the booking is theirs, its
confirmation shown, and the held place was never free to anyone else."""

import re

import pytest
from django.urls import reverse

from appointments.models import Appointment, ClinicSettings, SlotTime, WaitlistEntry, WaitlistStatus
from appointments.tests.conftest import World
from appointments.waitlist import offers
from portal.models import Message
from tests.browser import language_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The catalogue gets the French of the new strings later: either language is accepted for those.
JOIN = re.compile("Join the waitlist|liste d.attente", re.IGNORECASE)
HELD = re.compile("This place is held for you until|Cette place vous est réservée", re.IGNORECASE)
CONFIRM = re.compile("^(Confirm|Confirmer)$")
WORDS = {
    "fr": {
        "first_name": "Prénom",
        "last_name": "Nom de famille",
        "date_of_birth": "Date de naissance",
        "accept_terms": "J'ai lu les termes et conditions d'utilisation",
        "booked": "Conservez votre numéro de confirmation : {number}.",
    },
    "en": {
        "first_name": "First name",
        "last_name": "Last name",
        "date_of_birth": "Date of birth",
        "accept_terms": "I have read the terms of use",
        "booked": "Keep your confirmation number: {number}.",
    },
}


def field(scope, label):
    return scope.get_by_label(re.compile("^" + re.escape(label)))


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_person_on_the_waitlist_is_offered_an_opening_and_confirms_it(live_server, context, language):
    words = WORDS[language]
    world = World()
    ClinicSettings.objects.create(organization=world.clinic, online_booking_open=True, days_shown=14)
    context.add_cookies([language_cookie(live_server.url, language)])
    page = context.new_page()

    # Signing up: no place yet.
    signup = reverse("appointments:public_waitlist", args=[world.clinic.pk, world.first.pk])
    page.goto(f"{live_server.url}{signup}?postal_code=E1C+4M2")
    page.locator("input[name=email]").fill("anne@example.com")
    page.locator("input[name=accept_terms]").check()
    with page.expect_navigation():
        page.get_by_role("button", name=JOIN).click()
    entry = WaitlistEntry.objects.get(service=world.first)
    assert entry.status == WaitlistStatus.WAITING

    # An opening: a new slot (one place a time, two days ahead); the offer task holds one for her.
    slot = world.slot(day=2, start=9, end=10, per_interval=1)
    offers.offer_places(slot_ids=[slot.pk])
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.OFFERED
    held = SlotTime.objects.get(pk=entry.offered_time_id)
    assert held.taken == held.capacity == 1  # held: nobody else can book it
    message = Message.objects.get(key__startswith=f"appointments:waitlist:{entry.pk}:offer:", channel="email")
    path = reverse("appointments:public_waitlist_offer", args=[world.clinic.pk, offers.offer_token(entry)])
    assert message.link.endswith(path) and "anne" not in path

    # The offer's page, in her language: the place and its hold; she confirms with the keyboard.
    page.goto(live_server.url + path)
    assert page.locator("html").get_attribute("lang") == language
    assert HELD.search(page.locator("main").inner_text())
    assert page.locator("input[name=email]").input_value() == "anne@example.com"
    field(page, words["first_name"]).fill("Anne")
    field(page, words["last_name"]).fill("Robichaud")
    field(page, words["date_of_birth"]).fill("1950-04-02")
    field(page, words["accept_terms"]).check()
    button = page.get_by_role("button", name=CONFIRM)
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/confirmation/"))
    appointment = Appointment.objects.get(slot=slot)
    assert (appointment.first_name, appointment.email, appointment.starts_at) == (
        "Anne",
        "anne@example.com",
        held.starts_at,
    )
    assert page.get_by_text(words["booked"].format(number=appointment.number)).is_visible()
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.BOOKED
    held.refresh_from_db()
    assert held.taken == 1  # one booking, the hold's own place
    page.close()
