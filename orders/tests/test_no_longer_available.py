"""The "no longer available" page says what happened: declined by the provider itself (who, when,
its reason), or taken back by Social Development."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from orders.offers import services as offer_services
from orders.summaries import services as summary_services
from tests.helpers import verified_client

MONCTON = ZoneInfo("America/Moncton")
TAKEN_BACK = "This order summary was declined or taken back by Social Development in the meantime."


@pytest.fixture
def clock():
    with time_machine.travel(datetime(2026, 11, 2, 10, 0, tzinfo=MONCTON), tick=False) as traveller:
        yield traveller


def _client(world, who, language="en"):
    user = getattr(world, who)
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    return verified_client(user, membership=getattr(world, f"{who}_membership"))


def _page(client, summary):
    response = client.get(reverse("orders:summary", args=[summary.pk]))
    assert response.status_code == 404
    return response.content.decode()


def test_it_tells_the_person_who_declined_that_they_did(world, clock):
    summary = world.offered()
    clock.move_to(datetime(2026, 11, 5, 14, 30, tzinfo=MONCTON))
    offer_services.decline_summary(actor=world.coordinator, summary=summary, reason="No staff in that zone")
    page = _page(_client(world, "coordinator"), summary)
    assert f"You declined the request {summary.number} on 5 November 2026." in page
    assert "Social Development has been told." in page
    assert "No staff in that zone" in page
    assert "taken back by Social Development" not in page


def test_it_names_the_colleague_who_declined(world, clock):
    summary = world.offered()
    offer_services.decline_summary(actor=world.both, summary=summary, reason="No staff")
    page = _page(_client(world, "coordinator"), summary)
    assert f"{world.both}, of your organization, declined the request {summary.number} on 2 November 2026." in page
    assert "taken back by Social Development" not in page


def test_answering_an_offer_a_colleague_declined_meanwhile_says_so(world, clock):
    summary = world.offered()
    offer_services.decline_summary(actor=world.both, summary=summary, reason="No staff")
    response = _client(world, "coordinator").post(
        reverse("orders:respond", args=[summary.pk]), {"step": "confirm", "decision": "accept", "message": ""}
    )
    assert response.status_code == 404
    assert "of your organization, declined the request" in response.content.decode()


def test_it_says_it_in_french(world, clock):
    summary = world.offered()
    offer_services.decline_summary(actor=world.coordinator, summary=summary, reason="Pas de personnel")
    page = _page(_client(world, "coordinator", "fr"), summary)
    with translation.override("fr"):
        expected = translation.gettext("You declined the request %(number)s on %(date)s.") % {
            "number": summary.number,
            "date": "2 novembre 2026",
        }
        reason_label = translation.gettext("Reason for declining the request")
    assert expected in page
    assert reason_label in page
    assert "Pas de personnel" in page


def test_an_offer_revoked_by_the_department_still_says_it_was_taken_back(world, clock):
    summary = world.offered()
    summary_services.revoke_offer(actor=world.worker, summary=summary)
    page = _page(_client(world, "coordinator"), summary)
    assert TAKEN_BACK in page
    assert "declined the request" not in page


def test_another_providers_lost_offer_stays_a_plain_404(world, clock):
    summary = world.offered(provider=world.other_provider)
    offer_services.decline_summary(actor=world.outsider, summary=summary, reason="No")
    page = _page(_client(world, "coordinator"), summary)
    assert "no longer available" not in page
    assert "declined the request" not in page
