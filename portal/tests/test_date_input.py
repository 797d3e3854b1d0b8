"""Date boxes show year-month-day in every browser: never <input type="date">, whose display
follows the computer's locale (12/01/2026 on a US-English desktop) instead of the page."""

import datetime

import pytest
from django import forms
from django.utils import translation

from portal.forms import DATE_WIDGET, IsoDateInput
from portal.tests.test_decimal_input import _forms_modules


def test_the_date_box_is_text_in_iso_format_with_a_hint_in_the_page_language():
    class Form(forms.Form):
        day = forms.DateField(widget=DATE_WIDGET)

    with translation.override("fr"):
        html = str(Form(initial={"day": datetime.date(2026, 12, 1)})["day"])
    assert 'type="text"' in html and 'value="2026-12-01"' in html and 'placeholder="AAAA-MM-JJ"' in html
    with translation.override("en"):
        assert 'placeholder="YYYY-MM-DD"' in str(Form()["day"])


@pytest.mark.parametrize("app", ["orders", "referrals", "interpreters", "appointments", "portal"])
def test_no_form_uses_a_browser_date_picker(app):
    native = [
        f"{module.__name__}.{name}.{field_name}"
        for module in _forms_modules(app)
        for name, form in vars(module).items()
        if isinstance(form, type) and issubclass(form, forms.BaseForm) and form.__module__ == module.__name__
        for field_name, field in form.base_fields.items()
        if isinstance(field, forms.DateField)
        and (field.widget.input_type == "date" or field.widget.attrs.get("type") == "date")
    ]
    assert native == []


def test_the_widget_keeps_extra_attributes():
    assert IsoDateInput(attrs={"class": "narrow"}).attrs["class"] == "narrow"
