"""Forms of the department's funding decisions."""

from django import forms
from django.utils.translation import gettext_lazy as _


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
