"""Browser walk: the error summary's link of a radio group pointed at '#id_reason', an id no element
has; it leads to the group's first choice. Text boxes and single checkboxes keep their own id."""

import re

from django import forms
from django.template.loader import render_to_string


class _Form(forms.Form):
    reason = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    days = forms.MultipleChoiceField(choices=[("1", "1"), ("2", "2")], widget=forms.CheckboxSelectMultiple)
    name = forms.CharField()
    agree = forms.BooleanField()


def test_each_summary_link_leads_to_an_element_of_the_form():
    form = _Form(data={})
    assert not form.is_valid()
    summary = render_to_string("portal/includes/form_errors.html", {"form": form})
    links = re.findall(r'href="#([^"]+)"', summary)
    assert links == ["id_reason_0", "id_days_0", "id_name", "id_agree"]
    page = str(form)
    for anchor in links:
        assert f'id="{anchor}"' in page
