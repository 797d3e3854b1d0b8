"""The error summary names each field, then its error, with French punctuation in French."""

import pytest
from django import forms
from django.template.loader import render_to_string
from django.utils import translation


class _Form(forms.Form):
    role = forms.CharField(label="Rôle")


@pytest.mark.parametrize(("language", "colon"), [("fr", "\u00a0:"), ("en", ":")])
def test_each_field_of_the_summary_is_followed_by_the_languages_colon(language, colon):
    form = _Form(data={})
    with translation.override(language):
        html = render_to_string("portal/includes/form_errors.html", {"form": form})
    assert f'<a href="#id_role">Rôle</a>{colon} ' in html


class _SentenceForm(forms.Form):
    consent = forms.BooleanField(label="I confirm that the information is given here.")
    which = forms.CharField(label="Which one?")
    when = forms.CharField(label="Date:")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_no_colon_follows_a_field_name_that_ends_a_sentence(language):
    form = _SentenceForm(data={})
    with translation.override(language):
        html = render_to_string("portal/includes/form_errors.html", {"form": form})
    assert '<a href="#id_consent">I confirm that the information is given here.</a> ' in html
    assert '<a href="#id_which">Which one?</a> ' in html
    assert '<a href="#id_when">Date:</a> ' in html
    assert ".:" not in html and "?:" not in html and "::" not in html and ". :" not in html
