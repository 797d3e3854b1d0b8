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
@pytest.mark.parametrize("typed", ["02/01/1980", "1980-13-45", "le 2 janvier"])
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
