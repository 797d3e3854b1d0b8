"""Issue 20, waitlist offers: places that open are offered in order of sign-up (the location's area
first), each held for a time (the hold really takes the place), confirmed through the booking
service, declined or expired to the next person; messages wait for the end of the quiet hours.
Fixed instants (time-machine); Moncton time (UTC-4 in winter, UTC-3 in summer)."""

import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from appointments import tasks
from appointments.booking import services as booking_services
from appointments.follow_up import services as follow_up_services
from appointments.models import Appointment, SlotTime, WaitlistEntry, WaitlistStatus
from appointments.schedules import services as schedules_services
from appointments.tests.conftest import open_online_booking
from appointments.tests.helpers import PERSON, client_for
from appointments.waitlist import offers, services
from portal.models import Message
from portal.workflow import ActionError

pytestmark = pytest.mark.django_db

# Thursday 3 December 2026, 10:00 in Moncton.
NOW = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
GONE = "This offer has expired or the place was given to someone else."


def _one_place_slot(world):
    """A slot tomorrow 9:00–10:00 (four 15-minute times, one place each) whose first time only is free."""
    slot = world.slot(day=1, per_interval=1)
    for index, moment in enumerate(slot.interval_starts()[1:]):
        world.book(slot, at=moment, name=(f"P{index}", "Full"))
    return slot


def _sign_up(world, email, area, minutes):
    with time_machine.travel(NOW - timedelta(days=1) + timedelta(minutes=minutes), tick=False):
        entry, _created = services.sign_up(service=world.first, email=email, area=area, language="en")
    return entry


def _row(slot):
    return SlotTime.objects.get(slot=slot, starts_at=slot.starts_at)


def _fresh(entry):
    entry.refresh_from_db()
    return entry


def _no_drift(world):
    _slots, _times, drift = schedules_services.recount_inventory(organization_id=world.clinic.pk)
    assert drift == []


@pytest.fixture
def opening(world):
    """Online booking open, a slot whose first time is its only free place, three people waiting:
    one of another area signed up first, then two of the location's area (E1C)."""
    with time_machine.travel(NOW, tick=False):
        open_online_booking(world)
        slot = _one_place_slot(world)
    other = _sign_up(world, "other@example.com", "E3B", 0)
    near = _sign_up(world, "near@example.com", "E1C", 10)
    later = _sign_up(world, "later@example.com", "E1C", 20)
    return slot, other, near, later


# Order ---------------------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_it_offers_the_place_to_the_locations_area_first_in_order_of_sign_up(world, opening):
    slot, other, near, later = opening
    assert offers.offer_places() == 1
    assert _fresh(near).status == WaitlistStatus.OFFERED
    assert near.offered_time_id == _row(slot).pk
    assert near.offer_expires_at == NOW + timedelta(hours=2)
    assert _fresh(other).status == _fresh(later).status == WaitlistStatus.WAITING
    # Declined: the next of the area; then, nobody of the area left, the others in order.
    assert offers.decline(near)
    assert offers.offer_places() == 1
    assert _fresh(later).status == WaitlistStatus.OFFERED
    assert offers.decline(later)
    assert offers.offer_places() == 1
    assert _fresh(other).status == WaitlistStatus.OFFERED


@time_machine.travel(NOW, tick=False)
def test_one_offer_per_free_place_and_one_place_per_person(world, opening):
    slot, other, near, later = opening
    slot_2 = world.slot(day=2, per_interval=2, start=9, end=10)  # 8 more places
    made = offers.offer_places()
    assert made == 3  # three people, three offers: nobody holds two places
    assert WaitlistEntry.objects.filter(status=WaitlistStatus.OFFERED).count() == 3
    # The earliest place to the first of the area, then in order of time.
    assert _fresh(near).offered_time.slot_id == slot.pk
    assert _fresh(later).offered_time.slot_id == slot_2.pk
    assert offers.offer_places() == 0
    _no_drift(world)


@time_machine.travel(NOW, tick=False)
def test_a_place_that_starts_before_the_hold_ends_is_not_offered(world):
    open_online_booking(world)
    world.slot(day=0, start=11, end=12, per_interval=1)  # today 11:00, the hold would end at 12:00
    _sign_up(world, "a@example.com", "E1C", 0)
    made = offers.offer_places()
    # 11:00 and 11:15 … 11:45 all start before 12:00: nothing offered.
    assert made == 0


@time_machine.travel(NOW, tick=False)
def test_locked_slots_closed_booking_and_other_services_are_not_offered(world):
    open_online_booking(world)
    world.slot(day=1, per_interval=1, locked=True)
    world.slot(day=1, team=world.team_b, services_=[world.second], per_interval=1)
    _sign_up(world, "a@example.com", "E1C", 0)
    assert offers.offer_places() == 0
    open_online_booking(world, online_booking_open=False)
    world.slot(day=2, per_interval=1)
    assert offers.offer_places() == 0


# Holds take their place --------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_a_held_place_is_neither_shown_nor_bookable(
    world, opening, monkeypatch, django_capture_on_commit_callbacks
):
    slot, _other, near, _later = opening

    def times_page():
        return (
            Client(HTTP_ACCEPT_LANGUAGE="en")
            .get(
                reverse(
                    "appointments:public_times", args=[world.clinic.pk, world.first.pk, world.location_a.pk]
                ),
                {"date": (NOW + timedelta(days=1)).date().isoformat()},
            )
            .content.decode()
        )

    assert f"{slot.pk}@" in times_page()
    monkeypatch.setattr("portal.queue.publish", lambda task, *ids: None)
    with django_capture_on_commit_callbacks(execute=True):  # the availability cache hears of the hold
        offers.offer_places()
    row = _row(slot)
    assert (row.taken, row.capacity) == (1, 1)
    with pytest.raises(ActionError) as refused:
        booking_services.book_place(
            actor=None,
            slot=slot,
            service=world.first,
            starts_at=slot.starts_at,
            first_name="Zoé",
            last_name="Roy",
            date_of_birth=date(1990, 1, 1),
            online=True,
        )
    assert refused.value.code == "time_gone"
    # The public times of that day: the held time is not among them.
    assert f"{slot.pk}@" not in times_page()
    # The recount counts the hold with the appointments.
    _no_drift(world)


@time_machine.travel(NOW, tick=False)
def test_confirming_books_the_held_place_once(world, opening):
    slot, _other, near, _later = opening
    offers.offer_places()
    appointment = booking_services.book_place(
        actor=None,
        slot_id=slot.pk,
        service=world.first,
        starts_at=slot.starts_at,
        first_name="Anne",
        last_name="Roy",
        date_of_birth=date(1980, 1, 2),
        email="near@example.com",
        online=True,
        waitlist_entry_id=near.pk,
    )
    entry = _fresh(near)
    assert entry.status == WaitlistStatus.BOOKED and entry.appointment_id == appointment.pk
    assert _row(slot).taken == 1  # the hold became the booking: nothing claimed twice
    _no_drift(world)
    with pytest.raises(ActionError) as again:
        booking_services.book_place(
            actor=None,
            slot_id=slot.pk,
            service=world.first,
            starts_at=slot.starts_at,
            first_name="Marc",
            last_name="Roy",
            date_of_birth=date(1981, 1, 2),
            online=True,
            waitlist_entry_id=near.pk,
        )
    assert again.value.code == "hold_gone"
    assert Appointment.objects.filter(slot=slot, starts_at=slot.starts_at).count() == 1


def test_a_raised_capacity_keeps_the_holds(world, opening):
    slot, _other, near, later = opening
    with time_machine.travel(NOW, tick=False):
        offers.offer_places()
        schedules_services.update_slot(
            slot=slot,
            resource=slot.resource,
            services=list(slot.services.all()),
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            per_interval=2,
            is_locked=False,
        )
        assert _row(slot).taken == 1  # the hold, still counted after the recount of the edit
        _no_drift(world)
        assert offers.offer_places() >= 1
        assert _fresh(later).status == WaitlistStatus.OFFERED


# Expiry ------------------------------------------------------------------------------------------------


def test_an_expired_hold_goes_to_the_next_person(world, opening):
    slot, _other, near, later = opening
    with time_machine.travel(NOW, tick=False):
        offers.offer_places()
    with time_machine.travel(NOW + timedelta(hours=1, minutes=59), tick=False):
        assert offers.expire_holds() == 0
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        assert offers.expire_holds() == 1
        assert _fresh(near).status == WaitlistStatus.EXPIRED
        assert _row(slot).taken == 0
        assert offers.offer_places() == 1
        assert _fresh(later).status == WaitlistStatus.OFFERED
        with pytest.raises(ActionError) as late:
            booking_services.book_place(
                actor=None,
                slot_id=slot.pk,
                service=world.first,
                starts_at=slot.starts_at,
                first_name="Anne",
                last_name="Roy",
                online=True,
                waitlist_entry_id=near.pk,
            )
        assert late.value.code == "hold_gone"
        _no_drift(world)


def test_the_beat_task_expires_then_offers(world, opening):
    _slot, _other, near, later = opening
    with time_machine.travel(NOW, tick=False):
        offers.offer_places()
    with time_machine.travel(NOW + timedelta(hours=3), tick=False):
        assert tasks.expire_waitlist_holds() == (1, 1)
    assert _fresh(near).status == WaitlistStatus.EXPIRED
    assert _fresh(later).status == WaitlistStatus.OFFERED


def test_the_hold_hours_are_the_networks(world, opening):
    open_online_booking(world, waitlist_hold_hours=5)
    _slot, _other, near, _later = opening
    with time_machine.travel(NOW, tick=False):
        offers.offer_places()
    assert _fresh(near).offer_expires_at == NOW + timedelta(hours=5)


# Quiet hours (portal.dates: 21:00 to 8:00, local time) ---------------------------------------------------


@pytest.mark.parametrize(
    ("offered_at", "expires_at"),
    [
        # 20:59 in Moncton: sent at once, held two hours.
        (datetime(2026, 12, 4, 0, 59, tzinfo=UTC), datetime(2026, 12, 4, 2, 59, tzinfo=UTC)),
        # 21:00: the message waits for 8:00; the hold counts from then (8:00 + 2 h = 10:00).
        (datetime(2026, 12, 4, 1, 0, tzinfo=UTC), datetime(2026, 12, 4, 14, 0, tzinfo=UTC)),
        # 7:59 the next morning: 8:00 + 2 h.
        (datetime(2026, 12, 4, 11, 59, tzinfo=UTC), datetime(2026, 12, 4, 14, 0, tzinfo=UTC)),
        # 8:00: by day.
        (datetime(2026, 12, 4, 12, 0, tzinfo=UTC), datetime(2026, 12, 4, 14, 0, tzinfo=UTC)),
        # The night the clocks go back (Sunday 1 November 2026, 2:00 ADT → 1:00 AST): 22:00 ADT on
        # Saturday waits for 8:00 AST, 11 real hours later, then 2 hours: 10:00 AST = 14:00 UTC.
        (datetime(2026, 11, 1, 1, 0, tzinfo=UTC), datetime(2026, 11, 1, 14, 0, tzinfo=UTC)),
        # Spring forward (Sunday 8 March 2026, 2:00 AST → 3:00 ADT): 23:00 AST waits for 8:00 ADT.
        (datetime(2026, 3, 8, 3, 0, tzinfo=UTC), datetime(2026, 3, 8, 13, 0, tzinfo=UTC)),
    ],
)
def test_an_offer_at_night_is_sent_and_held_from_8(world, offered_at, expires_at):
    with time_machine.travel(offered_at, tick=False):
        open_online_booking(world)
        world.slot(day=2, per_interval=1)
        entry = _sign_up(world, "a@example.com", "E1C", 0)
        assert offers.offer_places() == 1
    entry = _fresh(entry)
    assert entry.offer_expires_at == expires_at
    message = Message.objects.get(key__startswith=f"appointments:waitlist:{entry.pk}:offer:")
    # The reminders' quiet hours: the worker keeps it queued at night (portal.services.notify).
    assert message.context["_quiet_hours"] is True
    assert message.context["_send_only_if"] == [
        "appointments.waitlist.offers.still_held",
        {"entry_id": entry.pk},
    ]


@time_machine.travel(NOW, tick=False)
def test_the_offer_message_is_in_the_persons_language_with_nothing_personal_in_subject_or_sms(world, opening):
    from portal import services as portal_services

    _slot, _other, near, _later = opening
    WaitlistEntry.objects.filter(pk=near.pk).update(mobile_phone="+15065550123", language="fr")
    offers.offer_places()
    sent = {}
    for message in Message.objects.filter(key__startswith=f"appointments:waitlist:{near.pk}:offer:"):
        sent[message.channel] = portal_services._render(message)
    assert set(sent) == {"email", "sms"}
    assert "/waitlist/offer/" in sent["sms"]["body"]
    assert "near@example.com" not in sent["email"]["subject"] + sent["sms"]["body"]
    assert "5550123" not in sent["email"]["subject"] + sent["sms"]["body"]
    assert "First dose" not in sent["email"]["subject"] + sent["sms"]["body"]
    assert "1re dose" in sent["email"]["text"]  # the service's French name: the person's language
    assert "/waitlist/leave/" in sent["email"]["text"]
    # The SMS writes both its dates the same short way (browser walk: "le 2026-12-07 ... jusqu'au
    # 4 déc. 2026, 17:38" mixed two).
    held = _fresh(near)
    until = timezone.localtime(held.offer_expires_at).strftime("%Y-%m-%d %H:%M")
    assert until in sent["sms"]["body"]
    assert re.search(r"\d{4}-\d{2}-\d{2} .*\d{4}-\d{2}-\d{2} \d{2}:\d{2}", sent["sms"]["body"])


@time_machine.travel(NOW, tick=False)
def test_the_worker_skips_an_offer_no_longer_held(world, opening):
    _slot, _other, near, _later = opening
    offers.offer_places()
    assert offers.still_held(near.pk)
    offers.decline(near)
    assert not offers.still_held(near.pk)


# Places that open: cancellations, new slots ----------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_a_cancellation_queues_the_offer_task_after_its_commit(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    open_online_booking(world)
    slot = world.slot(day=1, per_interval=1)
    for moment in slot.interval_starts():
        world.book(slot, at=moment)
    entry = _sign_up(world, "a@example.com", "E1C", 0)
    published = []
    monkeypatch.setattr("portal.queue.publish", lambda task, *ids: published.append((task, ids)))
    appointment = Appointment.objects.filter(slot=slot).first()
    with django_capture_on_commit_callbacks(execute=True):
        follow_up_services.cancel_appointment(actor=world.manager1, appointment=appointment)
    assert (tasks.offer_waitlist_places, ([slot.pk],)) in published
    assert _fresh(entry).status == WaitlistStatus.WAITING  # not before the task runs
    tasks.offer_waitlist_places([slot.pk])
    entry = _fresh(entry)
    assert entry.status == WaitlistStatus.OFFERED and entry.offered_time.starts_at == appointment.starts_at


@time_machine.travel(NOW, tick=False)
def test_nothing_is_queued_while_the_waitlist_is_off(
    world, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.APPOINTMENTS_WAITLIST = False
    published = []
    monkeypatch.setattr("portal.queue.publish", lambda task, *ids: published.append(task))
    with django_capture_on_commit_callbacks(execute=True):
        world.slot(day=1)
    assert tasks.offer_waitlist_places not in published


# The offer's page ---------------------------------------------------------------------------------------


def _offer_url(world, entry):
    return reverse(
        "appointments:public_waitlist_offer", args=[world.clinic.pk, offers.offer_token(_fresh(entry))]
    )


@time_machine.travel(NOW, tick=False)
def test_the_offer_page_shows_the_place_and_its_hold_then_confirms(world, opening):
    slot, _other, near, _later = opening
    offers.offer_places()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    url = _offer_url(world, near)
    text = html.unescape(client.get(url).content.decode())
    assert "First dose" in text and "Lieu A" in text
    assert "Friday 4 December 2026" in text and "09:00" in text
    assert "held for you until 3 Dec. 2026, 12:00" in text
    assert 'value="near@example.com"' in text
    response = client.post(url, {**PERSON, "email": "near@example.com", "action": "confirm"})
    assert response.status_code == 302 and "/confirmation/" in response["Location"]
    appointment = Appointment.objects.get(first_name=PERSON["first_name"], slot=slot)
    assert appointment.booked_online and appointment.email == "near@example.com"
    assert _fresh(near).status == WaitlistStatus.BOOKED
    assert client.get(response["Location"]).status_code == 200
    # The link again: already booked.
    assert "already booked" in client.get(url).content.decode()


@time_machine.travel(NOW, tick=False)
def test_the_offer_page_keeps_what_was_typed_on_an_error(world, opening):
    _slot, _other, near, _later = opening
    offers.offer_places()
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        _offer_url(world, near), {"first_name": "Anne", "action": "confirm"}
    )
    assert response.status_code == 200
    assert 'value="Anne"' in response.content.decode()
    assert _fresh(near).status == WaitlistStatus.OFFERED


@time_machine.travel(NOW, tick=False)
def test_declining_frees_the_place_for_the_next_person(world, opening, django_capture_on_commit_callbacks):
    slot, _other, near, later = opening
    offers.offer_places()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(_offer_url(world, near), {"action": "decline"})
    assert response.status_code == 200
    assert "You declined this place" in html.unescape(response.content.decode())
    assert _fresh(near).status == WaitlistStatus.LEFT
    assert _row(slot).taken == 0
    offers.offer_places()
    assert _fresh(later).status == WaitlistStatus.OFFERED


def test_an_expired_offer_says_so_and_offers_the_search(world, opening):
    _slot, _other, near, _later = opening
    with time_machine.travel(NOW, tick=False):
        offers.offer_places()
        url = _offer_url(world, near)
    with time_machine.travel(NOW + timedelta(hours=2, minutes=1), tick=False):
        # Past its time, even before the beat task ends it: nothing can be confirmed.
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        text = html.unescape(client.get(url).content.decode())
        assert GONE in text
        assert reverse("appointments:public_page", args=[world.clinic.pk]) in text
        response = client.post(url, {**PERSON, "action": "confirm"})
        assert GONE in html.unescape(response.content.decode())
    assert not Appointment.objects.filter(first_name=PERSON["first_name"]).exists()


@time_machine.travel(NOW, tick=False)
def test_a_tampered_or_foreign_offer_link_is_404(world, opening):
    _slot, _other, near, _later = opening
    offers.offer_places()
    token = offers.offer_token(_fresh(near))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    offer = "appointments:public_waitlist_offer"
    assert client.get(reverse(offer, args=[world.clinic.pk, token])).status_code == 200
    assert client.get(reverse(offer, args=[world.clinic.pk, token[:-1] + "x"])).status_code == 404
    assert client.get(reverse(offer, args=[world.clinic.pk, "garbage"])).status_code == 404
    # The leave link's token is signed for leaving only.
    assert client.get(reverse(offer, args=[world.clinic.pk, services.leave_token(near)])).status_code == 404
    # Another network: 404 (the entry is not its own).
    assert client.get(reverse(offer, args=[world.other_clinic.pk, token])).status_code == 404
    assert (
        client.post(reverse(offer, args=[world.other_clinic.pk, token]), {"action": "decline"}).status_code
        == 404
    )
    assert _fresh(near).status == WaitlistStatus.OFFERED
    # Nothing personal in the link.
    assert "near" not in token and "example" not in token


@time_machine.travel(NOW, tick=False)
def test_a_new_offer_to_the_same_person_makes_the_old_link_stale(world, opening):
    _slot, _other, near, _later = opening
    offers.offer_places()
    old = offers.offer_token(_fresh(near))
    WaitlistEntry.objects.filter(pk=near.pk).update(
        offered_time=SlotTime.objects.exclude(pk=near.offered_time_id).first()
    )
    url = reverse("appointments:public_waitlist_offer", args=[world.clinic.pk, old])
    assert Client().get(url).status_code == 404


# Staff -------------------------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_the_staff_list_shows_offered_until_booked_expired_and_left(world, opening):
    slot, other, near, later = opening
    offers.offer_places()
    response = client_for(world, "pilot").get(reverse("appointments:waitlist"), {"service": world.first.pk})
    text = html.unescape(response.content.decode())
    assert "Offered until 3 Dec. 2026, 12:00" in text
    assert text.count("Waiting") >= 2
    WaitlistEntry.objects.filter(pk=later.pk).update(status=WaitlistStatus.EXPIRED)
    WaitlistEntry.objects.filter(pk=other.pk).update(status=WaitlistStatus.BOOKED)
    text = (
        client_for(world, "pilot")
        .get(reverse("appointments:waitlist"), {"service": world.first.pk})
        .content.decode()
    )
    assert "Expired" in text and "Booked" in text


def test_the_public_page_settings_set_the_hold_hours(world, pilot):
    page = pilot.get(reverse("appointments:public_page_settings")).content.decode()
    assert 'name="waitlist_hold_hours"' in page
    data = {
        "public_name_fr": "Réseau",
        "public_name_en": "Network",
        "days_shown": "14",
        "waitlist_hold_hours": "6",
    }
    assert pilot.post(reverse("appointments:public_page_settings"), data).status_code == 302
    from appointments.models import ClinicSettings

    assert ClinicSettings.objects.get(organization=world.clinic).waitlist_hold_hours == 6
    # Left out: the hours already set.
    data.pop("waitlist_hold_hours")
    assert pilot.post(reverse("appointments:public_page_settings"), data).status_code == 302
    assert ClinicSettings.objects.get(organization=world.clinic).waitlist_hold_hours == 6
    data["waitlist_hold_hours"] = "0"
    assert pilot.post(reverse("appointments:public_page_settings"), data).status_code == 200


def test_the_beat_runs_the_expiry_every_five_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["appointment-waitlist-holds"]
    assert entry["task"] == tasks.expire_waitlist_holds.name
    assert entry["schedule"] == 300.0


@time_machine.travel(NOW, tick=False)
def test_the_offer_form_prefills_the_mobile_as_typed_with_its_sms_ticked(world, opening):
    _slot, _other, near, later = opening
    WaitlistEntry.objects.filter(pk=near.pk).update(mobile_phone="+15065550199")
    offers.offer_places()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    text = client.get(_offer_url(world, near)).content.decode()
    assert 'value="506 555 0199"' in text and "+15065550199" not in text
    assert re.search(r'<input type="checkbox" name="send_sms"[^>]*checked', text)
    # Without a mobile phone: the SMS box stays unticked.
    offers.decline(_fresh(near))
    offers.offer_places()
    assert _fresh(later).status == WaitlistStatus.OFFERED
    text = client.get(_offer_url(world, later)).content.decode()
    assert re.search(r'<input type="checkbox" name="send_sms"', text)
    assert not re.search(r'<input type="checkbox" name="send_sms"[^>]*checked', text)


def test_typed_phone_formats_north_american_numbers_as_people_type_them():
    from appointments.waitlist.views_public import typed_phone

    assert typed_phone("+15065550199") == "506 555 0199"
    assert typed_phone("") == ""
    assert typed_phone("not a number") == "not a number"
    assert typed_phone("+33123456789") == "01 23 45 67 89"
