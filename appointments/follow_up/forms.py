"""Follow-up forms: the list's filters and columns, batch actions, statistics."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from appointments.forms import ScopedChoices, choose_many
from appointments.models import (
    Location,
    Service,
    TeamResource,
)
from appointments.schedules.forms import ScheduleDateField
from appointments.tables import follow_up_columns
from portal.forms import (
    DATE_OF_BIRTH_HELP,
    DATE_WIDGET,
    IsoDateField,
)

# Follow-up --------------------------------------------------------------------------------------------

# The columns a person may show, with their headings: declared in the list's table.
FOLLOW_UP_COLUMNS = follow_up_columns()
DEFAULT_COLUMNS = ["date", "time", "service", "name", "reminders", "relaunches", "attendance", "status"]


class FollowUpForm(ScopedChoices, forms.Form):
    """Guide 6.1–6.4: report, period, filters, view type and advanced search."""

    report = forms.ChoiceField(
        label=_("Report"),
        choices=[
            ("active", _("All appointments (without cancellations)")),
            ("all", _("All appointments (with cancellations)")),
        ],
        required=False,
    )
    period = forms.ChoiceField(
        label=_("Period"),
        choices=[("day", _("Day")), ("week", _("Week")), ("month", _("Month")), ("quarter", _("3 months"))],
        required=False,
    )
    date = ScheduleDateField(label=_("Date"), required=False, widget=DATE_WIDGET)
    view_type = forms.ChoiceField(
        label=_("View type"),
        choices=[
            ("appointments", _("Only the appointments")),
            ("both", _("Availabilities and appointments")),
            ("availabilities", _("Only the availabilities")),
        ],
        required=False,
    )
    services = choose_many(_("Services"), Service)
    locations = choose_many(_("Locations"), Location)
    resources = choose_many(_("Resources"), TeamResource)
    number = forms.CharField(label=_("Confirmation number"), required=False, max_length=12)
    first_name = forms.CharField(label=_("First name"), required=False, max_length=100)
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=100)
    date_of_birth = IsoDateField(
        label=_("Date of birth"),
        required=False,
        widget=DATE_WIDGET,
        help_text=DATE_OF_BIRTH_HELP,
    )
    phone = forms.CharField(label=_("Mobile phone"), required=False, max_length=30)
    email = forms.CharField(label=_("Email"), required=False, max_length=254)

    SEARCH_FIELDS = ("number", "first_name", "last_name", "date_of_birth", "phone", "email")
    # The advanced search names a person: sent by POST, kept in the session (portal.search).
    personal_fields = SEARCH_FIELDS
    scoped_choices = {"services": "services", "locations": "locations", "resources": "resources"}

    def clean(self):
        cleaned = super().clean()
        cleaned["report"] = cleaned.get("report") or "active"
        cleaned["period"] = cleaned.get("period") or "day"
        cleaned["date"] = cleaned.get("date") or timezone.localdate()
        cleaned["view_type"] = cleaned.get("view_type") or "appointments"
        cleaned["number"] = "".join((cleaned.get("number") or "").split()).upper().lstrip("#")
        return cleaned

    def searching(self):
        return any(self.cleaned_data.get(field) for field in self.SEARCH_FIELDS)


class ColumnsForm(forms.Form):
    columns = forms.MultipleChoiceField(
        label=_("Columns shown"), choices=FOLLOW_UP_COLUMNS, widget=forms.CheckboxSelectMultiple
    )


BATCH_LABELS = {
    "undefined": _("Not defined"),
    "present": _("Present"),
    "absent": _("Absent"),
    "not_eligible": _("Not eligible"),
    "confirm": _("Confirm"),
    "reminder": _("Reminder"),
    "relaunch": pgettext_lazy("batch action", "Send a follow-up reminder"),
    "cancel": pgettext_lazy("batch action", "Cancel"),
}
# The confirmation of each batch action (guide 6.7 to 6.10): title, question, button.
BATCH_CONFIRMATIONS = {
    "undefined": (
        _("Mark appointments as not defined"),
        _("You are about to mark all the selected appointments as not defined. Do you want to continue?"),
        _("Not defined"),
    ),
    "present": (
        _("Mark appointments as present"),
        _("You are about to mark all the selected appointments as present. Do you want to continue?"),
        _("Present"),
    ),
    "absent": (
        _("Mark appointments as absent"),
        _("You are about to mark all the selected appointments as absent. Do you want to continue?"),
        _("Absent"),
    ),
    "not_eligible": (
        _("Mark appointments as not eligible"),
        _("You are about to mark all the selected appointments as not eligible. Do you want to continue?"),
        _("Not eligible"),
    ),
    "confirm": (
        _("Confirm appointments"),
        _("You are about to confirm all the selected appointments. Do you want to continue?"),
        _("Confirm the appointments"),
    ),
    "reminder": (
        _("Send a reminder"),
        _("You are about to send a reminder for all the selected appointments. Do you want to continue?"),
        _("Send the reminders"),
    ),
    "relaunch": (
        _("Send follow-up reminders"),
        _(
            "You are about to invite the people of all the selected appointments to book again. Do you want to continue?"
        ),
        _("Send the follow-up reminders"),
    ),
    "cancel": (
        _("Cancel appointments"),
        _("You are about to cancel all the selected appointments. Do you want to continue?"),
        _("Cancel the appointments"),
    ),
}


class BatchForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), choices=list(BATCH_LABELS.items()))
    selected = forms.TypedMultipleChoiceField(
        label=_("Appointments"),
        coerce=int,
        error_messages={"required": _("Select at least one appointment.")},
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["selected"].choices = choices


class StatisticsForm(forms.Form):
    first_day = ScheduleDateField(label=_("From"), required=False, widget=DATE_WIDGET)
    last_day = ScheduleDateField(label=_("To"), required=False, widget=DATE_WIDGET)

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        cleaned["first_day"] = cleaned.get("first_day") or today - timedelta(days=30)
        cleaned["last_day"] = cleaned.get("last_day") or today + timedelta(days=14)
        if cleaned["last_day"] < cleaned["first_day"]:
            self.add_error("last_day", _("The last day cannot be before the first day."))
        elif (cleaned["last_day"] - cleaned["first_day"]).days > 366:
            self.add_error("last_day", _("Choose a period of one year at most."))
        return cleaned
