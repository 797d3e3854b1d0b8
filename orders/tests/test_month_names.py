"""A month after "Services" (issue 18): "Services d'octobre 2026", "Services de novembre 2026" —
French elides "de" before a vowel (d'avril, d'août, d'octobre); English says "for"."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from orders.confirmations import services as confirmation_services
from orders.templatetags import orders_tags
from tests.helpers import verified_client

MONCTON = ZoneInfo("America/Moncton")
DECEMBER_3 = datetime(2026, 12, 3, 10, 0, tzinfo=MONCTON)
VOWEL = "services of a month whose name starts with a vowel"
PLAIN = "services of a month"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(DECEMBER_3, tick=False) as traveller:
        yield traveller


@pytest.mark.parametrize(
    ("month", "context"),
    [
        (date(2026, 4, 1), VOWEL),  # avril
        (date(2026, 8, 1), VOWEL),  # août
        (date(2026, 10, 1), VOWEL),  # octobre
        (date(2026, 11, 1), PLAIN),  # novembre
        (date(2026, 5, 1), PLAIN),  # mai
        (date(2026, 1, 1), PLAIN),  # janvier
    ],
)
def test_the_french_month_name_chooses_the_elided_form_before_a_vowel(monkeypatch, month, context):
    asked = []
    monkeypatch.setattr(
        orders_tags, "pgettext", lambda ctx, text: asked.append(ctx) or {VOWEL: "d'%(month)s"}.get(ctx, "de %(month)s")
    )
    with translation.override("fr"):
        phrase = orders_tags.of_month(month)
    assert asked == [context]
    name = {4: "avril", 8: "août", 10: "octobre", 11: "novembre", 5: "mai", 1: "janvier"}[month.month]
    assert phrase == (f"d'{name} 2026" if context == VOWEL else f"de {name} 2026")


def test_english_says_for_whatever_the_month():
    with translation.override("en"):
        assert orders_tags.of_month(date(2026, 10, 1)) == "for October 2026"
        assert orders_tags.of_month(date(2026, 11, 1)) == "for November 2026"


def _client(user, membership, language):
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    return verified_client(user, membership=membership)


SAID = {
    # The French sentence comes from the catalogue once the coordinator fills it; never "de octobre".
    "fr": ("Services d'octobre 2026 confirmés", "Services for octobre 2026 confirmed"),
    "en": ("Services for October 2026 confirmed on order",),
}
TYPED = {"fr": ("37,5", "0"), "en": ("37.5", "0")}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_confirming_october_says_the_month_with_its_preposition(world, language):
    order = world.activated().orders.get()
    client = _client(world.coordinator, world.coordinator_membership, language)
    units, km = TYPED[language]
    response = client.post(
        reverse("orders:confirm_month", args=[order.pk]),
        {"month": "2026-10", "units_delivered": units, "km_delivered": km, "step": "confirm"},
    )
    assert response.status_code == 302
    said = " ".join(str(message) for message in get_messages(response.wsgi_request))
    assert any(text in said for text in SAID[language]), said
    assert "de octobre" not in said
    confirmation = order.confirmations.get()
    page = client.get(reverse("orders:confirmation", args=[confirmation.pk])).content.decode()
    assert "de octobre" not in page
    if language == "en":
        assert f"Services for October 2026, order {order.number}" in page


def test_the_acknowledgement_says_the_month_with_its_preposition(world):
    order = world.activated().orders.get()
    confirmation = confirmation_services.confirm_month(
        actor=world.coordinator, order=order, month=date(2026, 11, 1), units_delivered=1, km_delivered=0
    )
    client = _client(world.worker, world.worker_membership, "en")
    response = client.post(reverse("orders:confirmation_acknowledge", args=[confirmation.pk]))
    said = " ".join(str(message) for message in get_messages(response.wsgi_request))
    assert f"Services for November 2026 acknowledged on order {order.number}." in said
