"""Case management searches and lists: accents and case are ignored, names sort as letters."""

import pytest
from django.urls import reverse

from referrals.partners import services as partner_services
from tests.helpers import search, verified_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(world):
    return verified_client(world.manager, membership=world.manager_membership)


def _numbers(response):
    return [row.record.number for row in response.context["table"].page.object_list]


@pytest.mark.parametrize("typed", ["belanger", "BELANGER", "élise bélanger", "ELISE"])
def test_the_case_search_ignores_accents_and_case(world, manager, typed):
    found = world.case(first_name="Élise", last_name="Bélanger")
    world.case(first_name="Paul", last_name="Martin")
    response = search(manager, reverse("referrals:case_list"), {"q": typed, "status": ""})
    assert _numbers(response) == [found.number]


def test_the_case_list_sorts_people_by_name_as_letters(world, manager):
    for first_name, last_name in [
        ("Gisèle", "Gisèle"),
        ("Élise", "Élise"),
        ("Gérard", "Gérard"),
        ("A", "Zoé"),
    ]:
        world.case(first_name=first_name, last_name=last_name)
    response = search(manager, reverse("referrals:case_list"), {"q": "", "sort": "person"})
    people = [row.record.person.last_name for row in response.context["table"].page.object_list]
    assert people == ["Élise", "Gérard", "Gisèle", "Zoé"]


def test_opening_a_case_finds_the_client_without_accents(world, manager):
    client = world.case(status="closed", first_name="Élise", last_name="Bélanger")
    response = search(manager, reverse("referrals:case_create"), {"q": "BELANGER"})
    assert client.person.display_name in response.content.decode()


def test_the_partner_search_ignores_accents_and_sorts_as_letters(world, manager):
    partner_services.save_partner(name="Érablière du Nord", city="Édmundston")
    response = manager.get(reverse("referrals:partner_list"), {"name": "erabliere", "city": "EDMUND"})
    assert [row.record.name for row in response.context["table"].page.object_list] == ["Érablière du Nord"]
    response = manager.get(reverse("referrals:partner_list"))
    names = [row.record.name for row in response.context["table"].page.object_list]
    assert names == ["Atelier privé", "Collège communautaire", "Érablière du Nord"]
