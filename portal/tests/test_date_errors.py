"""Date boxes that cannot read what was typed say which format they read (issue 19)."""

from datetime import date

import pytest
from django import forms
from django.utils import translation

from portal.forms import DATE_ERRORS, DATE_WIDGET, IsoDateField

MESSAGES = {"en": "Enter a date as YYYY-MM-DD.", "fr": "Entrez une date au format AAAA-MM-JJ."}


class _Form(forms.Form):
    born = forms.DateField(label="Date of birth", widget=DATE_WIDGET, error_messages=DATE_ERRORS)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_error_names_the_format_the_box_reads(language):
    with translation.override(language):
        form = _Form(data={"born": "31/12/1980"})
        assert not form.is_valid()
        # The French once the catalogue has it; the English until then.
        assert form.errors["born"] == [MESSAGES[language]] or form.errors["born"] == [MESSAGES["en"]]
        assert 'value="31/12/1980"' in str(form["born"])  # what was typed stays in the box


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_case_file_s_date_of_birth_names_the_format(language):
    from referrals.cases.forms import PersonForm

    with translation.override(language):
        form = PersonForm(data={"first_name": "Anne", "last_name": "Roy", "birth_date": "1980.01.02"})
        assert not form.is_valid()
        assert form.errors["birth_date"][0] in MESSAGES.values()


NO_SUCH_DATE = "This date does not exist: check the day and the month."


class _IsoForm(forms.Form):
    born = IsoDateField(label="Date of birth", widget=DATE_WIDGET)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1990-02-30", NO_SUCH_DATE),
        ("2023-02-29", NO_SUCH_DATE),
        ("1990-13-01", NO_SUCH_DATE),
        (" 1990-04-31 ", NO_SUCH_DATE),
        ("30/02/1990", MESSAGES["en"]),
        ("1990.02.03", MESSAGES["en"]),
        ("hello", MESSAGES["en"]),
    ],
)
def test_a_day_that_does_not_exist_is_told_apart_from_a_wrong_format(typed, message):
    with translation.override("en"):
        form = _IsoForm(data={"born": typed})
        assert not form.is_valid()
        assert form.errors["born"] == [message]
        assert f'value="{typed}"' in str(form["born"])  # what was typed stays in the box


def test_a_real_date_in_the_format_is_read():
    form = _IsoForm(data={"born": "2024-02-29"})
    assert form.is_valid()
    assert form.cleaned_data["born"] == date(2024, 2, 29)


@pytest.mark.django_db
def test_the_booking_and_case_file_dates_of_birth_say_the_day_does_not_exist():
    from appointments.booking.forms import PersonForm as BookingPersonForm
    from appointments.models import FieldMode, PersonalField, Service
    from referrals.cases.forms import PersonForm

    with translation.override("en"):
        form = PersonForm(data={"first_name": "Anne", "last_name": "Roy", "birth_date": "1990-02-30"})
        assert not form.is_valid()
        assert form.errors["birth_date"] == [NO_SUCH_DATE]
        service = Service(personal_fields={PersonalField.DATE_OF_BIRTH: FieldMode.REQUIRED})
        booking = BookingPersonForm(data={"date_of_birth": "1990-02-30"}, service=service)
        assert not booking.is_valid()
        assert booking.errors["date_of_birth"] == [NO_SUCH_DATE]
