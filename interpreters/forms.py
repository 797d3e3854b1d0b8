from datetime import date, datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from interpreters import selectors
from interpreters.models import (
    Accreditation,
    CostCentre,
    Gender,
    Language,
    Modality,
    Rate,
    ServiceType,
)
from portal.forms import DATE_WIDGET, LocalizedDecimalField, canadian_postal_code, localized_formfield

TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def _reasonable(value):
    if value and not (
        date(2000, 1, 1) <= (value.date() if isinstance(value, datetime) else value) <= date(2100, 1, 1)
    ):
        raise ValidationError(_("Enter a date between 2000 and 2100."))
    return value


class RegistrationForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    email = forms.EmailField(label=_("Work email address"))
    phone = forms.CharField(label=_("Work telephone"), max_length=30, required=False)
    establishment = forms.ModelChoiceField(
        label=_("Establishment"),
        # Only establishments an interpreter bank serves (their bank decides the sign-up).
        queryset=selectors.served_establishments(),
    )
    job_title = forms.CharField(label=_("Job title"), max_length=200)
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)


class RequestForm(forms.Form):
    language = forms.ModelChoiceField(label=_("Language"), queryset=Language.objects.filter(is_active=True))
    dialect = forms.CharField(label=_("Dialect or variety"), max_length=100, required=False)
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    start_time = forms.TimeField(label=_("Start time"), widget=TIME_WIDGET)
    duration_minutes = forms.IntegerField(
        label=_("Expected duration (minutes)"), min_value=15, max_value=600, initial=60
    )
    modality = forms.ChoiceField(label=_("Modality"), choices=Modality.choices, widget=forms.RadioSelect)
    site_name = forms.CharField(label=_("Site (establishment, building)"), max_length=200, required=False)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=7, required=False)
    room = forms.CharField(label=_("Room"), max_length=100, required=False)
    remote_details = forms.CharField(
        label=_("Call or video details"),
        max_length=500,
        required=False,
        help_text=_("For phone or video: the number to call or the link to join."),
    )
    service_type = forms.ModelChoiceField(
        label=_("Type of service"), queryset=ServiceType.objects.filter(is_active=True)
    )
    participants = forms.IntegerField(label=_("Number of participants"), min_value=2, max_value=50, initial=2)
    gender_preference = forms.ChoiceField(
        label=_("Preferred gender of the interpreter"),
        choices=[("", _("No preference")), *Gender.choices],
        required=False,
    )
    preference_reason = forms.CharField(label=_("Reason for the preference"), max_length=300, required=False)
    context = forms.CharField(
        label=_("Context for the interpreter"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only what the interpreter needs to prepare; no health details beyond what is useful."),
    )
    instructions = forms.CharField(
        label=_("Instructions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=200)
    contact_phone = forms.CharField(label=_("Contact telephone"), max_length=30)
    cost_centre = forms.ModelChoiceField(label=_("Cost centre to bill"), queryset=CostCentre.objects.none())
    repeat_until = forms.DateField(
        label=_("Repeat every week until"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Leave empty for a single request."),
    )

    FIELDS = (
        "language",
        "dialect",
        "date",
        "start_time",
        "duration_minutes",
        "modality",
        "site_name",
        "address",
        "postal_code",
        "room",
        "remote_details",
        "service_type",
        "participants",
        "gender_preference",
        "preference_reason",
        "context",
        "instructions",
        "contact_name",
        "contact_phone",
        "cost_centre",
    )

    def __init__(self, *args, establishment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cost_centre"].queryset = selectors.cost_centres(establishment)

    def clean_postal_code(self):
        return canadian_postal_code(self.cleaned_data.get("postal_code"))

    def clean_date(self):
        value = _reasonable(self.cleaned_data.get("date"))
        if value and value < timezone.localdate():
            raise ValidationError(_("The request must be for a moment in the future."))
        return value

    def clean_repeat_until(self):
        return _reasonable(self.cleaned_data.get("repeat_until"))

    def values(self):
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class DetailsForm(forms.Form):
    """What a requester may still change once an interpreter holds the request."""

    site_name = RequestForm.base_fields["site_name"]
    address = RequestForm.base_fields["address"]
    postal_code = RequestForm.base_fields["postal_code"]
    room = RequestForm.base_fields["room"]
    remote_details = RequestForm.base_fields["remote_details"]
    context = RequestForm.base_fields["context"]
    instructions = RequestForm.base_fields["instructions"]
    contact_name = RequestForm.base_fields["contact_name"]
    contact_phone = RequestForm.base_fields["contact_phone"]

    def clean_postal_code(self):
        return canadian_postal_code(self.cleaned_data.get("postal_code"))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class MessageForm(forms.Form):
    text = forms.CharField(label=_("Message"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class CompletionForm(forms.Form):
    actual_start = forms.DateTimeField(
        label=_("Actual start"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    actual_end = forms.DateTimeField(
        label=_("Actual end"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    travel_km = LocalizedDecimalField(
        label=_("Travel (km)"), min_value=0, max_value=2000, decimal_places=1, initial=0
    )
    waiting_minutes = forms.IntegerField(
        label=_("Waiting time (minutes)"), min_value=0, max_value=600, initial=0
    )
    expenses = LocalizedDecimalField(
        label=_("Expenses ($)"), min_value=0, max_value=10000, decimal_places=2, initial=0
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        for name in ("actual_start", "actual_end"):
            try:
                _reasonable(data.get(name))
            except ValidationError as error:
                self.add_error(name, error)
        if data.get("actual_start") and data.get("actual_end") and data["actual_end"] <= data["actual_start"]:
            self.add_error("actual_end", _("The end cannot be before the start."))
        return data


class AvailabilityForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=_("Day"),
        coerce=int,
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
    )
    start_time = forms.TimeField(label=_("From"), widget=TIME_WIDGET)
    end_time = forms.TimeField(label=_("To"), widget=TIME_WIDGET)


class UnavailabilityForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Away from"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    ends_at = forms.DateTimeField(label=_("Back on"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS)
    reason = forms.CharField(label=_("Reason (optional)"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        for name in ("starts_at", "ends_at"):
            try:
                _reasonable(data.get(name))
            except ValidationError as error:
                self.add_error(name, error)
        return data


class InterpreterForm(forms.Form):
    languages = forms.ModelMultipleChoiceField(
        label=_("Languages"),
        queryset=Language.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
    )
    modalities = forms.MultipleChoiceField(
        label=_("Modalities accepted"), choices=Modality.choices, widget=forms.CheckboxSelectMultiple
    )
    home_postal_code = forms.CharField(label=_("Home postal code"), max_length=7)
    travel_radius_km = forms.IntegerField(
        label=_("Travel radius (km)"),
        min_value=1,
        max_value=1000,
        required=False,
        help_text=_("How far from home they go for an in-person request. Leave blank for no limit."),
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", "—"), *Gender.choices], required=False)
    accreditation = forms.ChoiceField(label=_("Accreditation"), choices=Accreditation.choices)
    accreditation_number = forms.CharField(label=_("Accreditation number"), max_length=50, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def clean_home_postal_code(self):
        value = canadian_postal_code(self.cleaned_data.get("home_postal_code"))
        if not value:
            raise ValidationError(_("Enter a Canadian postal code, e.g. E1C 4M2."))
        return value


class RateForm(forms.ModelForm):
    class Meta:
        model = Rate
        formfield_callback = localized_formfield
        fields = [
            "hourly_rate",
            "hourly_pay",
            "minimum_minutes",
            "travel_rate",
            "waiting_billable",
            "late_cancellation_hours",
        ]


class MonthForm(forms.Form):
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        help_text=_("Year and month, e.g. 2026-11."),
    )

    def clean_month(self):
        value = _reasonable(self.cleaned_data.get("month"))
        if value and value.replace(day=1) > timezone.localdate().replace(day=1):
            raise ValidationError(_("A statement is issued for a month that has begun."))
        return value
