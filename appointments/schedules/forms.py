"""Schedule forms: slots, cloning, the calendar's filters."""

from datetime import date, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appointments.forms import ScopedChoices, choose_many
from appointments.models import (
    Location,
    Service,
    TeamResource,
)
from appointments.schedules.services import capacity_of
from portal import dates
from portal.forms import (
    DATE_WIDGET,
)

TIME_WIDGET = forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")
# Schedules ------------------------------------------------------------------------------------


def is_schedule_day(value):
    """Within ten years of today: further is a typing mistake, and near the first or last date Python
    knows, the schedules' date arithmetic would overflow (a server error instead of a message)."""
    return abs((value - timezone.localdate()).days) <= 3653


def parse_day(value):
    """The day an address names (?date=2026-05-04), or None when it names none a schedule may show."""
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if day is not None and is_schedule_day(day) else None


class ScheduleDateField(forms.DateField):
    def validate(self, value):
        super().validate(value)
        if value and not is_schedule_day(value):
            raise ValidationError(self.error_messages["invalid"], code="invalid")


class SlotForm(ScopedChoices, forms.Form):
    date = ScheduleDateField(label=_("Date"), widget=DATE_WIDGET)
    start = forms.TimeField(label=_("Start time"), widget=TIME_WIDGET)
    end = forms.TimeField(label=_("End time"), widget=TIME_WIDGET)
    # A prompt in words, not Django's "---------" (issue 20); still required.
    resource = forms.ModelChoiceField(
        label=_("Team resource"), queryset=TeamResource.objects.none(), empty_label=_("Choose a team")
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Services"), queryset=Service.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    per_interval = forms.IntegerField(
        label=_("Number of resources (appointments per interval)"),
        min_value=1,
        max_value=500,
        initial=1,
        help_text=_("How many people can come at each interval of the service."),
    )
    is_locked = forms.BooleanField(label=_("Locked: staff only, not offered online"), required=False)
    accept_unused = forms.BooleanField(
        label=_("Save anyway: the minutes left at the end cannot be booked"), required=False
    )

    scoped_choices = {"resources": "resource", "services": "services"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].label_from_instance = lambda service: (
            _("%(name)s (%(minutes)d min)")
            % {
                "name": service.name,
                "minutes": service.duration_minutes,
            }
        )
        self.unused_minutes = 0
        self.capacity = None

    def clean(self):
        cleaned = super().clean()
        day, start, end = cleaned.get("date"), cleaned.get("start"), cleaned.get("end")
        if day and start and end:
            # Times the clocks skip or show twice that day are refused next to their field.
            try:
                cleaned["starts_at"] = dates.aware(day, start)
            except dates.LocalTimeError as error:
                self.add_error("start", error.message)
            try:
                cleaned["ends_at"] = dates.aware(day + timedelta(days=1) if end == time(0, 0) else day, end)
            except dates.LocalTimeError as error:
                self.add_error("end", error.message)
            if "starts_at" in cleaned and "ends_at" in cleaned and cleaned["ends_at"] <= cleaned["starts_at"]:
                self.add_error("end", _("The end must be after the start."))
        services = cleaned.get("services")
        if services and "starts_at" in cleaned and "ends_at" in cleaned and cleaned.get("per_interval"):
            durations = {service.duration_minutes for service in services}
            if len(durations) > 1:
                self.add_error("services", _("The services of one slot must have the same duration."))
            else:
                self.capacity, self.unused_minutes = capacity_of(
                    starts_at=cleaned["starts_at"],
                    ends_at=cleaned["ends_at"],
                    interval_minutes=durations.pop(),
                    per_interval=cleaned["per_interval"],
                )
                if self.unused_minutes and not cleaned.get("accept_unused"):
                    self.add_error(
                        "accept_unused",
                        _(
                            "The range is not a multiple of the service duration: the last %(minutes)d minutes "
                            "cannot be booked. Adjust the times, or tick this box to save anyway."
                        )
                        % {"minutes": self.unused_minutes},
                    )
        return cleaned


WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class CloneForm(ScopedChoices, forms.Form):
    location = forms.ModelChoiceField(
        label=_("Location"), queryset=Location.objects.none(), empty_label=_("Choose a location")
    )
    source_day = ScheduleDateField(label=_("Typical day to copy"), widget=DATE_WIDGET)
    first_day = ScheduleDateField(label=_("First day to create"), widget=DATE_WIDGET)
    last_day = ScheduleDateField(label=_("Last day to create"), widget=DATE_WIDGET)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days of the week"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        initial=[0, 1, 2, 3, 4],
    )

    scoped_choices = {"locations": "location"}

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if first and last:
            if last < first:
                self.add_error("last_day", _("The last day cannot be before the first day."))
            elif (last - first).days > 180:
                self.add_error("last_day", _("Clone at most six months at a time."))
            else:
                weekdays = set(cleaned.get("weekdays") or [])
                cleaned["target_days"] = [
                    first + timedelta(days=offset)
                    for offset in range((last - first).days + 1)
                    if (first + timedelta(days=offset)).weekday() in weekdays
                ]
                if not cleaned["target_days"] and "weekdays" not in self.errors:
                    self.add_error("weekdays", _("No chosen day of the week falls between these dates."))
        return cleaned


class CalendarForm(ScopedChoices, forms.Form):
    """The schedule's filters (guide 3.4): date, view, location, services, resources, period."""

    view = forms.ChoiceField(
        label=_("View"),
        choices=[("day", _("Day")), ("week", _("Week")), ("month", _("Month"))],
        required=False,
    )
    display = forms.ChoiceField(
        label=_("Display"),
        choices=[("grid", _("Calendar")), ("list", _("List"))],
        required=False,
    )
    date = ScheduleDateField(label=_("Date"), required=False, widget=DATE_WIDGET)
    # No blank choice: without one, the calendar shows the first location.
    location = forms.ModelChoiceField(
        label=_("Location"), queryset=Location.objects.none(), required=False, empty_label=None
    )
    services = choose_many(_("Services"), Service)
    resources = choose_many(_("Resources"), TeamResource)
    grid = forms.TypedChoiceField(
        label=_("Grid"),
        choices=[(5, _("5 minutes")), (10, _("10 minutes")), (15, _("15 minutes"))],
        coerce=int,
        required=False,
    )
    first_hour = forms.TypedChoiceField(
        label=_("From"), choices=[(hour, f"{hour:02d}:00") for hour in range(24)], coerce=int, required=False
    )
    last_hour = forms.TypedChoiceField(
        label=_("To"), choices=[(hour, f"{hour:02d}:00") for hour in range(1, 25)], coerce=int, required=False
    )

    scoped_choices = {"locations": "location", "services": "services", "resources": "resources"}

    def clean(self):
        cleaned = super().clean()
        cleaned["view"] = cleaned.get("view") or "week"
        cleaned["display"] = cleaned.get("display") or "grid"
        cleaned["date"] = cleaned.get("date") or timezone.localdate()
        cleaned["grid"] = cleaned.get("grid") or 15
        first = cleaned.get("first_hour")
        last = cleaned.get("last_hour")
        cleaned["first_hour"] = 7 if first in (None, "") else first
        cleaned["last_hour"] = 21 if last in (None, "") else last
        if cleaned["last_hour"] <= cleaned["first_hour"]:
            self.add_error("last_hour", _("The end of the period must be after its start."))
        return cleaned
