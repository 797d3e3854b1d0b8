"""Booking forms: the public search, eligibility, time and person's details; staff booking."""

import re
from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from appointments.models import (
    EligibilityAnswer,
    FieldMode,
    Location,
    PersonalField,
    Service,
)
from appointments.schedules.forms import ScheduleDateField, is_schedule_day
from portal import dates
from portal.forms import (
    DATE_OF_BIRTH_HELP,
    DATE_WIDGET,
    IsoDateField,
    canadian_postal_code,
)

# Booking --------------------------------------------------------------------------------------------


class PublicSearchForm(forms.Form):
    """Guide 5, steps 2–3: choose a service and type a postal code."""

    # The services come from the cached public configuration (no query to list or check them).
    service = forms.TypedChoiceField(label=_("Select a service"), choices=[], coerce=int)
    postal_code = forms.CharField(
        label=_("Your postal code"),
        max_length=10,
        help_text=_("Home, or the town where you want the appointment. Example: E1C 4M2."),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.services = {service.pk: service for service in services}
        self.fields["service"].choices = [("", _("Choose a service"))] + [
            (service.pk, str(service)) for service in self.services.values()
        ]

    def clean_service(self):
        return self.services[self.cleaned_data["service"]]

    def clean_postal_code(self):
        value = canadian_postal_code(self.cleaned_data["postal_code"])
        if not value:
            raise ValidationError(_("Enter a Canadian postal code, e.g. E1C 4M2."))
        return value


class EligibilityForm(forms.Form):
    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[f"q{question.pk}"] = forms.ChoiceField(
                label=question.text,
                choices=EligibilityAnswer.choices,
                widget=forms.RadioSelect,
                error_messages={"required": _("Answer this question.")},
            )

    def is_eligible(self):
        return all(
            self.cleaned_data[f"q{question.pk}"] == question.eligible_answer for question in self.questions
        )


class TimeChoiceForm(forms.Form):
    """A time among the open ones: `<slot id>@<YYYYMMDDTHHMM>`; anything else is refused clearly."""

    time = forms.CharField(label=_("Time"), max_length=40, error_messages={"required": _("Choose a time.")})

    def clean_time(self):
        value = self.cleaned_data["time"]
        slot_part, _sep, moment_part = value.partition("@")
        from portal.params import as_id

        slot_id = as_id(slot_part)
        try:
            # A local wall-clock reading, made aware (DST-checked) by portal.dates.aware below.
            naive = datetime.strptime(moment_part, "%Y%m%dT%H%M")  # noqa: DTZ007
            moment = dates.aware(naive.date(), naive.time()) if is_schedule_day(naive.date()) else None
        except ValueError:  # not a date and time, or one the clocks skip or show twice that day
            moment = None
        if slot_id is None or moment is None:
            raise ValidationError(_("This time is not available. Choose a time in the list."))
        self.cleaned_data["slot_id"] = slot_id
        return moment


def time_value(slot, moment):
    return f"{slot.pk}@{timezone.localtime(moment):%Y%m%dT%H%M}"


PERSONAL_WIDGETS = {
    PersonalField.DATE_OF_BIRTH: lambda label, required: IsoDateField(
        label=label,
        required=required,
        widget=DATE_WIDGET,
        help_text=DATE_OF_BIRTH_HELP,
    ),
    PersonalField.GENDER: lambda label, required: forms.ChoiceField(
        label=label,
        required=required,
        choices=[("", "—"), ("woman", _("Woman")), ("man", _("Man")), ("other", _("Another gender"))],
    ),
    PersonalField.HEALTH_CARD: lambda label, required: forms.CharField(
        label=label, required=required, max_length=20
    ),
    PersonalField.EMAIL: lambda label, required: forms.EmailField(
        label=label, required=required, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    ),
    PersonalField.MOBILE: lambda label, required: PhoneNumberField(
        label=label,
        required=required,
        region="CA",
        error_messages={"invalid": _("Enter a valid phone number, for example 506 555 0123.")},
        widget=forms.TextInput(attrs={"autocomplete": "tel"}),
    ),
    PersonalField.PHONE: lambda label, required: PhoneNumberField(
        label=label,
        required=required,
        region="CA",
        error_messages={"invalid": _("Enter a valid phone number, for example 506 555 0123.")},
    ),
    PersonalField.ADDRESS: lambda label, required: forms.CharField(
        label=label, required=required, max_length=200
    ),
    PersonalField.POSTAL_CODE: lambda label, required: forms.CharField(
        label=label, required=required, max_length=10
    ),
    PersonalField.PARENT_NAME: lambda label, required: forms.CharField(
        label=label, required=required, max_length=200
    ),
    PersonalField.COMMENT: lambda label, required: forms.CharField(
        label=label, required=required, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    ),
}
MODEL_FIELDS = {"date_of_birth", "email", "mobile_phone"}

# The health card number of each province (issue 20): what it is made of (compared without spaces
# and dashes, in capitals) and how a card shows it. A location's province gives the format asked.
HEALTH_CARD_FORMATS = {
    "NB": (r"\d{9}", _("9 digits"), "123 456 789"),
    "NS": (r"\d{10}", _("10 digits"), "1234 567 890"),
    "PE": (r"\d{8}", _("8 digits"), "1234 5678"),
    "NL": (r"\d{12}", _("12 digits"), "123 456 789 012"),
    "QC": (r"[A-Z]{4}\d{8}", _("4 letters then 8 digits"), "ROYA 8001 0212"),
    "ON": (r"\d{10}[A-Z]{0,2}", _("10 digits, then the version code if the card has one"), "1234 567 890 AB"),
    "MB": (r"\d{9}", _("9 digits"), "123 456 789"),
    "SK": (r"\d{9}", _("9 digits"), "123 456 789"),
    "AB": (r"\d{9}", _("9 digits"), "12345 6789"),
    "BC": (r"\d{10}", _("10 digits"), "9123 456 789"),
}
# Elsewhere (or a province not listed): letters and digits only, 8 to 12 of them.
OTHER_HEALTH_CARD = (r"[A-Z0-9]{8,12}", _("8 to 12 letters or digits"), "123 456 789")


def health_card_format(province):
    return HEALTH_CARD_FORMATS.get((province or "").upper(), OTHER_HEALTH_CARD)


def compact_health_card(value):
    """The number without spaces, dashes or dots, in capitals (as the formats compare it)."""
    return re.sub(r"[\s.\-]+", "", value or "").upper()


def consent_links(notices):
    """The consent's links to the terms of use and the privacy policy (guide 5, step 10), opened
    beside the form so that nothing typed is lost; notices: (terms URL, privacy URL)."""
    terms_url, privacy_url = notices
    return format_html(
        '<a href="{}" target="_blank" rel="noopener">{}</a> · '
        '<a href="{}" target="_blank" rel="noopener">{}</a> '
        '<span class="visually-hidden">({})</span>',
        terms_url,
        _("Terms of use"),
        privacy_url,
        _("Privacy policy"),
        _("opens in a new tab"),
    )


class PersonForm(forms.Form):
    """The person's details, as the service asks them (guide 5 step 9, 4.3 step 6)."""

    for_someone_else = forms.BooleanField(label=_("I want an appointment for another person"), required=False)
    first_name = forms.CharField(
        label=_("First name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )

    def __init__(self, *args, service, staff=False, province=None, notices=None, **kwargs):
        """`province`: the location's, whose health card format the public form asks (issue 20);
        `notices`: (terms of use URL, privacy policy URL) linked from the consent (public form)."""
        super().__init__(*args, **kwargs)
        self.staff = staff
        self.province = province
        for code, label in PersonalField.choices:
            mode = service.field_mode(code)
            if mode == FieldMode.OFF or (staff and code == PersonalField.COMMENT):
                continue
            self.fields[code] = PERSONAL_WIDGETS[code](label, mode == FieldMode.REQUIRED)
        if PersonalField.HEALTH_CARD in self.fields and not staff:
            _pattern, shape, example = health_card_format(province)
            self.fields[PersonalField.HEALTH_CARD].help_text = _(
                "%(format)s, for example %(example)s. Spaces and dashes are accepted."
            ) % {"format": shape, "example": example}
            self.fields[PersonalField.HEALTH_CARD].widget.attrs.update(
                {"autocomplete": "off", "spellcheck": "false"}
            )
        if "mobile_phone" in self.fields:
            self.fields["send_sms"] = forms.BooleanField(
                label=_("Receive the confirmation and reminders by SMS")
                if not staff
                else _("Send the coupon by SMS"),
                required=False,
                # Unticked until a mobile number is typed (coupon-ticks.js ticks it then): ticked by
                # default, a booking without a mobile number was refused.
                help_text=_("Only with a mobile phone number."),
            )
        if "email" in self.fields and staff:
            self.fields["send_email"] = forms.BooleanField(
                label=_("Send the coupon by email"), required=False, initial=True
            )
        if staff:
            del self.fields["for_someone_else"]
            self.fields["comment"] = forms.CharField(
                label=_("Comment"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
            )
        else:
            self.fields["accept_terms"] = forms.BooleanField(
                label=_(
                    "I have read the terms of use and the privacy policy, and I authorize the clinic's staff to keep "
                    "and consult the personal information given here."
                ),
                error_messages={"required": _("Tick this box to book: the clinic needs your consent.")},
            )
            if notices:
                self.fields["accept_terms"].help_text = consent_links(notices)
        # The SMS choice right after the mobile number (guide 5, step 9).
        order = [name for name in self.fields if name != "send_sms"]
        if "send_sms" in self.fields:
            order.insert(order.index("mobile_phone") + 1, "send_sms")
        self.order_fields(order)

    def clean_postal_code(self):
        return canadian_postal_code(self.cleaned_data.get("postal_code"))

    def clean_health_card_number(self):
        value = self.cleaned_data.get(PersonalField.HEALTH_CARD) or ""
        if self.staff or not value.strip():
            return value
        pattern, shape, example = health_card_format(self.province)
        compact = compact_health_card(value)
        if not re.fullmatch(pattern, compact):
            raise ValidationError(
                _("Enter a valid health card number: %(format)s, for example %(example)s.")
                % {"format": shape, "example": example}
            )
        return compact

    def clean_mobile_phone(self):
        value = self.cleaned_data.get("mobile_phone")
        if value and value.country_code != 1:
            # Text messages go to North American numbers only (no premium-rate numbers abroad).
            raise ValidationError(_("Enter a Canadian mobile phone number, for example 506 555 0123."))
        return value

    def clean_date_of_birth(self):
        value = self.cleaned_data.get("date_of_birth")
        if value and (value > timezone.localdate() or value.year < 1900):
            raise ValidationError(_("Enter a real date of birth."))
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("send_sms") and not cleaned.get("mobile_phone"):
            self.add_error("mobile_phone", _("Enter a mobile phone number to receive SMS."))
        return cleaned

    def booking_values(self):
        data = self.cleaned_data
        values = {
            "first_name": data["first_name"].strip(),
            "last_name": data["last_name"].strip(),
            "date_of_birth": data.get("date_of_birth"),
            "email": data.get("email") or "",
            "mobile_phone": str(data["mobile_phone"]) if data.get("mobile_phone") else "",
            "details": {
                code: str(data[code])
                for code in PersonalField.values
                if code in data
                and code not in MODEL_FIELDS
                and data.get(code) not in (None, "")
                and not (self.staff and code == PersonalField.COMMENT)
            },
            "send_sms": bool(data.get("send_sms")),
            "send_email": bool(data.get("send_email")) if self.staff else bool(data.get("email")),
        }
        if self.staff:
            values["comment"] = data.get("comment", "")
        else:
            values["for_someone_else"] = bool(data.get("for_someone_else"))
        return values


def person_initial(appointment):
    initial = {
        "first_name": appointment.first_name,
        "last_name": appointment.last_name,
        "date_of_birth": appointment.date_of_birth,
        "email": appointment.email,
        "mobile_phone": appointment.mobile_phone,
        "send_sms": appointment.send_sms,
        "send_email": appointment.send_email,
        "comment": appointment.comment,
    }
    initial.update(appointment.details or {})
    return initial


class CancelByNumberForm(forms.Form):
    number = forms.CharField(label=_("Confirmation number"), max_length=12)
    last_name = forms.CharField(
        label=_("Last name of the person"), max_length=100, help_text=_("As given when booking.")
    )

    def clean_number(self):
        return "".join(self.cleaned_data["number"].split()).upper().lstrip("#")


class StaffBookingForm(forms.Form):
    """Guide 4.3 steps 2–4: service, location, date; then a time among the open ones."""

    # A prompt in words, not Django's "---------" (issue 20), as the public page asks; still required.
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=Service.objects.none(), empty_label=_("Choose a service")
    )
    location = forms.ModelChoiceField(
        label=_("Location"), queryset=Location.objects.none(), empty_label=_("Choose a location")
    )
    date = ScheduleDateField(label=_("Date"), widget=DATE_WIDGET)

    def __init__(self, *args, services, locations, **kwargs):
        super().__init__(*args, **kwargs)
        for name, queryset in (("service", services), ("location", locations)):
            field = self.fields[name]
            field.queryset = queryset
            # One choice only: it is chosen (no prompt to pick the obvious).
            if len(queryset[:2]) == 1:
                field.empty_label = None
