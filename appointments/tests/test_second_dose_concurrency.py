"""Issue 20: people racing for the last place of a second dose on PostgreSQL, each from their own
first dose: exactly as many second doses as places, a clear refusal for the others; and one person's
two tabs booking their second dose at once hold one appointment."""

from datetime import UTC, datetime

import pytest
import time_machine

from appointments.booking import services as booking_services
from appointments.models import Appointment, ClinicSettings
from appointments.tests.conftest import book_person
from tests.concurrency import race, require_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOW = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)


def _pair(world):
    world.first.minimum_interval_days = 28
    world.first.save()
    ClinicSettings.objects.create(organization=world.clinic, online_booking_open=True, days_shown=14)


def _second_dose(first, slot, world):
    def call():
        booking_services.book_place(
            actor=None,
            slot=slot,
            service=world.second,
            starts_at=slot.starts_at,
            online=True,
            **booking_services.second_dose_values(first),
        )

    return call


@time_machine.travel(NOW, tick=True)
def test_a_rush_for_a_second_doses_last_places_books_exactly_the_places(world):
    require_postgres()
    _pair(world)
    first_slot = world.slot(day=1, start=9, end=12, per_interval=2)
    firsts = [
        book_person(
            world, first_slot, at=first_slot.interval_starts()[index // 2], name=(f"Person{index}", "Roy")
        )
        for index in range(8)
    ]
    second_slot = world.slot(day=29, team=world.team_b, location=world.location_a, per_interval=3)
    outcomes = race(*(_second_dose(first, second_slot, world) for first in firsts))
    assert outcomes.count("done") == 3
    assert all("no longer available" in outcome for outcome in outcomes if outcome != "done"), outcomes
    assert (
        Appointment.objects.filter(
            service=world.second, slot=second_slot, starts_at=second_slot.starts_at
        ).count()
        == 3
    )


@time_machine.travel(NOW, tick=True)
def test_one_persons_two_tabs_book_one_second_dose(world):
    require_postgres()
    _pair(world)
    first = book_person(world, world.slot(day=1), email="anne@example.com")
    second_slot = world.slot(day=29, team=world.team_b, location=world.location_a, per_interval=5)
    outcomes = race(*(_second_dose(first, second_slot, world) for _tab in range(4)))
    assert outcomes.count("done") == 1, outcomes
    assert Appointment.objects.filter(service=world.second, person_key=first.person_key).count() == 1
