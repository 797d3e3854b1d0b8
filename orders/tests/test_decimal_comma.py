"""The monthly service confirmation and the order fields take the decimals each language writes:
"37,5" in French, "37.5" in both; what could be read two ways is refused next to its field."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import MonthlyConfirmation
from tests.helpers import verified_client


def client_in(world, language):
    world.coordinator.preferred_language = language
    world.coordinator.save(update_fields=["preferred_language"])
    return verified_client(world.coordinator, membership=world.coordinator_membership)


@pytest.mark.parametrize(
    "language, units, km",
    [("fr", "37,5", "123,5"), ("fr", "37.5", "123.5"), ("fr", "37,5", "1 123,5"), ("en", "37.5", "123.5")],
)
def test_it_records_the_units_and_kilometres_as_typed(world, language, units, km):
    order = world.activated().orders.get()
    client = client_in(world, language)
    month = timezone.localdate().strftime("%Y-%m")
    response = client.post(
        reverse("orders:confirm_month", args=[order.pk]),
        {"month": month, "units_delivered": units, "km_delivered": km, "step": "confirm"},
    )
    assert response.status_code == 302
    confirmation = MonthlyConfirmation.objects.get(order=order)
    assert confirmation.units_delivered == Decimal("37.5")
    assert confirmation.km_delivered == Decimal(km.replace(",", ".").replace(" ", ""))


def test_it_refuses_an_english_comma_next_to_the_field_and_records_nothing(world):
    order = world.activated().orders.get()
    client = client_in(world, "en")
    month = timezone.localdate().strftime("%Y-%m")
    response = client.post(
        reverse("orders:confirm_month", args=[order.pk]),
        {"month": month, "units_delivered": "37,5", "km_delivered": "1,234"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_units_delivered_errors"' in page and 'id="id_km_delivered_errors"' in page
    assert "“37,5” can be read in more than one way" in page
    assert "“1,234” can be read in more than one way" in page
    assert not MonthlyConfirmation.objects.exists()


def test_the_form_is_a_text_box_that_shows_french_decimals(world):
    order = world.activated().orders.get()
    client = client_in(world, "fr")
    page = client.post(
        reverse("orders:confirm_month", args=[order.pk]),
        {"month": "2000-01", "units_delivered": "37,5", "km_delivered": "abc"},
    ).content.decode()
    assert 'name="units_delivered" value="37,5"' in page
    assert "Entrez un nombre, par exemple 37,5." in page
    assert 'type="number"' not in page
