"""Monthly service confirmations: a month's figures, and their correction."""

from django import forms
from django.utils.translation import gettext_lazy as _

from orders.summaries.forms import MONEY
from portal.forms import LocalizedDecimalField


class MonthField(forms.DateField):
    """A month as YYYY-MM (the browser's month picker), kept as its first day."""

    widget = forms.DateInput(attrs={"type": "month", "placeholder": "2026-11"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace(day=1) if value else value


class ConfirmationForm(forms.Form):
    month = MonthField(
        label=_("Month"),
        help_text=_("Year and month, for example 2026-11."),
        error_messages={"invalid": _("Enter a month as year-month, for example 2026-11.")},
    )
    units_delivered = LocalizedDecimalField(label=_("Units delivered"), min_value=0, **MONEY)
    km_delivered = LocalizedDecimalField(label=_("Kilometres driven"), min_value=0, initial=0, **MONEY)


class CorrectionForm(forms.Form):
    """A recorded month's figures, corrected by the provider (until the department acknowledges it)."""

    units_delivered = LocalizedDecimalField(label=_("Units delivered"), min_value=0, **MONEY)
    km_delivered = LocalizedDecimalField(label=_("Kilometres driven"), min_value=0, **MONEY)
