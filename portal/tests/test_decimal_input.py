"""Decimal numbers as people type them: the French comma is a decimal separator, nothing that could be
read two ways is accepted, and nothing is ever silently multiplied by ten."""

import importlib
import importlib.util
import pkgutil
from decimal import Decimal

import pytest
from django import forms
from django.utils import translation

from portal.forms import LocalizedDecimalField

NBSP, NNBSP = "\u00a0", "\u202f"


def clean(text, language, **kwargs):
    field = LocalizedDecimalField(max_digits=10, decimal_places=kwargs.pop("decimal_places", 2), **kwargs)
    with translation.override(language):
        return field.clean(text)


def errors(text, language, **kwargs):
    with pytest.raises(forms.ValidationError) as caught, translation.override(language):
        LocalizedDecimalField(max_digits=10, decimal_places=2, **kwargs).clean(text)
    with translation.override(language):
        return caught.value.messages


@pytest.mark.parametrize(
    "text, expected",
    [
        ("37,5", "37.5"),
        ("37.5", "37.5"),
        ("123,5", "123.5"),
        ("30,09", "30.09"),
        ("1 234,5", "1234.5"),
        (f"1{NBSP}234,5", "1234.5"),
        (f"1{NNBSP}234,5", "1234.5"),
        (f"12{NBSP}345{NBSP}678,25", "12345678.25"),
        ("1 234.5", "1234.5"),
        (" 40 ", "40"),
        (",5", "0.5"),
        ("-3,5", "-3.5"),
    ],
)
def test_it_reads_french_input_with_a_comma_or_a_point(text, expected):
    assert clean(text, "fr") == Decimal(expected)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("37.5", "37.5"),
        ("1,234.5", "1234.5"),
        ("1,234,567.25", "1234567.25"),
        ("1 234.5", "1234.5"),
        ("40", "40"),
    ],
)
def test_it_reads_english_input_with_a_point(text, expected):
    assert clean(text, "en") == Decimal(expected)


@pytest.mark.parametrize("text", ["37,5", "1,234", "1.234,5", "1.234.5", "12,34.5", "1 234,5"])
def test_it_refuses_what_english_could_read_two_ways(text):
    (message,) = errors(text, "en")
    assert message == (
        f"“{text}” can be read in more than one way. Type the number without a thousands separator, "
        "for example 1234.5."
    )


@pytest.mark.parametrize("text", ["1.234,5", "1,234.5", "1.234.5", "1,2,3", "12,34.5"])
def test_it_refuses_what_french_could_read_two_ways(text):
    (message,) = errors(text, "fr")
    assert f"« {text} »" in message and "1234,5" in message


@pytest.mark.parametrize("text", ["12a", "1e3", "NaN", "Infinity", "1 23,5", "12 34", "--5", "3,5 km", "٣"])
@pytest.mark.parametrize("language, example", [("fr", "37,5"), ("en", "37.5")])
def test_it_refuses_what_is_not_a_number_with_an_example_in_the_language(text, language, example):
    (message,) = errors(text, language)
    assert message.endswith(f"{example}.")


def test_a_french_comma_is_never_a_thousands_separator():
    # "1,234" in French is one and a bit: it has too many decimals for a money field, not 1234.
    assert errors("1,234", "fr") != []
    assert clean("1,234", "fr", decimal_places=3) == Decimal("1.234")


def test_the_usual_limits_still_apply():
    assert errors("-1", "fr", min_value=0)
    assert clean("", "fr", required=False) is None
    with pytest.raises(forms.ValidationError):
        clean("", "fr")


@pytest.mark.parametrize("language, shown", [("fr", 'value="37,50"'), ("en", 'value="37.50"')])
def test_it_shows_the_value_in_the_active_language_in_a_text_box(language, shown):
    class Form(forms.Form):
        units = LocalizedDecimalField(max_digits=8, decimal_places=2)

    with translation.override(language):
        html = str(Form(initial={"units": Decimal("37.50")})["units"])
    assert shown in html
    # Not type="number": Chromium reads a comma typed there as a thousands separator ("37,5" → 375).
    assert 'type="text"' in html and 'inputmode="decimal"' in html


def test_a_value_shown_in_french_reads_back_the_same():
    class Form(forms.Form):
        units = LocalizedDecimalField(max_digits=8, decimal_places=2)

    with translation.override("fr"):
        form = Form({"units": Form(initial={"units": Decimal("1234.56")})["units"].value()})
        shown = form["units"].as_widget()
        assert form.is_valid() and form.cleaned_data["units"] == Decimal("1234.56")
    assert 'value="1234,56"' in shown


def _forms_modules(app):
    """The app's forms modules: `app.forms`, and `app.<area>.forms` for an app in packages by area."""
    package = importlib.import_module(app)
    names = [f"{app}.forms"] + [
        f"{app}.{info.name}.forms" for info in pkgutil.iter_modules(package.__path__) if info.ispkg
    ]
    return [importlib.import_module(name) for name in names if importlib.util.find_spec(name) is not None]


@pytest.mark.parametrize("app", ["orders", "referrals", "interpreters", "appointments", "portal"])
def test_every_decimal_input_of_every_form_is_localized(app):
    """A plain DecimalField (declared, or made by a ModelForm from a model field) would bring back
    <input type="number"> and its silent x10: each form declares LocalizedDecimalField, or its
    ModelForm Meta has formfield_callback = portal.forms.localized_formfield."""
    modules = _forms_modules(app)
    assert modules, f"{app} has no forms module"
    plain = [
        f"{module.__name__}.{name}.{field_name}"
        for module in modules
        for name, form in vars(module).items()
        if isinstance(form, type) and issubclass(form, forms.BaseForm) and form.__module__ == module.__name__
        for field_name, field in form.base_fields.items()
        if isinstance(field, (forms.DecimalField, forms.FloatField))
        and not isinstance(field, LocalizedDecimalField)
    ]
    assert plain == []
