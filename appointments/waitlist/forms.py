"""The public waitlist sign-up form (issue 20): an email and/or a mobile phone, the postal code
(its first three characters are the area), the consent like booking."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from appointments.booking.forms import consent_links
from portal.forms import canadian_postal_code


class WaitlistForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    mobile_phone = PhoneNumberField(
        label=_("Mobile phone"),
        required=False,
        region="CA",
        error_messages={"invalid": _("Enter a valid phone number, for example 506 555 0123.")},
        widget=forms.TextInput(attrs={"autocomplete": "tel"}),
    )
    postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    accept_terms = forms.BooleanField(
        label=_(
            "I have read the terms of use and the privacy policy, and I authorize the clinic's staff to keep "
            "and consult the personal information given here."
        ),
        error_messages={"required": _("Tick this box to join the waitlist: the clinic needs your consent.")},
    )

    def __init__(self, *args, notices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if notices:
            self.fields["accept_terms"].help_text = consent_links(notices)

    def clean_postal_code(self):
        value = canadian_postal_code(self.cleaned_data["postal_code"])
        if not value:
            raise ValidationError(_("Enter a Canadian postal code, e.g. E1C 4M2."))
        return value

    def clean_mobile_phone(self):
        value = self.cleaned_data.get("mobile_phone")
        if value and value.country_code != 1:
            raise ValidationError(_("Enter a Canadian mobile phone number, for example 506 555 0123."))
        return value

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("email") and not cleaned.get("mobile_phone") and not self.has_error("email"):
            if not self.has_error("mobile_phone"):
                self.add_error("email", _("Enter an email or a mobile phone number (or both)."))
        return cleaned
