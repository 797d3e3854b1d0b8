from datetime import date

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.forms import ALLOWED_DOCUMENTS, LocalizedDecimalField, canadian_postal_code, check_upload
from referrals.models import (
    LETTER_PLACEHOLDERS,
    NETWORK_TYPES,
    Agreement,
    Barrier,
    BusinessPartner,
    Case,
    CorrespondenceTemplate,
    DeliveryModel,
    Dimension,
    DocumentType,
    EmploymentOutcome,
    FundingType,
    InterventionType,
    Office,
    PartnerService,
    Person,
    Program,
    ReferralType,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
EARLIEST = date(1900, 1, 1)


def _reasonable_date(value, field_label=None):
    if value and (value < EARLIEST or value.year > 2200):
        raise ValidationError(_("Enter a date between 1900 and 2200."))
    return value


class CaseLookupForm(forms.Form):
    number = forms.IntegerField(label=_("Case ID"), min_value=1, max_value=2_000_000_000)


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "first_name",
            "last_name",
            "birth_date",
            "preferred_language",
            "email",
            "phone",
            "address",
            "city",
            "postal_code",
        ]
        widgets = {"birth_date": DATE_WIDGET}

    def clean_birth_date(self):
        value = _reasonable_date(self.cleaned_data.get("birth_date"))
        if value and value > timezone.localdate():
            raise ValidationError(_("The date of birth cannot be in the future."))
        return value

    def clean_postal_code(self):
        return canadian_postal_code(self.cleaned_data.get("postal_code"))


class OpenCaseForm(forms.Form):
    program = forms.ModelChoiceField(label=_("Program"), queryset=Program.objects.filter(is_active=True))
    office = forms.ModelChoiceField(label=_("Office"), queryset=Office.objects.none())
    case_manager = forms.ModelChoiceField(label=_("Case manager"), queryset=None)
    opened_on = forms.DateField(label=_("Opened on"), widget=DATE_WIDGET)

    def __init__(self, *args, offices, managers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices
        self.fields["case_manager"].queryset = managers
        self.fields["case_manager"].label_from_instance = lambda user: user.get_full_name() or user.email
        self.fields["opened_on"].initial = timezone.localdate()

    def clean_opened_on(self):
        return _reasonable_date(self.cleaned_data.get("opened_on"))


class AdditionalInformationForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = [
            "income_source",
            "disability",
            "has_transportation",
            "accommodation_needs",
            "referral_source",
        ]
        widgets = {"accommodation_needs": forms.Textarea(attrs={"rows": 3})}


class EducationForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = ["education_level", "field_of_study", "last_occupation", "years_experience", "skills"]
        widgets = {"skills": forms.Textarea(attrs={"rows": 3})}

    def clean_years_experience(self):
        value = self.cleaned_data.get("years_experience")
        if value is not None and value > 80:
            raise ValidationError(_("Enter a number of years between 0 and 80."))
        return value


class NeedsForm(forms.Form):
    barriers = forms.ModelMultipleChoiceField(
        label=_("Barriers to employment"),
        queryset=Barrier.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    comments = forms.CharField(label=_("Comments"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class InterventionForm(forms.Form):
    dimension = forms.ModelChoiceField(
        label=_("Employability dimension"), queryset=Dimension.objects.filter(is_active=True)
    )
    funding_requested = forms.BooleanField(
        label=_("Funding request"),
        required=False,
        help_text=_("Tick if a funding request will be made for this intervention."),
    )
    intervention_type = forms.ModelChoiceField(
        label=_("Intervention type"), queryset=InterventionType.objects.filter(is_active=True)
    )
    funding_type = forms.ModelChoiceField(
        label=_("Funding type"),
        queryset=FundingType.objects.filter(is_active=True),
        required=False,
        help_text=_("Choose EDMT so that the case is counted in the accountability report."),
    )
    delivery_model = forms.ChoiceField(
        label=_("Delivery model"), choices=DeliveryModel.choices, widget=forms.RadioSelect
    )
    planned_start = forms.DateField(label=_("Planned start date"), widget=DATE_WIDGET)
    planned_end = forms.DateField(label=_("Planned end date"), widget=DATE_WIDGET)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    local_coordinator = forms.ModelChoiceField(
        label=_("Local coordinator"), queryset=BusinessPartner.objects.none(), required=False
    )
    delivering_organization = forms.ModelChoiceField(
        label=_("Delivering organization"), queryset=BusinessPartner.objects.none(), required=False
    )

    FIELDS = (
        "dimension",
        "funding_requested",
        "intervention_type",
        "funding_type",
        "delivery_model",
        "planned_start",
        "planned_end",
        "description",
        "local_coordinator",
        "delivering_organization",
    )

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["local_coordinator"].queryset = partners
        self.fields["delivering_organization"].queryset = partners
        types = InterventionType.objects.filter(is_active=True).select_related("dimension")
        groups = {}
        for item in types:
            groups.setdefault(item.dimension.name, []).append((item.pk, item.name))
        self.fields["intervention_type"].choices = [("", "---------"), *groups.items()]

    def clean(self):
        data = super().clean()
        start, end = data.get("planned_start"), data.get("planned_end")
        for name in ("planned_start", "planned_end"):
            try:
                _reasonable_date(data.get(name))
            except ValidationError as error:
                self.add_error(name, error)
        if start and end and end < start:
            self.add_error("planned_end", _("The end date cannot be before the start date."))
        kind, dimension = data.get("intervention_type"), data.get("dimension")
        if kind and dimension and kind.dimension_id != dimension.pk:
            self.add_error(
                "intervention_type", _("Choose an intervention type of the chosen employability dimension.")
            )
        if data.get("funding_requested") and not data.get("funding_type"):
            self.add_error(
                "funding_type", _("Choose the funding type of an intervention with a funding request.")
            )
        return data

    def values(self):
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class PartnerSearchForm(forms.Form):
    """The business partner search: by name, service and place (the directory and the picker)."""

    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=PartnerService.objects.filter(is_active=True),
        required=False,
        empty_label=_("Any service"),
    )
    city = forms.CharField(label=_("City or town"), required=False, max_length=100)


class DeleteInterventionsForm(forms.Form):
    interventions = forms.ModelMultipleChoiceField(queryset=None, widget=forms.MultipleHiddenInput)

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interventions"].queryset = queryset
        self.fields["interventions"].error_messages["required"] = _("Choose the interventions to delete.")


class FundingRequestForm(forms.Form):
    amount = LocalizedDecimalField(
        label=_("Amount requested ($)"), max_digits=9, decimal_places=2, min_value=0.01, max_value=1_000_000
    )
    justification = forms.CharField(label=_("Justification"), widget=forms.Textarea(attrs={"rows": 5}))


class FundingDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when refusing."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse" and not data.get("comment", "").strip():
            self.add_error("comment", _("Give the reason for refusing the funding request."))
        return data


class NoteForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 5}))


class DocumentForm(forms.Form):
    document_type = forms.ChoiceField(label=_("Document type"), choices=DocumentType.choices)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, PNG, JPEG, Word (.docx) or text; 10 MB at most."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_DOCUMENTS)}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.content_type = check_upload(upload)
        return upload


class CaseTaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    due_date = forms.DateField(label=_("Due date"), widget=DATE_WIDGET)
    assignee = forms.ModelChoiceField(label=_("Assigned to"), queryset=None)

    def __init__(self, *args, managers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = managers
        self.fields["assignee"].label_from_instance = lambda user: user.get_full_name() or user.email

    def clean_due_date(self):
        return _reasonable_date(self.cleaned_data.get("due_date"))


class OutcomeForm(forms.ModelForm):
    class Meta:
        model = EmploymentOutcome
        fields = ["outcome", "outcome_date", "employer", "occupation", "hours_per_week", "notes"]
        widgets = {"outcome_date": DATE_WIDGET, "notes": forms.Textarea(attrs={"rows": 3})}

    def clean_outcome_date(self):
        return _reasonable_date(self.cleaned_data.get("outcome_date"))

    def clean_hours_per_week(self):
        value = self.cleaned_data.get("hours_per_week")
        if value is not None and value > 168:
            raise ValidationError(_("A week has 168 hours."))
        return value


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class ReassignForm(forms.Form):
    case_manager = forms.ModelChoiceField(label=_("New case manager"), queryset=None)

    def __init__(self, *args, managers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case_manager"].queryset = managers
        self.fields["case_manager"].label_from_instance = lambda user: user.get_full_name() or user.email


class PrintForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the plan"), choices=settings.LANGUAGES)


class PartnerForm(forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = BusinessPartner
        fields = [
            "name",
            "services",
            "address",
            "city",
            "postal_code",
            "phone",
            "email",
            "website",
            "is_local_coordinator",
            "is_active",
        ]
        widgets = {"services": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = PartnerService.objects.filter(is_active=True)


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

    def __init__(self, *args, agencies, **kwargs):
        """`agencies`: those the department may contract (selectors.contractable_agencies)."""
        from referrals.services import agency_not_contractable_error

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
        for name in ("start_date", "end_date"):
            try:
                _reasonable_date(data.get(name))
            except ValidationError as error:
                self.add_error(name, error)
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        return data


class OfficeForm(forms.ModelForm):
    class Meta:
        model = Office
        fields = ["name", "address", "city", "postal_code", "phone", "is_delivery_location", "is_active"]


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
                _reasonable_date(data.get(name))
            except ValidationError as error:
                self.add_error(name, error)
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end of the period cannot be before its start."))
        return data


# Referrals -----------------------------------------------------------------------------------


class ReferralTypeForm(forms.Form):
    referral_type = forms.ChoiceField(label=_("Referral type"), choices=ReferralType.choices)


class ReferralForm(forms.Form):
    """The fields of the guide. Every field may stay empty in a draft; sending checks them all."""

    agency = forms.ModelChoiceField(label=_("Organization"), queryset=None, required=False)
    organization_name = forms.CharField(label=_("Organization"), max_length=200, required=False)
    contact_person = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    email_to = forms.EmailField(label=_("Email to"), required=False)
    language = forms.ChoiceField(label=_("Correspondence language"), choices=settings.LANGUAGES)
    template = forms.ModelChoiceField(label=_("Correspondence template"), queryset=None, required=False)
    subject = forms.CharField(label=_("Email subject"), max_length=200, required=False)
    body = forms.CharField(label=_("Email body"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, referral, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.referral = referral
        if referral.referral_type in NETWORK_TYPES:
            del self.fields["organization_name"]
            self.fields["agency"].queryset = agencies
            self.fields["agency"].help_text = _(
                "Agencies with an active funding agreement, the external case management program and client tracking."
            )
            self.fields["email_to"].help_text = _(
                "Filled with the agency's general contact email; you may change it."
            )
        else:
            del self.fields["agency"]
        language = (
            self.data.get("language")
            if self.is_bound
            else (self.initial.get("language") or referral.language)
        )
        self.fields["template"].queryset = CorrespondenceTemplate.objects.filter(
            referral_type=referral.referral_type, is_active=True
        )
        self.fields["template"].choices = [("", "---------")] + [
            (template.pk, template.name)
            for template in self.fields["template"].queryset
            if template.language == language
        ]
        self.fields["language"].help_text = _(
            "Choose it first: changing the language resets the subject and the body to the template's text."
        )

    def clean(self):
        data = super().clean()
        template = data.get("template")
        if template is not None and template.language != data.get("language"):
            self.add_error(
                "template", _("Choose a template of this referral type in the correspondence language.")
            )
        return data

    def values(self):
        return {name: self.cleaned_data.get(name) for name in self.fields}


class TransferForm(forms.Form):
    office = forms.ModelChoiceField(label=_("Office"), queryset=None)
    case_manager = forms.ModelChoiceField(label=_("Case manager"), queryset=None)
    agreement = forms.ModelChoiceField(label=_("Accountability agreement"), queryset=None)
    delivery_location = forms.ModelChoiceField(label=_("Service delivery location"), queryset=None)

    def __init__(self, *args, offices, managers, agreements, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices
        self.fields["case_manager"].queryset = managers
        self.fields["case_manager"].label_from_instance = lambda user: user.get_full_name() or user.email
        self.fields["agreement"].queryset = agreements
        self.fields["delivery_location"].queryset = locations


class TemplateForm(forms.ModelForm):
    class Meta:
        model = CorrespondenceTemplate
        fields = [
            "name",
            "code",
            "referral_type",
            "language",
            "default_subject",
            "default_body",
            "letter_body",
            "is_active",
        ]
        widgets = {
            "default_body": forms.Textarea(attrs={"rows": 4}),
            "letter_body": forms.Textarea(attrs={"rows": 14}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["letter_body"].help_text = _("Placeholders: %(names)s.") % {
            "names": ", ".join(f"[{name}]" for name in LETTER_PLACEHOLDERS)
        }
