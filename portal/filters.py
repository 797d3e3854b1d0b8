"""The audit page's search: who, what record, which action, when."""

import django_filters
from auditlog.models import LogEntry
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal import audit, dates
from portal.db import text_search
from portal.forms import DATE_WIDGET

ACTIONS = [
    (LogEntry.Action.CREATE, pgettext_lazy("audit action", "Created")),
    (LogEntry.Action.UPDATE, pgettext_lazy("audit action", "Changed")),
    (LogEntry.Action.DELETE, pgettext_lazy("audit action", "Deleted")),
    (LogEntry.Action.ACCESS, pgettext_lazy("audit action", "Viewed")),
]
ACTION_LABELS = dict(ACTIONS)
ISO_DATE_HELP = _("Year-month-day, for example 2026-03-31.")


class AuditFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date cannot be before the start date."))
        return cleaned


class AuditFilter(django_filters.FilterSet):
    """Filters an organization's audit entries (the queryset is already scoped by organization)."""

    # A record's name is often a client's: sent by POST, kept in the session (portal.search).
    personal_fields = ("record",)

    who = django_filters.CharFilter(
        label=_("Who"),
        method="filter_who",
        help_text=_("Part of the person's name or email address."),
    )
    record_type = django_filters.ChoiceFilter(
        label=_("Record type"), method="filter_record_type", empty_label=_("Any type")
    )
    record = django_filters.CharFilter(
        label=pgettext_lazy("audit entry", "Record"),
        method="filter_record",
        help_text=_("The record's number, or part of its name as the log shows it."),
    )
    action = django_filters.ChoiceFilter(
        label=_("Action"), choices=ACTIONS, method="filter_action", empty_label=_("Any action")
    )
    date_from = django_filters.DateFilter(
        label=_("From"),
        method="filter_date_from",
        help_text=ISO_DATE_HELP,
        widget=DATE_WIDGET,
    )
    date_to = django_filters.DateFilter(
        label=_("To"),
        method="filter_date_to",
        help_text=ISO_DATE_HELP,
        widget=DATE_WIDGET,
    )

    class Meta:
        model = LogEntry
        form = AuditFilterForm
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["record_type"].extra["choices"] = audit.record_types()

    def filter_who(self, queryset, name, value):
        return queryset.filter(
            text_search(("actor__first_name", "actor__last_name", "actor__email", "actor_email"), value)
        )

    def filter_record_type(self, queryset, name, value):
        model = audit.model_for(value)
        if model is None:
            return queryset.none()
        app_label, model_name = model._meta.label_lower.split(".")
        return queryset.filter(content_type__app_label=app_label, content_type__model=model_name)

    def filter_record(self, queryset, name, value):
        value = value.strip()
        if value.isdigit():
            # A number is the record's (the "No." the list shows next to its name).
            return queryset.filter(object_pk=value)
        return queryset.filter(text_search(("object_repr",), value))

    def filter_action(self, queryset, name, value):
        return queryset.filter(action=int(value))

    def filter_date_from(self, queryset, name, value):
        start, _end = dates.day_bounds(value)
        return queryset.filter(timestamp__gte=start)

    def filter_date_to(self, queryset, name, value):
        try:
            _start, end = dates.day_bounds(value)
        except OverflowError:  # 9999-12-31: no day after it, so no bound
            return queryset
        return queryset.filter(timestamp__lt=end)
