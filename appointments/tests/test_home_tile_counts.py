"""Home-page tiles show how many things wait for the person (issue 18, on every portal): the
follow-up tile counts today's appointments whose person's status is still to mark — not those
marked, cancelled or on another day, nor another network's — at the same number of queries for
1 appointment and for many."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from appointments.follow_up import services as follow_up
from appointments.models import Appointment, AppointmentStatus, Attendance
from appointments.tests.helpers import client_for
from tests.helpers import assert_constant_queries

MORNING = datetime(2026, 12, 3, 7, 0, tzinfo=ZoneInfo("America/Moncton"))


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(MORNING, tick=False):
        yield


def _count(client):
    client.cookies["liaison_language"] = "en"
    page = client.get(reverse("portal:home")).content.decode()
    match = re.search(rf'<a href="{re.escape(reverse("appointments:follow_up"))}">.*?</li>', page, re.S)
    assert match, "the follow-up tile"
    count = re.search(r'class="tile__count"><strong>(\d+) waiting for you</strong>', match.group(0))
    return int(count.group(1)) if count else None


def test_the_follow_up_tile_counts_todays_appointments_to_mark(world):
    today = world.slot(day=0, start=9, end=11)
    tomorrow = world.slot(day=1, start=9, end=10)
    booked = [world.book(today, at=world.at(0, 9, minute)) for minute in (0, 15, 30, 45)]
    world.book(tomorrow)  # another day: not counted
    follow_up.mark_attendance(actor=world.manager1, appointment=booked[0], attendance=Attendance.PRESENT)
    Appointment.objects.scoped("test").filter(pk=booked[1].pk).update(status=AppointmentStatus.CANCELLED)

    assert _count(client_for(world, "manager1")) == 2


def test_another_networks_person_counts_none_of_these(world):
    from tests.factories import MembershipFactory
    from tests.helpers import verified_client

    world.book(world.slot(day=0, start=9, end=10))
    other = MembershipFactory(organization=world.other_clinic, role="appointments.management_1")
    assert _count(verified_client(other.user, membership=other)) == 0


def test_the_home_page_costs_the_same_queries_for_1_and_12_appointments(world):
    slot = world.slot(day=0, start=8, end=12, per_interval=4)
    made = []

    def add(count):
        for _ in range(count):
            index = len(made)
            made.append(world.book(slot, at=world.at(0, 8 + index // 4, 15 * (index % 4))))

    client = client_for(world, "manager1")
    assert_constant_queries(client, reverse("portal:home"), add, large=12)
    assert _count(client) == 12
