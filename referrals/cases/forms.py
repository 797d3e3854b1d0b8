"""Forms of the case screens."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.forms import (
    ALLOWED_DOCUMENTS,
    DATE_OF_BIRTH_HELP,
    DATE_WIDGET,
    IsoDateField,
    canadian_postal_code,
    check_upload,
)
from referrals.models import (
    Case,
    DocumentType,
    EmploymentOutcome,
    Office,
    Person,
    Program,
)

EARLIEST = date(1900, 1, 1)


def reasonable_date(value, field_label=None):
    if value and (value < EARLIEST or value.year > 2200):
        raise ValidationError(_("Enter a date between 1900 and 2200."))
    return value


def check_reasonable_dates(form, data, names):
    """In a form's clean(): each of these dates is reasonable, or its error goes next to its field."""
    for name in names:
        try:
            reasonable_date(data.get(name))
        except ValidationError as error:
            form.add_error(name, error)


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
        field_classes = {"birth_date": IsoDateField}
        help_texts = {"birth_date": DATE_OF_BIRTH_HELP}

    def clean_birth_date(self):
        value = reasonable_date(self.cleaned_data.get("birth_date"))
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
        return reasonable_date(self.cleaned_data.get("opened_on"))


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
        return reasonable_date(self.cleaned_data.get("due_date"))


class OutcomeForm(forms.ModelForm):
    class Meta:
        model = EmploymentOutcome
        fields = ["outcome", "outcome_date", "employer", "occupation", "hours_per_week", "notes"]
        widgets = {"outcome_date": DATE_WIDGET, "notes": forms.Textarea(attrs={"rows": 3})}

    def clean_outcome_date(self):
        return reasonable_date(self.cleaned_data.get("outcome_date"))

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
