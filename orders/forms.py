from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.models import (
    ChangeCategory,
    OptionList,
    Per,
    ReportOption,
    ServiceCentre,
    ServiceType,
    Urgency,
    Zone,
)
from orders.models import Location as ReportLocation
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


class DecisionForm(forms.Form):
    """Step 1 of the guide: accept or decline this order summary?"""

    decision = forms.ChoiceField(
        label=_("Do you want to accept or decline this order summary?"),
        choices=[("accept", _("Accept the request")), ("decline", _("Decline the request"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose to accept or to decline the request.")},
    )


class AcceptForm(forms.Form):
    message = forms.CharField(
        label=_("Message for Social Development (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, period_over=False, **kwargs):
        super().__init__(*args, **kwargs)
        if period_over:
            # An offer whose period is over is accepted only once this is ticked (the service
            # refuses otherwise, its message next to this box).
            self.fields["period_over"] = forms.BooleanField(
                label=_("I know that this period is over, and I accept the request anyway."),
                required=False,
            )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for declining the request"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


def _options(list_name):
    return ReportOption.objects.filter(list_name=list_name, is_active=True).order_by("position", "name")


class MultipleChoice(forms.ModelMultipleChoiceField):
    """An accessible checkbox group in place of the guide's two list boxes."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, list_name, **kwargs):
        super().__init__(queryset=_options(list_name), **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"


class IncidentForm(forms.Form):
    types = MultipleChoice(OptionList.INCIDENT_TYPE, label=_("Type"))
    measures = MultipleChoice(OptionList.MEASURE, label=_("Measures taken"))
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    urgency = forms.ChoiceField(label=_("Urgency"), choices=[("", _("-- None --"))] + Urgency.choices)
    location = forms.ChoiceField(
        label=_("Location"), choices=[("", _("-- None --"))] + ReportLocation.choices
    )
    measures_description = forms.CharField(
        label=_("Description of the measures taken"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    repeated = forms.BooleanField(label=_("Repeated occurrence"), required=False)
    occurred_on = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    occurred_at = forms.TimeField(label=_("Time"), widget=TimeInput(format="%H:%M"))

    def clean_occurred_on(self):
        value = self.cleaned_data["occurred_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return value


class ObservationForm(forms.Form):
    types = MultipleChoice(OptionList.OBSERVATION_TYPE, label=_("Type"))
    measures_description = forms.CharField(
        label=_("Description of the measures taken"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    repeated = forms.BooleanField(label=_("Repeated occurrence"), required=False)
    occurred_on = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    occurred_at = forms.TimeField(label=_("Time"), widget=TimeInput(format="%H:%M"))
    follow_up_required = forms.BooleanField(label=_("Follow-up required"), required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    location = forms.ChoiceField(
        label=_("Location"), choices=[("", _("-- None --"))] + ReportLocation.choices
    )
    location_description = forms.CharField(
        label=_("Location description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    clean_occurred_on = IncidentForm.clean_occurred_on


class CategoryForm(forms.Form):
    """Step 1 of a change request: the category decides which types are offered."""

    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=ChangeCategory.objects.filter(is_active=True),
        empty_label=_("-- None --"),
        error_messages={"required": _("Choose a category."), "invalid_choice": _("Choose a category.")},
    )


class ChangeRequestForm(forms.Form):
    category = forms.ModelChoiceField(
        queryset=ChangeCategory.objects.filter(is_active=True), widget=forms.HiddenInput
    )
    types = MultipleChoice(OptionList.CHANGE_TYPE, label=_("Type"))
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, category, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].initial = category.pk
        self.fields["types"].queryset = _options(OptionList.CHANGE_TYPE).filter(category=category)


class MiscellaneousForm(forms.Form):
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}))


class MonthField(forms.DateField):
    """A month as YYYY-MM (the browser's month picker), kept as its first day."""

    widget = forms.DateInput(attrs={"type": "month", "placeholder": "2026-11"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace(day=1) if value else value


class ConfirmationForm(forms.Form):
    month = MonthField(
        label=_("Month"),
        help_text=_("Year and month, for example 2026-11."),
        error_messages={"invalid": _("Enter a month as year-month, for example 2026-11.")},
    )
    units_delivered = LocalizedDecimalField(label=_("Units delivered"), min_value=0, **MONEY)
    km_delivered = LocalizedDecimalField(label=_("Kilometres driven"), min_value=0, initial=0, **MONEY)


class CorrectionForm(forms.Form):
    """A recorded month's figures, corrected by the provider (until the department acknowledges it)."""

    units_delivered = LocalizedDecimalField(label=_("Units delivered"), min_value=0, **MONEY)
    km_delivered = LocalizedDecimalField(label=_("Kilometres driven"), min_value=0, **MONEY)
