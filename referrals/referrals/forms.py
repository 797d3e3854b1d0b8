"""Forms of referrals, transfers and correspondence templates."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from portal.forms import StackedRadioSelect
from referrals.models import (
    LETTER_PLACEHOLDERS,
    NETWORK_TYPES,
    CorrespondenceTemplate,
    DeclineReason,
    ReferralType,
)


class ReferralTypeForm(forms.Form):
    referral_type = forms.ChoiceField(label=_("Referral type"), choices=ReferralType.choices)

    def __init__(self, *args, transferable=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not transferable:
            # A case in follow-up or closed cannot be transferred: not offered, so not filled in.
            self.fields["referral_type"].choices = [
                choice for choice in ReferralType.choices if choice[0] != ReferralType.TRANSFER
            ]
            self.fields["referral_type"].help_text = _("A case in follow-up cannot be transferred.")


# What sending needs (referrals.referrals.services checks it again), each with its message. These
# fields show as required; a draft may still be saved without them.
NEEDED_TO_SEND = {
    "agency": _("Choose the agency that receives the referral."),
    "organization_name": _("Enter the organization that receives the referral."),
    "contact_person": _("Enter the contact person."),
    "email_to": _("Enter the email address to send the referral to."),
    "template": _("Choose a correspondence template."),
    "subject": _("Enter the email subject."),
    "body": _("Enter the email body."),
}


class ReferralForm(forms.Form):
    """The fields of the guide. Every field may stay empty in a draft; sending (`sending=True`:
    the "Send the referral" button, before its confirmation page) checks them all, each error next
    to its field."""

    agency = forms.ModelChoiceField(label=_("Organization"), queryset=None, required=False)
    organization_name = forms.CharField(label=_("Organization"), max_length=200, required=False)
    contact_person = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    email_to = forms.EmailField(label=_("Email to"), required=False)
    language = forms.ChoiceField(label=_("Correspondence language"), choices=settings.LANGUAGES)
    template = forms.ModelChoiceField(label=_("Correspondence template"), queryset=None, required=False)
    subject = forms.CharField(label=_("Email subject"), max_length=200, required=False)
    body = forms.CharField(label=_("Email body"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, referral, agencies, sending=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.referral = referral
        self.sending = sending
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
        for name in NEEDED_TO_SEND:
            if name in self.fields:
                # Shown as required (its mark); checked in clean() only when sending.
                self.fields[name].required = True

    def full_clean(self):
        needed = [name for name in NEEDED_TO_SEND if name in self.fields]
        for name in needed:
            self.fields[name].required = False
        try:
            super().full_clean()
        finally:
            for name in needed:
                self.fields[name].required = True

    def clean(self):
        data = super().clean()
        if self.sending:
            if not data.get("email_to") and data.get("agency") is not None and data["agency"].contact_email:
                # As saving does: the agency's general contact email.
                data["email_to"] = data["agency"].contact_email
            for name, message in NEEDED_TO_SEND.items():
                if name in self.fields and name not in self.errors and not data.get(name):
                    self.add_error(name, message)
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


class ResponseForm(forms.Form):
    """The receiving agency's answer: a decline says why (a reason of the list, "Other" typed in);
    an acceptance may say a word. One line each, so that Enter answers."""

    reason = forms.ChoiceField(
        label=_("Reason of the decline"),
        choices=DeclineReason.choices,
        widget=StackedRadioSelect,  # each reason is a sentence: one a line
        error_messages={"required": _("Choose the reason of the decline.")},
    )
    comment = forms.CharField(label=_("Comment"), max_length=500, required=False)

    def __init__(self, *args, decline: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if decline:
            self.fields["comment"].help_text = _("Required for “Other”. The sender reads it.")
        else:
            del self.fields["reason"]
            self.fields["comment"].help_text = _("Optional. The sender reads it.")

    def clean(self):
        data = super().clean()
        if data.get("reason") == DeclineReason.OTHER and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Say why the referral is declined."))
        return data
