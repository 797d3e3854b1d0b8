"""Forms of the business partner directory."""

from django import forms
from django.utils.translation import gettext_lazy as _

from referrals.models import (
    BusinessPartner,
    PartnerService,
)


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
