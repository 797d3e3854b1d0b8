"""Forms of the accountability report."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.forms import DATE_WIDGET
from referrals.cases.forms import reasonable_date


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
        for name in ("start", "end"):
            try:
                reasonable_date(data.get(name))
            except ValidationError as error:
                self.add_error(name, error)
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end of the period cannot be before its start."))
        return data
