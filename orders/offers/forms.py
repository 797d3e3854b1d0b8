"""Offers: the provider's answer (accept or decline, then the confirmation step)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class DecisionForm(forms.Form):
    """Step 1 of the guide: accept or decline this order summary?"""

    decision = forms.ChoiceField(
        label=_("Do you want to accept or decline this order summary?"),
        choices=[("accept", _("Accept the request")), ("decline", _("Decline the request"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose to accept or to decline the request.")},
    )


class AcceptForm(forms.Form):
    message = forms.CharField(
        label=_("Message for Social Development (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, period_over=False, **kwargs):
        super().__init__(*args, **kwargs)
        if period_over:
            # An offer whose period is over is accepted only once this is ticked (the service
            # refuses otherwise, its message next to this box).
            self.fields["period_over"] = forms.BooleanField(
                label=_("I know that this period is over, and I accept the request anyway."),
                required=False,
            )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for declining the request"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
