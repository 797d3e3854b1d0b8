"""Forms of the accountability report."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import DATE_WIDGET
from referrals.cases.forms import check_reasonable_dates


class AccountabilityForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DATE_WIDGET)
    end = forms.DateField(label=_("To"), widget=DATE_WIDGET)
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=None, required=False, empty_label=_("All agencies")
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies

    def clean(self):
        data = super().clean()
        check_reasonable_dates(self, data, ("start", "end"))
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end of the period cannot be before its start."))
        return data
