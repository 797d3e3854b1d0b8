"""Service reports: the forms of each kind (the guide's fields and option lists)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.models import (
    ChangeCategory,
    OptionList,
    ReportOption,
    Urgency,
)
from orders.models import Location as ReportLocation
from portal.forms import DATE_WIDGET


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


class ReportMessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}), strip=True
    )
