"""Forms of the needs determination and the action plan."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from portal.forms import DATE_WIDGET, LocalizedDecimalField
from referrals.cases.forms import check_reasonable_dates
from referrals.models import (
    Barrier,
    BusinessPartner,
    DeliveryModel,
    Dimension,
    FundingType,
    InterventionType,
)


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
        dimension = self._chosen_dimension()
        if dimension is not None:
            # The list follows the chosen dimension (the page's "Show the types of this dimension"
            # button asks again, without JavaScript); clean() still checks the pair.
            self.fields["intervention_type"].choices = [
                ("", "---------"),
                *((item.pk, item.name) for item in types if item.dimension_id == dimension),
            ]
        else:
            groups = {}
            for item in types:
                groups.setdefault(item.dimension.name, []).append((item.pk, item.name))
            self.fields["intervention_type"].choices = [("", "---------"), *groups.items()]

    def _chosen_dimension(self):
        """The id of the dimension the person chose (posted, or the form's initial value), if any."""
        value = self.data.get("dimension") if self.is_bound else self.initial.get("dimension")
        value = getattr(value, "pk", value)
        try:
            return int(value) if value not in (None, "") else None
        except (TypeError, ValueError):
            return None

    def clean(self):
        data = super().clean()
        start, end = data.get("planned_start"), data.get("planned_end")
        check_reasonable_dates(self, data, ("planned_start", "planned_end"))
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


class PrintForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the plan"), choices=settings.LANGUAGES)
