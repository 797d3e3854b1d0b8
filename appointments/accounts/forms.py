"""Access-account and role forms (Pilot)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from appointments import roles
from appointments.forms import ScopedChoices
from appointments.models import (
    Location,
)
from portal.forms import (
    DATE_WIDGET,
)
from portal.models import Language
from portal.roles import get_role


def _date_range_clean(form):
    cleaned = form.cleaned_data
    if cleaned.get("limit_access"):
        if not cleaned.get("valid_from") and not cleaned.get("valid_to"):
            form.add_error("valid_from", _("Give the start date, the end date or both."))
    else:
        cleaned["valid_from"] = cleaned["valid_to"] = None
    if cleaned.get("valid_from") and cleaned.get("valid_to") and cleaned["valid_to"] < cleaned["valid_from"]:
        form.add_error("valid_to", _("The end date cannot be before the start date."))
    return cleaned


class AccountEditForm(forms.Form):
    """The person's name, language and phone (what a pilot may change of an access account)."""

    preferred_language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    phone = PhoneNumberField(
        label=_("Phone"),
        required=False,
        region="CA",
        error_messages={"invalid": _("Enter a valid phone number, for example 506 555 0123.")},
    )


class AccountForm(AccountEditForm):
    """A new access account: the same, with its email and the dates of its access."""

    email = forms.EmailField(label=_("Email"), help_text=_("The person signs in with this address."))
    limit_access = forms.BooleanField(
        label=_("Limit access to the scheduler between two dates"), required=False
    )
    valid_from = forms.DateField(label=_("Start date"), required=False, widget=DATE_WIDGET)
    valid_to = forms.DateField(label=_("End date"), required=False, widget=DATE_WIDGET)

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        return _date_range_clean(self)


class RoleForm(ScopedChoices, forms.Form):
    role = forms.ChoiceField(label=_("Role"), widget=forms.RadioSelect)
    location = forms.ModelChoiceField(
        label=_("Location"), queryset=Location.objects.none(), required=False, empty_label=_("All locations")
    )
    limit_access = forms.BooleanField(label=_("Limit this role between two dates"), required=False)
    valid_from = forms.DateField(label=_("Effective start date"), required=False, widget=DATE_WIDGET)
    valid_to = forms.DateField(label=_("Effective end date"), required=False, widget=DATE_WIDGET)

    scoped_choices = {"locations": "location"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [
            (code, f"{get_role(code).label} — {get_role(code).description}") for code in roles.ROLE_CODES
        ]

    def clean(self):
        return _date_range_clean(self)
