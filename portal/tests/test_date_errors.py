"""Date boxes that cannot read what was typed say which format they read (issue 19)."""

import pytest
from django import forms
from django.utils import translation

from portal.forms import DATE_ERRORS, DATE_WIDGET

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
