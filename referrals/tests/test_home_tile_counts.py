"""Home-page tiles show how many things wait for the person (issue 18, on every portal): the
receiving agency's referrals to answer or transfers to complete, the department's funding requests
to decide — scoped to the person's organization, at the same number of queries for 1 row and many."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from referrals.models import ReferralType
from referrals.plans import services as plan_services
from referrals.responses import services as responses
from tests.helpers import assert_constant_queries, verified_client

pytestmark = pytest.mark.django_db


def _client(user, membership):
    client = verified_client(user, membership=membership)
    client.cookies["liaison_language"] = "en"
    return client


def _count(page, url_name):
    """The count shown on the tile linking to this page, or None."""
    match = re.search(rf'<a href="{re.escape(reverse(url_name))}">.*?</li>', page, re.S)
    assert match, f"the tile of {url_name}"
    count = re.search(r'class="tile__count"><strong>(\d+) waiting for you</strong>', match.group(0))
    return int(count.group(1)) if count else None


def _home(client):
    return client.get(reverse("portal:home")).content.decode()


def test_the_receiving_agency_counts_referrals_to_answer_and_transfers_to_complete(
    network, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    network.send(network.referral(ReferralType.WITHIN), capture)
    answered = network.send(network.referral(ReferralType.WITHIN), capture)
    responses.accept_referral(actor=network.outsider, referral=answered)  # answered: not counted
    network.send(network.referral(ReferralType.TRANSFER), capture)
    network.referral(ReferralType.WITHIN)  # a draft, never sent: not counted

    receiver = _home(_client(network.outsider, network.outsider_membership))
    sender = _home(_client(network.manager, network.manager_membership))

    assert _count(receiver, "referrals:incoming") == 2
    # The sending agency has nothing sent to it.
    assert _count(sender, "referrals:incoming") == 0


def test_the_department_counts_the_funding_requests_to_decide(world):
    case = world.case()
    for _ in range(2):
        plan_services.request_funding(
            actor=world.manager,
            intervention=world.intervention(case, funded=True),
            amount=Decimal(1),
            justification="x",
        )
    page = _home(_client(world.staff, world.staff_membership))
    assert _count(page, "referrals:funding_list") == 2


def test_the_receivers_home_costs_the_same_queries_for_1_and_20_referrals(
    network, django_capture_on_commit_callbacks
):
    def add(count):
        for _ in range(count):
            network.send(network.referral(ReferralType.WITHIN), django_capture_on_commit_callbacks)

    client = _client(network.outsider, network.outsider_membership)
    assert_constant_queries(client, reverse("portal:home"), add, large=20)
    assert _count(_home(client), "referrals:incoming") == 20


def test_the_departments_home_costs_the_same_queries_for_1_and_20_funding_requests(world):
    case = world.case()

    def add(count):
        for _ in range(count):
            plan_services.request_funding(
                actor=world.manager,
                intervention=world.intervention(case, funded=True),
                amount=Decimal(1),
                justification="x",
            )

    assert_constant_queries(
        _client(world.staff, world.staff_membership), reverse("portal:home"), add, large=20
    )
