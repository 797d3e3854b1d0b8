"""Service orders: account names are found without accents or case and sort as letters."""

import pytest
from django.urls import reverse

from tests.helpers import search, verified_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(world):
    return verified_client(world.coordinator, membership=world.coordinator_membership)


@pytest.fixture
def worker(world):
    return verified_client(world.worker, membership=world.worker_membership)


def _names(response):
    return [row.record.client_name for row in response.context["table"].page.object_list]


@pytest.mark.parametrize("typed", ["belanger", "ÉLISE BÉLANGER", "Elise"])
def test_the_order_search_finds_an_account_name_without_accents(world, coordinator, typed):
    world.offered(client_name="Élise Bélanger")
    world.offered(client_name="Anita Plourde")
    response = search(coordinator, reverse("orders:requests"), {"tab": "search", "account_name": typed})
    assert [row.record.summary.client_name for row in response.context["table"].page.object_list] == [
        "Élise Bélanger"
    ]


def test_the_department_list_searches_and_sorts_account_names_as_letters(world, worker):
    for name in ["Gisèle Roy", "Élise Roy", "Gérard Roy", "Adèle Roy"]:
        world.offered(client_name=name)
    response = worker.get(reverse("orders:department_list"), {"sort": "client_name"})
    assert _names(response) == ["Adèle Roy", "Élise Roy", "Gérard Roy", "Gisèle Roy"]
    response = search(worker, reverse("orders:department_list"), {"q": "ELISE"})
    assert _names(response) == ["Élise Roy"]


def test_the_offered_tab_sorts_account_names_as_letters(world, coordinator):
    for name in ["Gisèle Roy", "élise Roy", "Gérard Roy"]:
        world.offered(client_name=name)
    response = coordinator.get(reverse("orders:requests"), {"tab": "offered", "sort": "-client_name"})
    assert _names(response) == ["Gisèle Roy", "Gérard Roy", "élise Roy"]
