"""The appointment application's exports (portal.exports runs them in Celery, as the person who asked)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from appointments import selectors
from appointments.follow_up.forms import FollowUpForm, StatisticsForm
from portal.selectors import active_organization

STAT_MEASURES = ["bookings", "cancellations", "presences", "absences", "no_shows"]


def stat_labels():
    return {
        "bookings": _("Bookings"),
        "cancellations": _("Cancellations"),
        "presences": _("Presences"),
        "absences": _("Absences"),
        "no_shows": _("No-shows"),
    }


def follow_up_rows(*, user, params):
    """Exporter (portal.exports): the follow-up list as the person sees it."""
    form = FollowUpForm(
        params.get("filters", {}),
        services=selectors.services_for(user),
        locations=selectors.locations_for(user),
        resources=selectors.resources_for(user),
    )
    form.is_valid()
    data = form.cleaned_data
    headers = [
        _("Date"),
        _("Time"),
        _("Service"),
        _("Location"),
        _("Team resource"),
        _("First name"),
        _("Last name"),
        _("Date of birth"),
        _("Mobile phone"),
        _("Email"),
        _("Confirmation number"),
        _("Reminder"),
        _("Relaunch"),
        _("Person's status"),
        _("Appointment status"),
        _("Comment"),
    ]
    rows = (
        (
            timezone.localtime(item.starts_at).date(),
            timezone.localtime(item.starts_at).strftime("%H:%M"),
            item.service.name,
            item.slot.location.name,
            item.slot.resource.name,
            item.first_name,
            item.last_name,
            item.date_of_birth,
            item.mobile_phone,
            item.email,
            item.number,
            item.reminders,
            item.relaunches,
            item.get_attendance_display(),
            item.get_status_display(),
            item.comment,
        )
        for item in selectors.follow_up_queryset(user, data).iterator()
    )
    return headers, rows


def statistics_rows(*, user, params):
    """Exporter: the statistics by day, service and location."""
    form = StatisticsForm(params)
    form.is_valid()
    data = selectors.statistics_data(
        active_organization(user), form.cleaned_data["first_day"], form.cleaned_data["last_day"]
    )
    labels = stat_labels()
    headers = [_("Grouped by"), _("Value")] + [labels[key] for key in STAT_MEASURES]
    rows = []
    for group, title in (("by_day", _("Day")), ("by_service", _("Service")), ("by_location", _("Location"))):
        for row in data[group]:
            rows.append([str(title), str(row["label"])] + [row[key] for key in STAT_MEASURES])
    return headers, rows
