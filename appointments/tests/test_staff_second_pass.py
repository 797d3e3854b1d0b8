"""Issue 20, staff side: "Print the coupon" prints the coupon alone; ended access can be granted
again; French plurals; new rows go to the end of their order; deleting a slot asks first."""

import html
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from appointments.tests.conftest import book_person
from appointments.tests.helpers import client_for

pytestmark = pytest.mark.django_db
MONCTON = ZoneInfo("America/Moncton")


@pytest.fixture(autouse=True)
def _monday_morning():
    with time_machine.travel(datetime(2027, 2, 1, 10, 0, tzinfo=MONCTON), tick=False):
        yield


def _client(world, key, language):
    user = getattr(world, key)
    user.preferred_language = language
    user.save()
    return client_for(world, key)


def _text(response):
    return html.unescape(response.content.decode())


# "Print the coupon" -------------------------------------------------------------------------------------

COUPON_WORDS = {
    "en": ("Print the coupon", "Appointment confirmation — {number}", "Patient's name", "Wednesday 3 February 2027"),
    "fr": ("Imprimer le coupon", "Confirmation de rendez-vous — {number}", "Nom du patient", "mercredi 3 février 2027"),
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_print_the_coupon_prints_the_coupon_alone(world, language):
    slot = world.slot(day=2, start=10, end=11)
    appointment = book_person(
        world,
        slot,
        details={"health_card_number": "1234 567 890", "postal_code": "E2A 1A1"},
        comment="Allergie aux œufs",
    )
    client = _client(world, "manager1", language)
    button, title, name_label, day = COUPON_WORDS[language]
    detail = _text(client.get(reverse("appointments:appointment", args=[appointment.pk])))
    # The staff page links to the coupon's page (it works without JavaScript; printing is the browser's).
    assert f'<a class="button button--secondary" href="?print=coupon">{button}</a>' in detail
    response = client.get(reverse("appointments:appointment", args=[appointment.pk]), {"print": "coupon"})
    assert response.status_code == 200
    assert [template.name for template in response.templates][0] == "appointments/coupon_print.html"
    page = _text(response)
    assert f'<html lang="{language}"' in page
    for shown in (title.format(number=appointment.number), name_label, "Anne Roy", day, "10:00", "Lieu A"):
        assert shown in page
    assert str(world.first.name) in page or "dose" in page
    # Not the staff record: no health card number, postal code, comment, history, staff names, menu.
    staff_name = world.manager1.get_full_name() or world.manager1.email
    for hidden in ("1234 567 890", "E2A 1A1", "Allergie", staff_name, 'class="history"', "<nav"):
        assert hidden not in page
    assert "data-print" in page


def test_the_coupon_page_answers_404_for_another_network(world):
    slot = world.slot(day=2, start=10, end=11)
    appointment = book_person(world, slot)
    from tests.helpers import verified_client

    from tests.factories import MembershipFactory

    membership = MembershipFactory(organization=world.other_clinic, role="appointments.management_1")
    outsider = verified_client(membership.user, membership=membership)
    response = outsider.get(reverse("appointments:appointment", args=[appointment.pk]), {"print": "coupon"})
    assert response.status_code == 404
