"""Configuration forms (Pilot): services and their questions, locations, teams, communications,
the public page.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from appointments.configuration.services import DEFAULT_DELAYS
from appointments.forms import ScopedChoices, choose_many
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
from portal.forms import (
    ALLOWED_DOCUMENTS,
    ALLOWED_IMAGES,
    canadian_postal_code,
    check_upload,
    localized_formfield,
)
from portal.models import User
from portal.scoping import ScopedInlineFormSet

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
            "minimum_interval_days",
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
        self.fields["minimum_interval_days"].help_text = _(
            "First dose only: the number of days before the second dose of the same campaign. The "
            "confirmation then offers to book the second dose from that day. Leave empty for no pair."
        )
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


class AssociationForm(ScopedChoices, forms.Form):
    locations = choose_many(_("Associated locations"), Location)
    services = choose_many(_("Associated services"), Service)
    members = choose_many(
        _("Access accounts whose own schedules these are (Management #3, Consultation #2)"), User
    )
    scoped_choices = {"locations": "locations", "services": "services", "members": "members"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].label_from_instance = lambda user: user.get_full_name() or user.email


class CommunicationsForm(forms.Form):
    """One row per kind of communication: active, delay, SMS, email (guide 2.5)."""

    def __init__(self, *args, rules, **kwargs):
        super().__init__(*args, **kwargs)

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
            "terms_text_fr",
            "terms_text_en",
            "privacy_text_fr",
            "privacy_text_en",
            "days_shown",
            "show_duration",
            "waitlist_hold_hours",
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
            "terms_text_fr": _("Terms of use (French)"),
            "terms_text_en": _("Terms of use (English)"),
            "privacy_text_fr": _("Privacy policy (French)"),
            "privacy_text_en": _("Privacy policy (English)"),
        }
        help_texts = {
            field: _("Linked from the consent of the booking form. Empty: the default text is shown.")
            for field in ("terms_text_fr", "terms_text_en", "privacy_text_fr", "privacy_text_en")
        }
        widgets = {
            field: TEXTAREA
            for field in fields
            if field.startswith(("welcome", "popup", "transitional", "terms", "privacy"))
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.logo_content_type = ""
        hold = self.fields["waitlist_hold_hours"]
        hold.required = False
        hold.label = _("Waitlist: hours a place offered stays held")
        hold.help_text = _(
            "A person offered a place from the waitlist has this long to confirm it (from 1 to 72 hours; "
            "an offer made at night counts from 8:00)."
        )

    def clean_waitlist_hold_hours(self):
        # Left empty (or a form of before the setting): the hours already set, else the default.
        value = self.cleaned_data.get("waitlist_hold_hours")
        if value is None:
            value = self.instance.waitlist_hold_hours if self.instance.pk else 2
        return value

    def clean_logo_upload(self):
        upload = self.cleaned_data.get("logo_upload")
        if upload:
            self.logo_content_type = check_upload(upload, allowed=ALLOWED_IMAGES, max_size=2 * 1024 * 1024)
        return upload
