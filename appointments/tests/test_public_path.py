"""The public booking path at scale (issue 16): a fixed number of queries whatever the schedule holds,
cached open times that follow every change of places, no database session per visitor, and the
right times on the days the clocks change."""

from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from appointments import selectors
from appointments.booking.forms import TimeChoiceForm, time_value
from appointments.booking.views_common import BOOKING_COOKIE
from appointments.follow_up import services as follow_up_services
from appointments.models import Appointment, Slot, SlotTime
from appointments.schedules import services as schedules_services
from appointments.tests.conftest import World, book_person, open_online_booking
from portal import dates

pytestmark = pytest.mark.django_db

PERSON = {"first_name": "Anne", "last_name": "Roy", "date_of_birth": "1980-01-02", "accept_terms": "on"}


@pytest.fixture
def public():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def _url(world, name, location=None):
    return reverse(
        f"appointments:{name}", args=[world.clinic.pk, world.first.pk, (location or world.location_a).pk]
    )


def _day_of(moment):
    return timezone.localtime(moment).date()


def _times(client, world, day):
    response = client.get(_url(world, "public_times"), {"date": day.isoformat()})
    assert response.status_code == 200
    return [(moment, left) for _value, moment, left in response.context["day_times"]]


def _add_slots(world, count, day=2):
    for index in range(count):
        hour = 8 + index % 12
        world.slot(day=day + index // 12, start=hour, end=hour + 1)


# Queries -------------------------------------------------------------------------------------------


def _search(client, world, service=None):
    return client.get(
        reverse("appointments:public_search", args=[world.clinic.pk]),
        {"service": (service or world.first).pk, "postal_code": "E1C 4M2"},
    )


# Uncached: the waiting room's setting (portal.waiting_room), the public configuration (2: the
# services with their clinic network and settings, the locations with their teams' services) and
# the availability of every day shown (1, from the inventory). Cached: none.
@pytest.mark.parametrize("slots", [1, 40])
def test_it_reads_the_times_page_in_four_queries_then_none(world, public, slots, django_assert_num_queries):
    open_online_booking(world, days_shown=28)
    _add_slots(world, slots)
    day = _day_of(world.at(2, 8))
    cache.clear()
    with django_assert_num_queries(4):
        response = public.get(_url(world, "public_times"), {"date": day.isoformat()})
    assert response.status_code == 200 and response.context["day_times"]
    with django_assert_num_queries(0):
        assert public.get(_url(world, "public_times"), {"date": day.isoformat()}).status_code == 200
    # A booking elsewhere forgets the open times, not the configuration: one query.
    selectors.forget_availability(location_id=world.location_a.pk)
    with django_assert_num_queries(1):
        assert public.get(_url(world, "public_times"), {"date": day.isoformat()}).status_code == 200


@pytest.mark.parametrize("slots", [1, 40])
def test_it_reads_the_search_page_in_four_queries_then_none(world, public, slots, django_assert_num_queries):
    open_online_booking(world, days_shown=28)
    _add_slots(world, slots)
    world.slot(day=3, location=world.location_b, team=world.team_c)
    cache.clear()
    with django_assert_num_queries(4):
        response = _search(public, world)
    assert response.status_code == 200 and len(response.context["results"]) == 2
    with django_assert_num_queries(0):
        assert _search(public, world).status_code == 200
    # The times page of a location searched reads the days from the same cache: only its day.
    with django_assert_num_queries(1):
        public.get(_url(world, "public_times"), {"date": _day_of(world.at(2, 8)).isoformat()})


def test_the_open_times_of_every_location_and_day_come_in_one_query(world):
    _add_slots(world, 30)
    world.slot(day=3, location=world.location_b, team=world.team_c)
    days = [timezone.localdate() + timedelta(days=offset) for offset in range(29)]
    detailed = _day_of(world.at(2, 8))
    with CaptureQueriesContext(connection) as queries:
        found = selectors.availability(
            organization_id=world.clinic.pk,
            location_ids=[world.location_a.pk, world.location_b.pk],
            days=days,
            detailed=[detailed],
        )
    assert len(queries) == 1
    a, b = world.location_a.pk, world.location_b.pk
    # 30 one-hour slots over 3 days, 4 times of 2 places each.
    assert sum(found.summary(a, day, world.first.pk).left for day in days) == 30 * 4 * 2
    assert found.open_days(a, world.first.pk, days) == [_day_of(world.at(offset, 8)) for offset in (2, 3, 4)]
    assert found.open_days(b, world.first.pk, days) == [_day_of(world.at(3, 9))]
    assert len(found.day_times(a, detailed, world.first.pk)[0]) == 12 * 4
    assert found.places_left(a, world.first.pk, days) == 240


# The availability is the inventory's -----------------------------------------------------------------


def test_the_times_shown_are_the_places_the_inventory_holds(world, public):
    """What a booker sees is read from the same rows the booking claims (appointments.SlotTime)."""
    open_online_booking(world)
    slot = world.slot(day=2, per_interval=3)
    day = _day_of(slot.starts_at)
    SlotTime.objects.filter(slot=slot, starts_at=slot.starts_at).update(taken=2)
    SlotTime.objects.filter(slot=slot, starts_at=slot.starts_at + timedelta(minutes=15)).update(taken=3)
    times = dict(_times(public, world, day))
    assert times[slot.starts_at] == 1
    assert slot.starts_at + timedelta(minutes=15) not in times
    assert len(times) == 3


def test_a_recount_of_the_inventory_shows_at_once(world, public, django_capture_on_commit_callbacks):
    """A change of the time rows that sends no signal (check_inventory --fix) still forgets the
    cached times, through the inventory's listener."""
    open_online_booking(world)
    slot = world.slot(day=2, per_interval=1)
    day = _day_of(slot.starts_at)
    SlotTime.objects.filter(slot=slot).update(taken=1)  # drift: full, with no appointment
    assert _times(public, world, day) == []
    with django_capture_on_commit_callbacks(execute=True):
        call_command("check_inventory", "--fix", stdout=StringIO())
    assert len(_times(public, world, day)) == 4


def test_a_day_locked_by_the_service_leaves_the_public_times_at_once(
    world, public, django_capture_on_commit_callbacks
):
    open_online_booking(world)
    slot = world.slot(day=2)
    day = _day_of(slot.starts_at)
    assert len(_times(public, world, day)) == 4
    with django_capture_on_commit_callbacks(execute=True):
        schedules_services.set_day_lock(slots=Slot.objects.filter(pk=slot.pk), locked=True)
    assert _times(public, world, day) == []


# The search page: places left and the next date per location ----------------------------------------


def test_the_search_page_shows_each_location_s_places_left_and_next_date(world, public):
    open_online_booking(world)
    world.slot(day=2, per_interval=2)
    world.slot(day=3, per_interval=2)
    response = _search(public, world)
    results = {result.location.pk: result for result in response.context["results"]}
    a, b = results[world.location_a.pk], results[world.location_b.pk]
    assert (a.next_day, a.places_left) == (_day_of(world.at(2, 9)), 16)
    assert (b.next_day, b.places_left) == (None, 0)
    # Still nearest first; the one without any time says so and offers no dead end.
    html = response.content.decode()
    assert "16 places left" in html
    assert "No availability at the moment" in html
    assert (
        html.count(
            reverse(
                "appointments:public_eligibility", args=[world.clinic.pk, world.first.pk, world.location_b.pk]
            )
        )
        == 0
    )


def test_the_search_page_follows_a_booking(world, public, django_capture_on_commit_callbacks):
    open_online_booking(world)
    slot = world.slot(day=2, per_interval=1)
    assert _search(public, world).context["results"][0].places_left == 4
    with django_capture_on_commit_callbacks(execute=True):
        book_person(world, slot)
    assert _search(public, world).context["results"][0].places_left == 3


def test_a_past_time_of_today_is_not_counted(world, public):
    open_online_booking(world)
    slot = world.slot(day=2, start=9, end=10, per_interval=1)
    later, earlier = slot.starts_at + timedelta(minutes=20), slot.starts_at - timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        found = _search(public, world).context["results"][0]
        assert (found.next_day, found.places_left) == (_day_of(slot.starts_at), 2)
    # An entry read later is not used by a visitor whose clock is earlier (a clock set back).
    with time_machine.travel(earlier, tick=False):
        assert _search(public, world).context["results"][0].places_left == 4


def test_it_opens_the_details_form_of_a_chosen_time_without_a_query(world, public):
    open_online_booking(world)
    slot = world.slot(day=2)
    # The path: the day's times (read and cached), then one of them.
    public.get(_url(world, "public_times"), {"date": _day_of(slot.starts_at).isoformat()})
    with CaptureQueriesContext(connection) as queries:
        response = public.get(_url(world, "public_details"), {"time": time_value(slot, slot.starts_at)})
    assert response.status_code == 200
    assert len(queries) == 0, [query["sql"] for query in queries.captured_queries]


# The cache follows every change of places ------------------------------------------------------------


def test_the_next_visitor_sees_the_place_a_booking_took(world, public):
    open_online_booking(world)
    slot = world.slot(day=2, per_interval=2)
    day = _day_of(slot.starts_at)
    assert _times(public, world, day)[0] == (slot.starts_at, 2)
    public.get(_url(world, "public_details"), {"time": time_value(slot, slot.starts_at)})
    response = public.post(_url(world, "public_details"), PERSON)
    assert response.status_code == 302 and "/confirmation/" in response["Location"]
    assert _times(Client(), world, day)[0] == (slot.starts_at, 1)
    book_person(world, slot, name=("Marc", "Roy"))
    assert slot.starts_at not in [moment for moment, _left in _times(Client(), world, day)]


def test_a_cancellation_gives_the_place_back_at_once(world, public):
    open_online_booking(world)
    slot = world.slot(day=2, per_interval=1)
    appointment = book_person(world, slot)
    day = _day_of(slot.starts_at)
    assert slot.starts_at not in [moment for moment, _left in _times(public, world, day)]
    follow_up_services.cancel_appointment(actor=None, appointment=appointment, by_person=True)
    assert _times(public, world, day)[0] == (slot.starts_at, 1)


def test_slot_edits_show_at_once(world, public):
    open_online_booking(world)
    slot = world.slot(day=2, per_interval=1)
    day = _day_of(slot.starts_at)
    assert _times(public, world, day)[0] == (slot.starts_at, 1)
    schedules_services.update_slot(
        slot=slot,
        resource=world.team_a,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        per_interval=3,
        services=[world.first],
        is_locked=False,
    )
    assert _times(public, world, day)[0] == (slot.starts_at, 3)
    schedules_services.set_slot_lock(slot=slot, locked=True)
    assert public.get(_url(world, "public_times"), {"date": day.isoformat()}).context["days"] == []
    schedules_services.set_slot_lock(slot=slot, locked=False)
    assert _times(public, world, day)[0] == (slot.starts_at, 3)
    schedules_services.delete_slot(slot=slot)
    assert public.get(_url(world, "public_times")).context["days"] == []


def test_a_day_locked_from_the_calendar_leaves_the_public_times_at_once(world, public):
    from tests.helpers import verified_client

    open_online_booking(world)
    slot = world.slot(day=2)
    day = _day_of(slot.starts_at)
    assert _times(public, world, day)
    manager = verified_client(world.manager1, membership=world.memberships["manager1"])
    response = manager.post(
        reverse("appointments:day_lock"),
        {"location": world.location_a.pk, "date": day.isoformat(), "locked": "1"},
    )
    assert response.status_code == 302
    assert public.get(_url(world, "public_times")).context["days"] == []


def test_a_configuration_change_shows_at_once(world, public):
    clinic_settings = open_online_booking(world)
    world.slot(day=2)
    assert public.get(_url(world, "public_times")).status_code == 200
    world.location_a.is_active = False
    world.location_a.save()
    assert public.get(_url(world, "public_times")).status_code == 404
    world.location_a.is_active = True
    world.location_a.save()
    clinic_settings.online_booking_open = False
    clinic_settings.save()
    assert public.get(_url(world, "public_times"))["Location"] == reverse(
        "appointments:public_page", args=[world.clinic.pk]
    )


# No database session ----------------------------------------------------------------------------------


def test_a_public_booking_writes_no_session_row(world, public):
    open_online_booking(world)
    slot = world.slot(day=2)
    public.get(reverse("appointments:public_search", args=[world.clinic.pk]))
    public.get(_url(world, "public_times"), {"date": _day_of(slot.starts_at).isoformat()})
    public.post(_url(world, "public_times"), {"time": time_value(slot, slot.starts_at)})
    response = public.post(_url(world, "public_details"), PERSON)
    assert "/confirmation/" in response["Location"]
    assert public.get(response["Location"]).status_code == 200
    assert Appointment.objects.count() == 1
    assert not Session.objects.exists()
    assert "sessionid" not in public.cookies
    assert BOOKING_COOKIE in public.cookies


def test_a_tampered_booking_cookie_is_a_fresh_start(world, public):
    open_online_booking(world)
    slot = world.slot(day=2)
    public.post(_url(world, "public_times"), {"time": time_value(slot, slot.starts_at)})
    public.cookies[BOOKING_COOKIE] = public.cookies[BOOKING_COOKIE].value[:-3] + "abc"
    response = public.post(_url(world, "public_details"), PERSON)
    assert response.status_code == 302 and response["Location"] == _url(world, "public_times")
    assert not Appointment.objects.exists()


def test_the_confirmation_is_only_for_the_browser_that_booked(world, public):
    open_online_booking(world)
    slot = world.slot(day=2)
    public.post(_url(world, "public_times"), {"time": time_value(slot, slot.starts_at)})
    confirmation = public.post(_url(world, "public_details"), PERSON)["Location"]
    assert public.get(confirmation).status_code == 200
    assert Client().get(confirmation).status_code == 404


# The days the clocks change -------------------------------------------------------------------------


def _instants(start, minutes, count):
    first = start.astimezone(UTC)
    return [first + timedelta(minutes=minutes * index) for index in range(count)]


def test_on_the_spring_forward_day_the_times_are_real_instants():
    tz = timezone.get_current_timezone()
    with time_machine.travel(datetime(2027, 3, 10, 10, 0, tzinfo=tz), tick=False):
        world = World()
        open_online_booking(world, days_shown=7)
        # 01:00 to 04:00 on 14 March 2027 is two real hours: 2:00 to 2:59 does not exist.
        slot = world.slot(day=4, start=1, end=4, per_interval=1)
        step = slot.interval_minutes
        expected = _instants(slot.starts_at, step, 120 // step)
        times = _times(Client(), world, date(2027, 3, 14))
        assert [moment for moment, _left in times] == expected
        labels = [f"{timezone.localtime(moment):%H:%M}" for moment, _left in times]
        assert "02:00" not in labels and labels[0] == "01:00" and "03:00" in labels
        # Each value the page offers reads back as its instant.
        response = Client().get(_url(world, "public_times"), {"date": "2027-03-14"})
        for value, moment, _left in response.context["day_times"]:
            form = TimeChoiceForm({"time": value})
            assert form.is_valid() and form.cleaned_data["time"] == moment


def test_on_the_fall_back_day_the_hour_shown_twice_is_left_out():
    tz = timezone.get_current_timezone()
    with time_machine.travel(datetime(2027, 11, 3, 10, 0, tzinfo=tz), tick=False):
        world = World()
        open_online_booking(world, days_shown=7)
        # 00:00 to 03:00 on 7 November 2027 is four real hours; 1:00 to 1:59 happens twice.
        slot = world.slot(day=4, start=0, end=3, per_interval=1)
        step = slot.interval_minutes
        every = _instants(slot.starts_at, step, 240 // step)
        times = _times(Client(), world, date(2027, 11, 7))
        labels = [f"{timezone.localtime(moment):%H:%M}" for moment, _left in times]
        assert labels == [
            f"{timezone.localtime(moment):%H:%M}" for moment in every if timezone.localtime(moment).hour != 1
        ]
        assert [moment for moment, _left in times] == [
            moment for moment in every if timezone.localtime(moment).hour != 1
        ]
        # The day list has the day once, and the days around it are right.
        assert Client().get(_url(world, "public_times")).context["days"] == [date(2027, 11, 7)]


@pytest.mark.parametrize("day", [date(2027, 3, 14), date(2027, 11, 7), date(2027, 6, 1)])
def test_the_local_clock_reads_like_localtime(day):
    start, _end = dates.day_bounds(day - timedelta(days=1))
    _start, end = dates.day_bounds(day + timedelta(days=1))
    clock = dates.LocalClock(start, end)
    moment = start.astimezone(UTC)
    while moment < end:
        ts = int(moment.timestamp())
        local = timezone.localtime(moment)
        assert clock.day(ts) == local.date()
        assert clock.wall(ts) == local.replace(tzinfo=None)
        # (An instant of the repeated hour compares unequal across zones: PEP 495; compare in UTC.)
        assert clock.aware(ts).astimezone(UTC) == moment
        moment += timedelta(minutes=5)
