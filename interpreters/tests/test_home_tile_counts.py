"""Home-page tiles show how many things wait for the person (issue 18, on every portal): the
coordinator's requests to assign, the interpreter's offers to answer — scoped to the person's bank
and to the interpreter, at the same number of queries for 1 row and for many."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from interpreters.requests import services
from tests.factories import OrganizationFactory
from tests.helpers import verified_client


def _home(user, membership):
    client = verified_client(user, membership=membership)
    client.cookies["liaison_language"] = "en"
    return client, client.get(reverse("portal:home")).content.decode()


def _count(page, url_name):
    """The count shown on the tile linking to this page, or None."""
    url = reverse(url_name)
    match = re.search(rf'<a href="{re.escape(url)}">.*?</li>', page, re.S)
    assert match, f"the tile of {url_name}"
    count = re.search(r'class="tile__count"><strong>(\d+) waiting for you</strong>', match.group(0))
    return int(count.group(1)) if count else None


def test_the_coordinator_tile_counts_the_requests_to_assign(world):
    world.request()
    world.request(start_time=world.values()["start_time"].replace(hour=13))
    world.confirmed()  # has its interpreter: not to assign
    _, page = _home(world.coordinator, world.coordinator_membership)
    assert _count(page, "interpreters:queue") == 2
    assert _count(page, "interpreters:registrations") == 0


def test_the_interpreter_tile_counts_their_own_offers(world):
    first = world.request()
    services.assign_interpreter(actor=world.coordinator, request=first, interpreter=world.near)
    second = world.request(start_time=world.values()["start_time"].replace(hour=14))
    services.assign_interpreter(actor=world.coordinator, request=second, interpreter=world.far)

    _, page = _home(world.near.user, world.near_membership)

    assert _count(page, "interpreters:my_work") == 1


def test_another_banks_coordinator_counts_nothing_of_this_bank(world):
    from tests.factories import MembershipFactory

    world.request()
    other = MembershipFactory(
        organization=OrganizationFactory(kind="interpreter_bank"), role="interpreters.coordinator"
    )
    _, page = _home(other.user, other)
    assert _count(page, "interpreters:queue") == 0


@pytest.mark.parametrize("who", ["coordinator", "interpreter"])
def test_the_home_page_costs_the_same_queries_for_1_and_8_rows(world, django_assert_num_queries, who):
    made = []

    def make():
        # A day each: an interpreter holds one assignment at a time.
        made.append(1)
        request = world.request(date=timezone.localdate() + timedelta(days=2 + len(made)))
        if who == "interpreter":
            services.assign_interpreter(actor=world.coordinator, request=request, interpreter=world.near)

    user, membership = (
        (world.coordinator, world.coordinator_membership)
        if who == "coordinator"
        else (world.near.user, world.near_membership)
    )
    make()
    client, _ = _home(user, membership)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("portal:home"))
    for _ in range(7):
        make()
    with django_assert_num_queries(len(few)):
        page = client.get(reverse("portal:home")).content.decode()
    url_name = "interpreters:queue" if who == "coordinator" else "interpreters:my_work"
    assert _count(page, url_name) == 8
