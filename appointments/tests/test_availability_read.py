"""The open times read from the inventory by slot (issue 16: no local time per time, no model
instance) give exactly what the day-by-day read gives (a CASE of the days' bounds in the
database), on the DST days of America/Moncton — 2026-11-01 (2:00 happens twice) and 2027-03-14
(2:00 to 3:00 does not exist) — and around them: several teams, locations and services, places
taken, a locked slot, the detailed days time by time, days that are not consecutive."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone

from appointments import availability
from appointments.models import Location, Service, Slot, SlotTime, TeamResource
from portal import dates
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

AUTUMN, SPRING = date(2026, 11, 1), date(2027, 3, 14)


def _site(days):
    """Two locations; three teams (two at the first location); two services; per day a night slot
    over the change of time (0:00–5:00, 15 minutes), a day slot (8:00–12:00, 10 minutes, 2 places,
    some taken) and a locked one."""
    clinic = OrganizationFactory(kind="clinic_network")
    services = [
        Service.objects.create(organization=clinic, name_fr=name, name_en=name, duration_minutes=10)
        for name in ("Dose 1", "Dose 2")
    ]
    locations = [
        Location.objects.create(
            organization=clinic,
            name_fr=f"Lieu {index}",
            name_en=f"Location {index}",
            address="1 rue Main",
            city="Moncton",
            postal_code="E1C 8K6",
        )
        for index in (1, 2)
    ]
    teams = []
    for index, location in enumerate([locations[0], locations[0], locations[1]]):
        team = TeamResource.objects.create(organization=clinic, name=f"Équipe {index}", position=2 - index)
        team.locations.set([location])
        team.services.set(services)
        teams.append((team, location))
    slots = []
    for day in days:
        for number, (team, location) in enumerate(teams):
            for start, end, minutes, places, locked in (
                (time(0, 0), time(5, 0), 15, 1, False),
                (time(8, 0), time(12, 0), 10, 2, False),
                (time(13, 0), time(14, 0), 10, 3, True),
            ):
                slot = Slot.objects.create(
                    organization=clinic,
                    location=location,
                    resource=team,
                    starts_at=dates.aware(day, start),
                    ends_at=dates.aware(day, end),
                    interval_minutes=minutes,
                    per_interval=places,
                    is_locked=locked,
                )
                # The first team offers both services, the others one each.
                slot.services.set(services if number == 0 else [services[number % 2]])
                slots.append(slot)
    SlotTime.objects.bulk_create(
        [
            SlotTime(
                slot_id=slot.pk,
                starts_at=moment,
                capacity=slot.per_interval,
                # Some places taken, some times full.
                taken=min(slot.per_interval, index % 3),
            )
            for slot in slots
            for index, moment in enumerate(slot.interval_starts())
        ]
    )
    return clinic, [location.pk for location in locations]


def _both(clinic, location_ids, days, detailed, now):
    arguments = {
        "organization_id": clinic.pk,
        "location_ids": location_ids,
        "days": days,
        "detailed": set(detailed),
        "now": now,
    }
    return availability._read_inventory(**arguments), availability._read_inventory_by_day(**arguments)


@pytest.mark.parametrize("change", [AUTUMN, SPRING])
def test_the_read_by_slot_gives_what_the_read_by_day_gives_on_a_dst_day(change):
    days = [change - timedelta(days=1), change, change + timedelta(days=1)]
    clinic, location_ids = _site(days)
    # The day before, in the evening: every time of the three days is after `now`.
    with time_machine.travel(datetime.combine(days[0], time(23, 0), tzinfo=UTC), tick=False):
        now = timezone.now()
        by_slot, by_day = _both(clinic, location_ids, days, [change], now)
    assert by_slot == by_day
    summaries, times = by_slot
    assert times[(location_ids[1], change)], "the second location's team offers a service that day"
    first_location = times[(location_ids[0], change)]
    for columns in first_location.values():
        assert list(columns[0]) == sorted(set(columns[0]))  # each instant once, in order
    night = {
        stamp
        for columns in first_location.values()
        for stamp in columns[0]
        if timezone.localtime(datetime.fromtimestamp(stamp, UTC)).hour < 6
    }
    # 0:00–5:00 every 15 minutes: 24 times when 1:00–2:00 happens twice, 16 when 2:00–3:00 does
    # not exist; one place each, open every third time (the others are taken).
    assert len(night) == {AUTUMN: 8, SPRING: 6}[change]
    assert all(summary.left > 0 for summary in summaries[(location_ids[0], change)].values())


@pytest.mark.parametrize("change", [AUTUMN, SPRING])
def test_the_same_at_a_moment_within_the_day_and_for_days_that_are_not_consecutive(change):
    days = [change - timedelta(days=2), change - timedelta(days=1), change, change + timedelta(days=1)]
    clinic, location_ids = _site(days)
    # 9:05 local on the DST day: the night and part of the morning are over.
    with time_machine.travel(dates.aware(change, time(9, 5)), tick=False):
        now = timezone.now()
        for asked, detailed in (
            (days, []),
            (days, days),
            ([days[0], days[2]], [days[2]]),
            ([days[0], days[3]], [days[0], days[3]]),
            ([change], [change]),
        ):
            by_slot, by_day = _both(clinic, location_ids, asked, detailed, now)
            assert by_slot == by_day, (asked, detailed)
    # The days before are over: nothing left in them.
    summaries, _times = by_slot
    assert summaries[(location_ids[0], change)]


def test_a_slot_over_two_days_is_read_day_by_day():
    """No slot is saved over midnight (schedules.services refuses it); one written directly is
    read day by day, with the same result."""
    clinic, location_ids = _site([AUTUMN])
    slot = Slot.objects.filter(organization=clinic, is_locked=False).first()
    start = dates.aware(AUTUMN, time(23, 0))
    late = Slot.objects.create(
        organization=clinic,
        location=slot.location,
        resource=slot.resource,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        interval_minutes=30,
        per_interval=1,
    )
    late.services.set(slot.services.all())
    SlotTime.objects.bulk_create(
        [SlotTime(slot_id=late.pk, starts_at=moment, capacity=1) for moment in late.interval_starts()]
    )
    days = [AUTUMN, AUTUMN + timedelta(days=1)]
    with time_machine.travel(datetime(2026, 10, 31, 12, 0, tzinfo=UTC), tick=False):
        by_slot, by_day = _both(clinic, location_ids, days, days, timezone.now())
    assert by_slot == by_day
    next_day = by_slot[1][(slot.location_id, days[1])]
    assert next_day and all(len(columns[0]) == 2 for columns in next_day.values())
