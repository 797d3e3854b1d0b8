"""Order summaries: the department's forms (a summary and its first order, an amendment, a
correction, the assigned worker)."""

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from orders.models import (
    Per,
    ServiceCentre,
    ServiceType,
    Zone,
)
from portal.db import order_by_name
from portal.forms import DATE_WIDGET, LocalizedDecimalField
from portal.models import Organization, OrganizationKind, User

MONEY = {"max_digits": 8, "decimal_places": 2}


class OrderFieldsForm(forms.Form):
    effective_date = forms.DateField(label=_("Order effective date"), widget=DATE_WIDGET)
    per = forms.ChoiceField(label=_("Per"), choices=Per.choices)
    base_units = LocalizedDecimalField(label=_("Base units"), **MONEY)
    base_rate = LocalizedDecimalField(label=_("Base rate"), min_value=0, **MONEY)
    km_units = LocalizedDecimalField(label=_("Units (km)"), initial=0, **MONEY)
    other_monthly_cost = LocalizedDecimalField(label=_("Other monthly cost"), initial=0, **MONEY)
    client_contribution = LocalizedDecimalField(label=_("Client contribution"), initial=0, **MONEY)

    ORDER_FIELDS = (
        "effective_date",
        "per",
        "base_units",
        "base_rate",
        "km_units",
        "other_monthly_cost",
        "client_contribution",
    )

    def order_data(self):
        return {name: self.cleaned_data[name] for name in self.ORDER_FIELDS}


class SummaryFieldsForm(forms.Form):
    """What describes a summary (used to create it, and to correct it before the provider has it)."""

    provider = forms.ModelChoiceField(label=_("Service provider"), queryset=Organization.objects.none())
    client_name = forms.CharField(label=_("Account name"), max_length=200)
    service = forms.ModelChoiceField(
        label=_("Service name"), queryset=ServiceType.objects.filter(is_active=True)
    )
    zone = forms.ModelChoiceField(label=_("Zone"), queryset=Zone.objects.filter(is_active=True))
    service_centre = forms.ModelChoiceField(
        label=_("Service centre billed"), queryset=ServiceCentre.objects.filter(is_active=True)
    )
    start_date = forms.DateField(label=_("Order summary start date"), widget=DATE_WIDGET)
    end_date = forms.DateField(label=_("Order summary end date"), widget=DATE_WIDGET)
    notes_for_provider = forms.CharField(
        label=_("Notes for the service provider"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Providers sort by name as letters (accents ignored), in the active language.
        self.fields["provider"].queryset = order_by_name(
            Organization.objects.filter(kind=OrganizationKind.PROVIDER_AGENCY, is_active=True), "name"
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        return cleaned


class SummaryForm(SummaryFieldsForm, OrderFieldsForm):
    """A new summary and its first order (amendments may subtract units; a first order may not)."""

    field_order = [
        "provider",
        "client_name",
        "service",
        "zone",
        "service_centre",
        "start_date",
        "end_date",
        "worker",
        "notes_for_provider",
    ]

    worker = forms.ModelChoiceField(label=_("Assigned SD worker"), queryset=User.objects.none())

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers
        for name in ("base_units", "km_units", "other_monthly_cost", "client_contribution"):
            field = self.fields[name]
            field.min_value = 0
            field.validators.append(MinValueValidator(0))
            field.widget.attrs["min"] = "0"

    def clean(self):
        cleaned = super().clean()
        start, end, effective = (
            cleaned.get("start_date"),
            cleaned.get("end_date"),
            cleaned.get("effective_date"),
        )
        if start and end and effective and start <= end and not (start <= effective <= end):
            self.add_error(
                "effective_date", _("The effective date must be within the order summary's dates.")
            )
        return cleaned


class AmendmentForm(OrderFieldsForm):
    def __init__(self, *args, summary, **kwargs):
        super().__init__(*args, **kwargs)
        self.summary = summary

    def clean_effective_date(self):
        value = self.cleaned_data["effective_date"]
        if not (self.summary.start_date <= value <= self.summary.end_date):
            raise forms.ValidationError(_("The effective date must be within the order summary's dates."))
        return value


class WorkerForm(forms.Form):
    worker = forms.ModelChoiceField(label=_("Assigned SD worker"), queryset=User.objects.none())

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers
