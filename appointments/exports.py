"""The appointment application's exports (portal.exports runs them in Celery, as the person who asked)."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from appointments import selectors
from appointments.follow_up.forms import FollowUpForm, StatisticsForm
from appointments.tables import CHOOSABLE_COLUMNS, DETAIL_COLUMNS, FollowUpTable, follow_up_columns
from portal.exports import from_table
from portal.selectors import active_organization

STAT_MEASURES = ["bookings", "cancellations", "presences", "absences", "not_eligible", "no_shows"]


def stat_labels():
    return {
        "bookings": _("Bookings"),
        "cancellations": _("Cancellations"),
        "presences": _("Attended"),
        "absences": _("Absences"),
        # Guide 6.9: people marked "Non admissible" on the day (their status, not a no-show).
        "not_eligible": _("Not eligible"),
        "no_shows": _("No-shows"),
    }


def statistics_data(organization, first_day, last_day):
    """selectors.statistics_data with the "non admissible" count (guide 6.9) by day, service, location
    and in total (`total_figures`), and each row's figures in STAT_MEASURES order (`row["figures"]`)."""
    from django.db.models import Count
    from django.db.models.functions import TruncDate
    from django.utils import timezone

    from appointments.models import Appointment, Attendance

    data = selectors.statistics_data(organization, first_day, last_day)
    start, _end = selectors.day_bounds(first_day)
    _start, end = selectors.day_bounds(last_day)
    # The same appointments as the other figures: those of the period, cancelled or not.
    marked = Appointment.objects.for_organization(organization).filter(
        starts_at__gte=start, starts_at__lt=end, attendance=Attendance.NOT_ELIGIBLE
    )
    tz = timezone.get_current_timezone()
    counts = {
        "by_day": (
            "day",
            marked.annotate(day=TruncDate("starts_at", tzinfo=tz)).values("day").annotate(count=Count("pk")),
        ),
        "by_service": ("service__pk", marked.values("service__pk").annotate(count=Count("pk"))),
        "by_location": (
            "slot__location__pk",
            marked.values("slot__location__pk").annotate(count=Count("pk")),
        ),
    }
    for group, (key, queryset) in counts.items():
        found = {row[key]: row["count"] for row in queryset.order_by()}
        for row in data[group]:
            row["not_eligible"] = found.get(row[key], 0)
            row["figures"] = [row[measure] for measure in STAT_MEASURES]
    # data["totals"] keeps selectors' shape; the totals of every measure, in order, apart.
    totals = {**data["totals"], "not_eligible": sum(row["not_eligible"] for row in data["by_day"])}
    data["total_figures"] = [totals[measure] for measure in STAT_MEASURES]
    return data


# The file's columns: the list's (its combined name is first and last name there), then the personal
# details the list has no column of.
EXPORT_COLUMNS = [*CHOOSABLE_COLUMNS, *DETAIL_COLUMNS]


def export_column_choices():
    return [*follow_up_columns(), *((name, code.label) for name, code in DETAIL_COLUMNS.items())]


class ExportColumnsForm(forms.Form):
    """The Excel export's column chooser (guide 6.1's columns, plus the personal details asked)."""

    # Not "columns": that is the list's own column chooser, a form of the same page.
    file_columns = forms.MultipleChoiceField(
        label=_lazy("Columns of the file"),
        choices=export_column_choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _lazy("Choose at least one column for the file.")},
    )


def _excluded(columns):
    """The table's columns left out of a file of `columns` (None: every column but the details)."""
    if columns is None:
        return list(DETAIL_COLUMNS)
    chosen = set(columns)
    if "name" in chosen:
        chosen |= {"first_name", "last_name"}
    return [name for name in FollowUpTable.base_columns if name not in chosen]


def follow_up_rows(*, user, params):
    """Exporter (portal.exports): the follow-up list as the person sees it, with the columns chosen
    (params["columns"]; an export asked before the chooser has every column of the list)."""
    form = FollowUpForm(
        params.get("filters", {}),
        services=selectors.services_for(user),
        locations=selectors.locations_for(user),
        resources=selectors.resources_for(user),
    )
    form.is_valid()
    # The follow-up table's columns (appointments.tables): the page's and the file's, declared once.
    columns = params.get("columns")
    if columns is not None:
        columns = [name for name in columns if name in EXPORT_COLUMNS] or None
    return from_table(
        FollowUpTable, selectors.follow_up_queryset(user, form.cleaned_data), exclude=_excluded(columns)
    )


def statistics_rows(*, user, params):
    """Exporter: the statistics by day, service and location."""
    form = StatisticsForm(params)
    form.is_valid()
    data = statistics_data(
        active_organization(user), form.cleaned_data["first_day"], form.cleaned_data["last_day"]
    )
    labels = stat_labels()
    headers = [_("Grouped by"), _("Value")] + [labels[key] for key in STAT_MEASURES]
    rows = []
    for group, title in (("by_day", _("Day")), ("by_service", _("Service")), ("by_location", _("Location"))):
        for row in data[group]:
            rows.append([str(title), str(row["label"])] + [row[key] for key in STAT_MEASURES])
    return headers, rows
