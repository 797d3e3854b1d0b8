"""A date of birth that cannot be read says which format the box reads (issue 19): "Enter a date as
YYYY-MM-DD." next to the field, nothing saved, nothing typed lost."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from appointments.models import Appointment
from appointments.tests.conftest import open_online_booking
from appointments.tests.helpers import PERSON, choose_time

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
MESSAGES = ("Enter a date as YYYY-MM-DD.", "Entrez une date au format AAAA-MM-JJ.")


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("typed", ["02/01/1980", "1980.01.02", "le 2 janvier"])
def test_an_unreadable_date_of_birth_names_the_expected_format(world, language, typed):
    open_online_booking(world)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    details = choose_time(client, world, world.slot(day=1))
    response = client.post(details, {**PERSON, "date_of_birth": typed})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["date_of_birth"]
    assert " ".join(errors["date_of_birth"]) in MESSAGES
    html = response.content.decode()
    assert 'id="id_date_of_birth_errors"' in html
    assert f'value="{typed}"' in html and 'value="anne@example.com"' in html  # nothing typed is lost
    assert not Appointment.objects.exists()


NO_SUCH_DATE = (
    "This date does not exist: check the day and the month.",
    "Cette date n'existe pas : vérifiez le jour et le mois.",
)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("typed", ["1990-02-30", "1980-13-45"])
def test_a_date_of_birth_in_the_format_that_does_not_exist_says_so(world, language, typed):
    """1990-02-30 has the right format: the error says the day does not exist, not the format
    (the French once the catalogue has it, the English until then)."""
    open_online_booking(world)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    details = choose_time(client, world, world.slot(day=1))
    response = client.post(details, {**PERSON, "date_of_birth": typed})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["date_of_birth"]
    assert " ".join(errors["date_of_birth"]) in NO_SUCH_DATE
    html = response.content.decode()
    assert 'id="id_date_of_birth_errors"' in html
    assert f'value="{typed}"' in html and 'value="anne@example.com"' in html
    assert not Appointment.objects.exists()


# The expected format shown as text beside every date of birth box (issue 20, browser walk) ------------

HINTS = ("Format: YYYY-MM-DD, for example 1980-01-31.", "Format : AAAA-MM-JJ, par exemple 1980-01-31.")


def assert_birth_date_hint(page, name="date_of_birth"):
    """The box named `name` points with aria-describedby at a visible hint that gives the format."""
    import html
    import re

    page = html.unescape(page)
    box = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert box, f"no {name} box"
    described = re.search(r'aria-describedby="([^"]+)"', box.group(0))
    assert described, box.group(0)
    hints = []
    for ident in described.group(1).split():
        found = re.search(rf'<div class="help" id="{ident}">([^<]*)</div>', page)
        if found:
            hints.append(found.group(1))
    assert any(hint in HINTS for hint in hints), (hints, box.group(0))
    return hints


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_public_booking_form_shows_the_date_of_birth_format(world, language):
    open_online_booking(world)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    details = choose_time(client, world, world.slot(day=1))
    assert_birth_date_hint(client.get(details).content.decode())
    # And after an error: the hint stays, the error joins it.
    page = client.post(details, {**PERSON, "date_of_birth": "31/01/1980"}).content.decode()
    assert_birth_date_hint(page)
    assert 'aria-describedby="id_date_of_birth_help id_date_of_birth_errors"' in page


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_staff_pages_show_the_date_of_birth_format(world, language):
    from django.urls import reverse

    from appointments.tests.conftest import book_person
    from appointments.tests.helpers import book_url, client_for
    from portal.models import User

    User.objects.filter(pk=world.manager1.pk).update(preferred_language=language)
    client = client_for(world, "manager1")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    slot = world.slot(day=1)
    assert_birth_date_hint(client.get(book_url(world, slot)).content.decode())
    appointment = book_person(world, slot)
    assert_birth_date_hint(
        client.get(reverse("appointments:appointment_edit", args=[appointment.pk])).content.decode()
    )
    # The follow-up's advanced search.
    assert_birth_date_hint(client.get(reverse("appointments:follow_up")).content.decode())


def test_the_hint_is_english_and_french():
    """The French needs the catalogue (the coordinator fills it)."""
    from django.utils import translation

    from portal.forms import DATE_OF_BIRTH_HELP

    with translation.override("en"):
        assert str(DATE_OF_BIRTH_HELP) == HINTS[0]
    with translation.override("fr"):
        assert str(DATE_OF_BIRTH_HELP) == HINTS[1]
