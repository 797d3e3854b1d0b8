"""Issue 20 (browser walk): the calendar file attached to the confirmation email is named in the
email's language ("rendez-vous-XXXX.ics" in French). The French needs the catalogue."""

import pytest
from django.utils import translation
from icalendar import Calendar

from appointments.emails import ics_attachment
from appointments.tests.conftest import book_person

pytestmark = pytest.mark.django_db

NAMES = {"en": "appointment-{}.ics", "fr": "rendez-vous-{}.ics"}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_calendar_file_is_named_in_the_emails_language(world, language):
    appointment = book_person(world, world.slot(day=2), email="anne@example.com", language=language)
    # Whatever language the worker runs in, the name follows the appointment's.
    with translation.override("fr" if language == "en" else "en"):
        name, data, mimetype = ics_attachment(appointment.pk)
    assert name == NAMES[language].format(appointment.number)
    assert mimetype == "text/calendar"
    assert Calendar.from_ical(data).walk("VEVENT")[0].decoded("dtstart") == appointment.starts_at


def test_no_file_for_an_appointment_that_is_gone():
    assert ics_attachment(0) is None
