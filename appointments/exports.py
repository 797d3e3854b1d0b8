"""The appointment application's exports (portal.exports runs them in Celery, as the person who asked)."""

from django.utils.translation import gettext as _

from appointments import selectors
from appointments.follow_up.forms import FollowUpForm, StatisticsForm
from appointments.tables import FollowUpTable
from portal.exports import from_table
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
    # The follow-up table's columns (appointments.tables): the page's and the file's, declared once.
    return from_table(FollowUpTable, selectors.follow_up_queryset(user, form.cleaned_data))


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
