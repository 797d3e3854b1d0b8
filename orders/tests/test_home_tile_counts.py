"""Home-page tiles show how many things wait for the person (issue 18): the provider's offers awaiting an
answer, the worker's own drafts to complete, the department's reports not yet acknowledged — scoped to
the active organization, and the page costs the same queries for 1 row and for many."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.helpers import verified_client

NOON = datetime(2026, 12, 3, 12, 0, tzinfo=ZoneInfo("America/Moncton"))


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOON, tick=False):
        yield


def _waiting(count, language):
    # The French comes from the catalogue once the coordinator fills it: accept either.
    texts = {f"{count} waiting for you"}
    with translation.override(language):
        texts.add(
            translation.ngettext("%(counter)s waiting for you", "%(counter)s waiting for you", count)
            % {"counter": count}
        )
    return texts


def _home(world, who, language):
    client = verified_client(getattr(world, who), membership=getattr(world, f"{who}_membership"))
    return client, client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_provider_tile_counts_the_offers_awaiting_an_answer(world, language):
    world.offered()
    world.offered(client_name="Anita Plourde")
    world.activated(client_name="Paul Cormier")  # answered: not counted
    world.offered(provider=world.other_provider)  # another provider's offer: not counted
    _, response = _home(world, "coordinator", language)
    page = response.content.decode()
    assert response.status_code == 200
    assert any(f'class="tile__count"><strong>{text}</strong>' in page for text in _waiting(2, language))


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_worker_tile_counts_their_drafts_to_complete(world, language):
    world.summary()
    world.summary(client_name="Anita Plourde")
    world.offered(client_name="Paul Cormier")  # offered: nothing left to complete
    _, response = _home(world, "worker", language)
    page = response.content.decode()
    assert any(f'class="tile__count"><strong>{text}</strong>' in page for text in _waiting(2, language))


def test_the_outsider_sees_no_count_of_other_organizations(world):
    world.offered()
    _, response = _home(world, "outsider", "en")
    page = response.content.decode()
    assert "1 waiting for you" not in page
    assert "0 waiting for you" in page or "waiting for you" not in page


@pytest.mark.parametrize(("who", "make"), [("coordinator", "offered"), ("worker", "summary")])
def test_the_home_page_costs_the_same_queries_for_1_and_12_rows(world, django_assert_num_queries, who, make):
    getattr(world, make)()
    client, _ = _home(world, who, "en")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("portal:home"))
    for _ in range(11):
        getattr(world, make)()
    with django_assert_num_queries(len(few)):
        page = client.get(reverse("portal:home")).content.decode()
    assert "12 waiting for you" in page
