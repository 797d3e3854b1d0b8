from datetime import datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from phonenumber_field.formfields import PhoneNumberField

from appointments import roles
from appointments.models import (
    ClinicSettings,
    CommunicationKind,
    EligibilityAnswer,
    EligibilityQuestion,
    FieldMode,
    Location,
    PersonalField,
    Service,
    TeamResource,
)
from portal import dates
from portal.forms import (
    ALLOWED_DOCUMENTS,
    ALLOWED_IMAGES,
    DATE_WIDGET,
    canadian_postal_code,
    check_upload,
    localized_formfield,
)
from portal.models import Language
from portal.roles import get_role
from portal.scoping import ScopedInlineFormSet

TIME_WIDGET = forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")
TEXTAREA = forms.Textarea(attrs={"rows": 3})


# Configuration ------------------------------------------------------------------------------------


class ServiceForm(forms.ModelForm):
    attachment_upload = forms.FileField(
        label=_("Attachment added to the confirmation email"),
        required=False,
        help_text=_("PDF, PNG, JPEG, Word (.docx) or text; 10 MB at most."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_DOCUMENTS)}),
    )
    remove_attachment = forms.BooleanField(label=_("Remove the current attachment"), required=False)
    apply_to_campaign = forms.BooleanField(
        label=_("Apply this duration to the campaign's other dose too"),
        required=False,
        help_text=_("The first and second doses of a campaign always keep the same duration."),
    )

    class Meta:
        model = Service
        fields = [
            "name_fr",
            "name_en",
            "description_fr",
            "description_en",
            "campaign",
            "dose",
            "duration_minutes",
            "instructions_fr",
            "instructions_en",
            "message_available_fr",
            "message_available_en",
            "message_unavailable_fr",
            "message_unavailable_en",
            "message_not_eligible_fr",
            "message_not_eligible_en",
            "is_active",
            "position",
        ]
        labels = {
            "name_fr": _("Name (French)"),
            "name_en": _("Name (English)"),
            "description_fr": _("Description (French)"),
            "description_en": _("Description (English)"),
            "instructions_fr": _("Instructions on the coupon (French)"),
            "instructions_en": _("Instructions on the coupon (English)"),
            "message_available_fr": _("Message when there is availability (French)"),
            "message_available_en": _("Message when there is availability (English)"),
            "message_unavailable_fr": _("Message when there is no availability (French)"),
            "message_unavailable_en": _("Message when there is no availability (English)"),
            "message_not_eligible_fr": _("Message when the person is not eligible (French)"),
            "message_not_eligible_en": _("Message when the person is not eligible (English)"),
        }
        widgets = {
            field: TEXTAREA
            for field in fields
            if field.startswith(("description", "instructions", "message"))
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name_fr"].required = self.fields["name_en"].required = True
        self.fields["duration_minutes"].help_text = _(
            "The number of minutes between two appointments; the same for the first and second dose."
        )
        for code, label in PersonalField.choices:
            self.fields[f"field_{code}"] = forms.ChoiceField(
                label=label,
                choices=FieldMode.choices,
                widget=forms.RadioSelect,
                initial=self.instance.field_mode(code),
                # A choice among three, never "required" itself (the mark would read as "asked").
                required=False,
            )
        self.attachment_content_type = ""

    def personal_field_names(self):
        return [self[f"field_{code}"] for code in PersonalField.values]

    def text_field_names(self):
        personal = {f"field_{code}" for code in PersonalField.values}
        return [field for field in self if field.name not in personal]

    def clean_attachment_upload(self):
        upload = self.cleaned_data.get("attachment_upload")
        if upload:
            self.attachment_content_type = check_upload(upload)
        return upload

    def save(self, commit=True):
        service = super().save(commit=False)
        service.personal_fields = {
            code: self.cleaned_data[f"field_{code}"] or service.field_mode(code)
            for code in PersonalField.values
        }
        return service


class QuestionForm(forms.ModelForm):
    # Yes or no, without the blank choice a model field's radio list would add.
    eligible_answer = forms.ChoiceField(
        label=_("Answer that makes the person eligible"),
        choices=EligibilityAnswer.choices,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = EligibilityQuestion
        fields = ["text_fr", "text_en", "eligible_answer", "position"]


QuestionFormSet = inlineformset_factory(
    Service,
    EligibilityQuestion,
    form=QuestionForm,
    formset=ScopedInlineFormSet,
    fields=["text_fr", "text_en", "eligible_answer", "position"],
    labels={
        "text_fr": _("Question (French)"),
        "text_en": _("Question (English)"),
    },
    widgets={"eligible_answer": forms.RadioSelect},
    extra=2,
    can_delete=True,
    max_num=20,
    validate_max=True,
)


class LocationForm(forms.ModelForm):
    class Meta:
        model = Location
        formfield_callback = localized_formfield
        fields = [
            "name_fr",
            "name_en",
            "address",
            "city",
            "province",
            "postal_code",
            "latitude",
            "longitude",
            "message_fr",
            "message_en",
            "is_active",
            "position",
        ]
        labels = {
            "name_fr": _("Name (French)"),
            "name_en": _("Name (English)"),
            "message_fr": _("Message for this location (French)"),
            "message_en": _("Message for this location (English)"),
        }
        widgets = {"message_fr": TEXTAREA, "message_en": TEXTAREA}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name_fr"].required = self.fields["name_en"].required = True
        self.fields["latitude"].help_text = _("Filled from the postal code when left empty; editable.")
        self.fields["longitude"].help_text = _("Filled from the postal code when left empty; editable.")

    def clean_postal_code(self):
        value = canadian_postal_code(self.cleaned_data["postal_code"])
        if not value:
            raise ValidationError(_("Enter the postal code of the location."))
        return value

    def clean_latitude(self):
        value = self.cleaned_data.get("latitude")
        if value is not None and not -90 <= value <= 90:
            raise ValidationError(_("A latitude is between -90 and 90."))
        return value

    def clean_longitude(self):
        value = self.cleaned_data.get("longitude")
        if value is not None and not -180 <= value <= 180:
            raise ValidationError(_("A longitude is between -180 and 180."))
        return value


class ResourceForm(forms.ModelForm):
    class Meta:
        model = TeamResource
        fields = ["name", "colour", "variable_capacity", "is_active", "position"]
        widgets = {"colour": forms.TextInput(attrs={"type": "color"})}

    def clean_colour(self):
        value = self.cleaned_data["colour"].lower()
        if len(value) != 7 or value[0] != "#" or any(char not in "0123456789abcdef" for char in value[1:]):
            raise ValidationError(_("Choose a colour (for example #1f5f99)."))
        return value


class AssociationForm(forms.Form):
    locations = forms.ModelMultipleChoiceField(
        label=_("Associated locations"),
        queryset=Location.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Associated services"),
        queryset=Service.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    members = forms.ModelMultipleChoiceField(
        label=_("Access accounts whose own schedules these are (Management #3, Consultation #2)"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, locations, services, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locations"].queryset = locations
        self.fields["services"].queryset = services
        self.fields["members"].queryset = members
        self.fields["members"].label_from_instance = lambda user: user.get_full_name() or user.email


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


class AccountForm(forms.Form):
    preferred_language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    phone = PhoneNumberField(
        label=_("Phone"),
        required=False,
        region="CA",
        error_messages={"invalid": _("Enter a valid phone number, for example 506 555 0123.")},
    )
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


class AccountEditForm(forms.Form):
    preferred_language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    phone = PhoneNumberField(
        label=_("Phone"),
        required=False,
        region="CA",
        error_messages={"invalid": _("Enter a valid phone number, for example 506 555 0123.")},
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), widget=forms.RadioSelect)
    location = forms.ModelChoiceField(
        label=_("Location"), queryset=Location.objects.none(), required=False, empty_label=_("All locations")
    )
    limit_access = forms.BooleanField(label=_("Limit this role between two dates"), required=False)
    valid_from = forms.DateField(label=_("Effective start date"), required=False, widget=DATE_WIDGET)
    valid_to = forms.DateField(label=_("Effective end date"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations
        self.fields["role"].choices = [
            (code, f"{get_role(code).label} — {get_role(code).description}") for code in roles.ROLE_CODES
        ]

    def clean(self):
        return _date_range_clean(self)


class CommunicationsForm(forms.Form):
    """One row per kind of communication: active, delay, SMS, email (guide 2.5)."""

    def __init__(self, *args, rules, **kwargs):
        super().__init__(*args, **kwargs)
        from appointments.services import DEFAULT_DELAYS

        self.rows = []
        for kind, label in CommunicationKind.choices:
            rule = rules.get(kind)
            self.fields[f"{kind}_active"] = forms.BooleanField(
                label=_("Active"), required=False, initial=rule.is_active if rule else False
            )
            self.fields[f"{kind}_delay"] = forms.IntegerField(
                label=_("Delay (hours)"),
                min_value=1,
                max_value=720,
                initial=rule.delay_hours if rule else DEFAULT_DELAYS[kind],
            )
            self.fields[f"{kind}_sms"] = forms.BooleanField(
                label=_("SMS"), required=False, initial=rule.by_sms if rule else True
            )
            self.fields[f"{kind}_email"] = forms.BooleanField(
                label=_("Email"), required=False, initial=rule.by_email if rule else True
            )
            self.rows.append(
                {
                    "kind": kind,
                    "label": label,
                    "active": self[f"{kind}_active"],
                    "delay": self[f"{kind}_delay"],
                    "sms": self[f"{kind}_sms"],
                    "email": self[f"{kind}_email"],
                }
            )

    def clean(self):
        cleaned = super().clean()
        for kind in CommunicationKind.values:
            if cleaned.get(f"{kind}_active") and not (
                cleaned.get(f"{kind}_sms") or cleaned.get(f"{kind}_email")
            ):
                self.add_error(f"{kind}_email", _("An active communication goes out by SMS, email or both."))
        first = cleaned.get(f"{CommunicationKind.FIRST_REMINDER}_delay")
        second = cleaned.get(f"{CommunicationKind.SECOND_REMINDER}_delay")
        if (
            cleaned.get(f"{CommunicationKind.SECOND_REMINDER}_active")
            and first
            and second
            and second >= first
        ):
            self.add_error(
                f"{CommunicationKind.SECOND_REMINDER}_delay",
                _(
                    "The second reminder comes closer to the appointment than the first: give it a shorter delay."
                ),
            )
        return cleaned

    def rules(self):
        return {
            kind: {
                "is_active": self.cleaned_data[f"{kind}_active"],
                "delay_hours": self.cleaned_data[f"{kind}_delay"],
                "by_sms": self.cleaned_data[f"{kind}_sms"],
                "by_email": self.cleaned_data[f"{kind}_email"],
            }
            for kind in CommunicationKind.values
        }


class PublicPageForm(forms.ModelForm):
    logo_upload = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("PNG or JPEG; 2 MB at most."),
        widget=forms.ClearableFileInput(attrs={"accept": ".png,.jpg,.jpeg"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the current logo"), required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = ClinicSettings
        fields = [
            "public_name_fr",
            "public_name_en",
            "address",
            "phone",
            "email",
            "website",
            "welcome_message_fr",
            "welcome_message_en",
            "popup_message_fr",
            "popup_message_en",
            "transitional_message_fr",
            "transitional_message_en",
            "days_shown",
            "show_duration",
        ]
        labels = {
            "public_name_fr": _("Name shown on the public page (French)"),
            "public_name_en": _("Name shown on the public page (English)"),
            "welcome_message_fr": _("Welcome message (French)"),
            "welcome_message_en": _("Welcome message (English)"),
            "popup_message_fr": _("Pop-up message (French)"),
            "popup_message_en": _("Pop-up message (English)"),
            "transitional_message_fr": _("Transitional message, while online booking is closed (French)"),
            "transitional_message_en": _("Transitional message, while online booking is closed (English)"),
        }
        widgets = {
            field: TEXTAREA for field in fields if field.startswith(("welcome", "popup", "transitional"))
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.logo_content_type = ""

    def clean_logo_upload(self):
        upload = self.cleaned_data.get("logo_upload")
        if upload:
            self.logo_content_type = check_upload(upload, allowed=ALLOWED_IMAGES, max_size=2 * 1024 * 1024)
        return upload


# Schedules ------------------------------------------------------------------------------------


def is_schedule_day(value):
    """Within ten years of today: further is a typing mistake, and near the first or last date Python
    knows, the schedules' date arithmetic would overflow (a server error instead of a message)."""
    return abs((value - timezone.localdate()).days) <= 3653


class ScheduleDateField(forms.DateField):
    def validate(self, value):
        super().validate(value)
        if value and not is_schedule_day(value):
            raise ValidationError(self.error_messages["invalid"], code="invalid")


class SlotForm(forms.Form):
    date = ScheduleDateField(label=_("Date"), widget=DATE_WIDGET)
    start = forms.TimeField(label=_("Start time"), widget=TIME_WIDGET)
    end = forms.TimeField(label=_("End time"), widget=TIME_WIDGET)
    resource = forms.ModelChoiceField(label=_("Team resource"), queryset=TeamResource.objects.none())
    services = forms.ModelMultipleChoiceField(
        label=_("Services"), queryset=Service.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    per_interval = forms.IntegerField(
        label=_("Number of resources (appointments per interval)"),
        min_value=1,
        max_value=500,
        initial=1,
        help_text=_("How many people can come at each interval of the service."),
    )
    is_locked = forms.BooleanField(label=_("Locked: staff only, not offered online"), required=False)
    accept_unused = forms.BooleanField(
        label=_("Save anyway: the minutes left at the end cannot be booked"), required=False
    )

    def __init__(self, *args, resources, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = resources
        self.fields["services"].queryset = services
        self.fields["services"].label_from_instance = lambda service: (
            _("%(name)s (%(minutes)d min)")
            % {
                "name": service.name,
                "minutes": service.duration_minutes,
            }
        )
        self.unused_minutes = 0
        self.capacity = None

    def clean(self):
        cleaned = super().clean()
        day, start, end = cleaned.get("date"), cleaned.get("start"), cleaned.get("end")
        if day and start and end:
            # Times the clocks skip or show twice that day are refused next to their field.
            try:
                cleaned["starts_at"] = dates.aware(day, start)
            except dates.LocalTimeError as error:
                self.add_error("start", error.message)
            try:
                cleaned["ends_at"] = dates.aware(day + timedelta(days=1) if end == time(0, 0) else day, end)
            except dates.LocalTimeError as error:
                self.add_error("end", error.message)
            if "starts_at" in cleaned and "ends_at" in cleaned and cleaned["ends_at"] <= cleaned["starts_at"]:
                self.add_error("end", _("The end must be after the start."))
        services = cleaned.get("services")
        if services and "starts_at" in cleaned and "ends_at" in cleaned and cleaned.get("per_interval"):
            from appointments.services import capacity_of

            durations = {service.duration_minutes for service in services}
            if len(durations) > 1:
                self.add_error("services", _("The services of one slot must have the same duration."))
            else:
                self.capacity, self.unused_minutes = capacity_of(
                    starts_at=cleaned["starts_at"],
                    ends_at=cleaned["ends_at"],
                    interval_minutes=durations.pop(),
                    per_interval=cleaned["per_interval"],
                )
                if self.unused_minutes and not cleaned.get("accept_unused"):
                    self.add_error(
                        "accept_unused",
                        _(
                            "The range is not a multiple of the service duration: the last %(minutes)d minutes "
                            "cannot be booked. Adjust the times, or tick this box to save anyway."
                        )
                        % {"minutes": self.unused_minutes},
                    )
        return cleaned


WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class CloneForm(forms.Form):
    location = forms.ModelChoiceField(label=_("Location"), queryset=Location.objects.none())
    source_day = ScheduleDateField(label=_("Typical day to copy"), widget=DATE_WIDGET)
    first_day = ScheduleDateField(label=_("First day to create"), widget=DATE_WIDGET)
    last_day = ScheduleDateField(label=_("Last day to create"), widget=DATE_WIDGET)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days of the week"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        initial=[0, 1, 2, 3, 4],
    )

    def __init__(self, *args, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if first and last:
            if last < first:
                self.add_error("last_day", _("The last day cannot be before the first day."))
            elif (last - first).days > 180:
                self.add_error("last_day", _("Clone at most six months at a time."))
            else:
                weekdays = set(cleaned.get("weekdays") or [])
                cleaned["target_days"] = [
                    first + timedelta(days=offset)
                    for offset in range((last - first).days + 1)
                    if (first + timedelta(days=offset)).weekday() in weekdays
                ]
                if not cleaned["target_days"] and "weekdays" not in self.errors:
                    self.add_error("weekdays", _("No chosen day of the week falls between these dates."))
        return cleaned


class CalendarForm(forms.Form):
    """The schedule's filters (guide 3.4): date, view, location, services, resources, period."""

    view = forms.ChoiceField(
        label=_("View"),
        choices=[("day", _("Day")), ("week", _("Week")), ("month", _("Month"))],
        required=False,
    )
    display = forms.ChoiceField(
        label=_("Display"),
        choices=[("grid", _("Calendar")), ("list", _("List"))],
        required=False,
    )
    date = ScheduleDateField(label=_("Date"), required=False, widget=DATE_WIDGET)
    location = forms.ModelChoiceField(label=_("Location"), queryset=Location.objects.none(), required=False)
    services = forms.ModelMultipleChoiceField(
        label=_("Services"),
        queryset=Service.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    resources = forms.ModelMultipleChoiceField(
        label=_("Resources"),
        queryset=TeamResource.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    grid = forms.TypedChoiceField(
        label=_("Grid"),
        choices=[(5, _("5 minutes")), (10, _("10 minutes")), (15, _("15 minutes"))],
        coerce=int,
        required=False,
    )
    first_hour = forms.TypedChoiceField(
        label=_("From"), choices=[(hour, f"{hour:02d}:00") for hour in range(24)], coerce=int, required=False
    )
    last_hour = forms.TypedChoiceField(
        label=_("To"), choices=[(hour, f"{hour:02d}:00") for hour in range(1, 25)], coerce=int, required=False
    )

    def __init__(self, *args, locations, services, resources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations
        self.fields["services"].queryset = services
        self.fields["resources"].queryset = resources

    def clean(self):
        cleaned = super().clean()
        cleaned["view"] = cleaned.get("view") or "week"
        cleaned["display"] = cleaned.get("display") or "grid"
        cleaned["date"] = cleaned.get("date") or timezone.localdate()
        cleaned["grid"] = cleaned.get("grid") or 15
        first = cleaned.get("first_hour")
        last = cleaned.get("last_hour")
        cleaned["first_hour"] = 7 if first in (None, "") else first
        cleaned["last_hour"] = 21 if last in (None, "") else last
        if cleaned["last_hour"] <= cleaned["first_hour"]:
            self.add_error("last_hour", _("The end of the period must be after its start."))
        return cleaned


# Booking --------------------------------------------------------------------------------------------


class PublicSearchForm(forms.Form):
    """Guide 5, steps 2–3: choose a service and type a postal code."""

    service = forms.ModelChoiceField(label=_("Select a service"), queryset=Service.objects.none())
    postal_code = forms.CharField(
        label=_("Your postal code"),
        max_length=10,
        help_text=_("Home, or the town where you want the appointment. Example: E1C 4M2."),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services

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
    PersonalField.DATE_OF_BIRTH: lambda label, required: forms.DateField(
        label=label, required=required, widget=DATE_WIDGET
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


class PersonForm(forms.Form):
    """The person's details, as the service asks them (guide 5 step 9, 4.3 step 6)."""

    for_someone_else = forms.BooleanField(label=_("I want an appointment for another person"), required=False)
    first_name = forms.CharField(
        label=_("First name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )

    def __init__(self, *args, service, staff=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = staff
        for code, label in PersonalField.choices:
            mode = service.field_mode(code)
            if mode == FieldMode.OFF or (staff and code == PersonalField.COMMENT):
                continue
            self.fields[code] = PERSONAL_WIDGETS[code](label, mode == FieldMode.REQUIRED)
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
        # The SMS choice right after the mobile number (guide 5, step 9).
        order = [name for name in self.fields if name != "send_sms"]
        if "send_sms" in self.fields:
            order.insert(order.index("mobile_phone") + 1, "send_sms")
        self.order_fields(order)

    def clean_postal_code(self):
        return canadian_postal_code(self.cleaned_data.get("postal_code"))

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

    service = forms.ModelChoiceField(label=_("Service"), queryset=Service.objects.none())
    location = forms.ModelChoiceField(label=_("Location"), queryset=Location.objects.none())
    date = ScheduleDateField(label=_("Date"), widget=DATE_WIDGET)

    def __init__(self, *args, services, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services
        self.fields["location"].queryset = locations


# Follow-up --------------------------------------------------------------------------------------------

FOLLOW_UP_COLUMNS = [
    ("date", _("Date")),
    ("time", _("Time")),
    ("service", _("Service")),
    ("location", _("Location")),
    ("resource", _("Team resource")),
    ("name", _("Name")),
    ("date_of_birth", _("Date of birth")),
    ("phone", _("Mobile phone")),
    ("email", _("Email")),
    ("number", _("Confirmation number")),
    ("reminders", _("Reminder")),
    ("relaunches", _("Relaunch")),
    ("attendance", _("Person's status")),
    ("status", _("Appointment status")),
    ("comment", _("Comment")),
]
DEFAULT_COLUMNS = ["date", "time", "service", "name", "reminders", "relaunches", "attendance", "status"]


class FollowUpForm(forms.Form):
    """Guide 6.1–6.4: report, period, filters, view type and advanced search."""

    report = forms.ChoiceField(
        label=_("Report"),
        choices=[
            ("active", _("All appointments (without cancellations)")),
            ("all", _("All appointments (with cancellations)")),
        ],
        required=False,
    )
    period = forms.ChoiceField(
        label=_("Period"),
        choices=[("day", _("Day")), ("week", _("Week")), ("month", _("Month")), ("quarter", _("3 months"))],
        required=False,
    )
    date = ScheduleDateField(label=_("Date"), required=False, widget=DATE_WIDGET)
    view_type = forms.ChoiceField(
        label=_("View type"),
        choices=[
            ("appointments", _("Only the appointments")),
            ("both", _("Availabilities and appointments")),
            ("availabilities", _("Only the availabilities")),
        ],
        required=False,
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Services"),
        queryset=Service.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    locations = forms.ModelMultipleChoiceField(
        label=_("Locations"),
        queryset=Location.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    resources = forms.ModelMultipleChoiceField(
        label=_("Resources"),
        queryset=TeamResource.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    number = forms.CharField(label=_("Confirmation number"), required=False, max_length=12)
    first_name = forms.CharField(label=_("First name"), required=False, max_length=100)
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=100)
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DATE_WIDGET)
    phone = forms.CharField(label=_("Mobile phone"), required=False, max_length=30)
    email = forms.CharField(label=_("Email"), required=False, max_length=254)

    SEARCH_FIELDS = ("number", "first_name", "last_name", "date_of_birth", "phone", "email")
    # The advanced search names a person: sent by POST, kept in the session (portal.search).
    personal_fields = SEARCH_FIELDS

    def __init__(self, *args, services, locations, resources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = services
        self.fields["locations"].queryset = locations
        self.fields["resources"].queryset = resources

    def clean(self):
        cleaned = super().clean()
        cleaned["report"] = cleaned.get("report") or "active"
        cleaned["period"] = cleaned.get("period") or "day"
        cleaned["date"] = cleaned.get("date") or timezone.localdate()
        cleaned["view_type"] = cleaned.get("view_type") or "appointments"
        cleaned["number"] = "".join((cleaned.get("number") or "").split()).upper().lstrip("#")
        return cleaned

    def searching(self):
        return any(self.cleaned_data.get(field) for field in self.SEARCH_FIELDS)


class ColumnsForm(forms.Form):
    columns = forms.MultipleChoiceField(
        label=_("Columns shown"), choices=FOLLOW_UP_COLUMNS, widget=forms.CheckboxSelectMultiple
    )


BATCH_LABELS = {
    "undefined": _("Not defined"),
    "present": _("Present"),
    "absent": _("Absent"),
    "not_eligible": _("Not eligible"),
    "confirm": _("Confirm"),
    "reminder": _("Reminder"),
    "relaunch": pgettext_lazy("batch action", "Relaunch"),
    "cancel": pgettext_lazy("batch action", "Cancel"),
}
# The confirmation of each batch action (guide 6.7 to 6.10): title, question, button.
BATCH_CONFIRMATIONS = {
    "undefined": (
        _("Mark appointments as not defined"),
        _("You are about to mark all the selected appointments as not defined. Do you want to continue?"),
        _("Not defined"),
    ),
    "present": (
        _("Mark appointments as present"),
        _("You are about to mark all the selected appointments as present. Do you want to continue?"),
        _("Present"),
    ),
    "absent": (
        _("Mark appointments as absent"),
        _("You are about to mark all the selected appointments as absent. Do you want to continue?"),
        _("Absent"),
    ),
    "not_eligible": (
        _("Mark appointments as not eligible"),
        _("You are about to mark all the selected appointments as not eligible. Do you want to continue?"),
        _("Not eligible"),
    ),
    "confirm": (
        _("Confirm appointments"),
        _("You are about to confirm all the selected appointments. Do you want to continue?"),
        _("Confirm the appointments"),
    ),
    "reminder": (
        _("Send a reminder"),
        _("You are about to send a reminder for all the selected appointments. Do you want to continue?"),
        _("Send the reminders"),
    ),
    "relaunch": (
        _("Relaunch people"),
        _(
            "You are about to invite the people of all the selected appointments to book again. Do you want to continue?"
        ),
        _("Send the relaunches"),
    ),
    "cancel": (
        _("Cancel appointments"),
        _("You are about to cancel all the selected appointments. Do you want to continue?"),
        _("Cancel the appointments"),
    ),
}


class BatchForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), choices=list(BATCH_LABELS.items()))
    selected = forms.TypedMultipleChoiceField(
        label=_("Appointments"),
        coerce=int,
        error_messages={"required": _("Select at least one appointment.")},
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["selected"].choices = choices


class StatisticsForm(forms.Form):
    first_day = ScheduleDateField(label=_("From"), required=False, widget=DATE_WIDGET)
    last_day = ScheduleDateField(label=_("To"), required=False, widget=DATE_WIDGET)

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        cleaned["first_day"] = cleaned.get("first_day") or today - timedelta(days=30)
        cleaned["last_day"] = cleaned.get("last_day") or today + timedelta(days=14)
        if cleaned["last_day"] < cleaned["first_day"]:
            self.add_error("last_day", _("The last day cannot be before the first day."))
        elif (cleaned["last_day"] - cleaned["first_day"]).days > 366:
            self.add_error("last_day", _("Choose a period of one year at most."))
        return cleaned
