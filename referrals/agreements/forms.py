"""Forms of agreements and offices."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import DATE_WIDGET
from referrals.agreements.services import agency_not_contractable_error
from referrals.cases.forms import check_reasonable_dates
from referrals.models import (
    Agreement,
    Office,
)


class AgreementForm(forms.ModelForm):
    class Meta:
        model = Agreement
        fields = [
            "number",
            "agency",
            "start_date",
            "end_date",
            "funding_active",
            "ecm_enabled",
            "client_tracking",
        ]
        widgets = {"start_date": DATE_WIDGET, "end_date": DATE_WIDGET}
        error_messages = {"number": {"unique": _("Another agreement already has this number.")}}

    def __init__(self, *args, agencies, **kwargs):
        """`agencies`: those the department may contract (referrals.agreements.selectors.contractable_agencies)."""
        super().__init__(*args, **kwargs)
        agency = self.fields["agency"]
        agency.error_messages["invalid_choice"] = agency_not_contractable_error()
        if self.instance.pk:
            # Cases point at this agreement: it stays with its agency.
            agency.queryset = agency.queryset.filter(pk=self.instance.agency_id)
            agency.disabled = True
        else:
            agency.queryset = agencies
            agency.help_text = _(
                "Only the agencies your department may contract are offered; the platform's staff keep this list."
            )

    def clean(self):
        data = super().clean()
        check_reasonable_dates(self, data, ("start_date", "end_date"))
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        return data


class OfficeForm(forms.ModelForm):
    class Meta:
        model = Office
        fields = ["name", "address", "city", "postal_code", "phone", "is_delivery_location", "is_active"]
