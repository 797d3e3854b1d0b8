import django_tables2 as tables
from django.db.models import Case, IntegerField, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from interpreters.models import QUEUE_STATUSES, Registration, Request, Statement, StatementLine
from interpreters.selectors import language_ranks
from portal.db import NameColumn
from portal.tables import NearerEndPaginator


class RequestTable(tables.Table):
    number = tables.Column(verbose_name=_("Request number"), linkify=lambda record: record.get_absolute_url())
    starts_at = tables.DateTimeColumn(verbose_name=_("Date and time"), format="SHORT_DATETIME_FORMAT")
    language = NameColumn(verbose_name=_("Language"), order_by=("language__name",))
    modality = tables.Column(verbose_name=_("Modality"))
    status = tables.Column(verbose_name=_("Status"))
    interpreter = NameColumn(
        verbose_name=_("Interpreter"),
        default="—",
        order_by=("interpreter__user__last_name", "interpreter__user__first_name"),
    )
    requester = NameColumn(
        verbose_name=_("Requester"), order_by=("requester__last_name", "requester__first_name")
    )

    class Meta:
        model = Request
        fields = ("number", "starts_at", "language", "modality", "status", "interpreter", "requester")
        empty_text = _("No request here.")

    def render_requester(self, value):
        return value.get_full_name() or value.email


class PageIdsFirstPaginator(NearerEndPaginator):
    """Reads a page's ids first, then only those rows with what they join (one query: the ids are
    a subquery). Over the queue's covering indexes, skipping to a middle page is an index-only
    scan of narrow entries instead of joining every request skipped."""

    def rows(self, ordered, start, stop):
        return list(ordered.filter(pk__in=ordered.values("pk")[start:stop]))


class QueueTable(tables.Table):
    number = tables.Column(verbose_name=_("Request number"), linkify=lambda record: record.get_absolute_url())
    starts_at = tables.DateTimeColumn(verbose_name=_("Date and time"), format="SHORT_DATETIME_FORMAT")
    language = NameColumn(verbose_name=_("Language"), order_by=("language__name",))
    modality = tables.Column(verbose_name=_("Modality"))
    establishment = NameColumn(verbose_name=_("Establishment"), order_by=("establishment__name",))
    status = tables.Column(verbose_name=_("Status"))
    interpreter = tables.Column(verbose_name=_("Interpreter"), default="—", orderable=False)
    action = tables.Column(verbose_name=_("Action"), accessor="pk", orderable=False)

    class Meta:
        model = Request
        fields = (
            "number",
            "starts_at",
            "language",
            "modality",
            "establishment",
            "status",
            "interpreter",
            "action",
        )
        empty_text = _("Nothing waiting here.")

    def order_language(self, queryset, is_descending):
        # By each language's place among the names (a number the queue's index holds) rather
        # than by joining and folding the name of every request: sorted pages stay index reads.
        ranks = language_ranks()
        rank = Case(
            *(When(language_id=pk, then=Value(place)) for pk, place in ranks.items()),
            default=Value(len(ranks)),
            output_field=IntegerField(),
        )
        queryset = queryset.annotate(language_rank=rank)
        return queryset.order_by("-language_rank" if is_descending else "language_rank"), True

    def render_action(self, record):
        # Waiting for an interpreter: Assign; anything else: Open.
        return render_to_string(
            "interpreters/includes/queue_action.html",
            {"record": record, "to_assign": record.status in QUEUE_STATUSES},
        )


class RegistrationTable(tables.Table):
    name = NameColumn(
        verbose_name=_("Name"),
        empty_values=(),
        order_by=("last_name", "first_name"),
        linkify=lambda record: reverse("interpreters:registration_decide", args=[record.pk]),
    )
    email = tables.Column(verbose_name=_("Work email address"))
    establishment = NameColumn(verbose_name=_("Establishment"), order_by=("establishment__name",))
    job_title = tables.Column(verbose_name=_("Job title"))
    created_at = tables.DateColumn(verbose_name=_("Received"), format="SHORT_DATE_FORMAT")

    class Meta:
        model = Registration
        fields = ("name", "email", "establishment", "job_title", "created_at")
        empty_text = _("No registration is waiting.")

    def render_name(self, record):
        return f"{record.last_name}, {record.first_name}"


class StatementTable(tables.Table):
    number = tables.Column(
        verbose_name=_("Statement number"),
        linkify=lambda record: reverse("interpreters:statement", args=[record.pk]),
    )
    kind = tables.Column(verbose_name=_("Kind"))
    month = tables.DateColumn(verbose_name=_("Month"), format="F Y")
    owner = tables.Column(verbose_name=_("For"), empty_values=(), orderable=False)
    total = tables.Column(verbose_name=_("Total ($)"))
    issued_at = tables.DateTimeColumn(verbose_name=_("Issued"), format="SHORT_DATETIME_FORMAT")

    class Meta:
        model = Statement
        fields = ("number", "kind", "month", "owner", "total", "issued_at")
        order_by = ("-issued_at",)
        empty_text = _("No statement issued yet.")

    def render_owner(self, record):
        if record.interpreter_id:
            return str(record.interpreter)
        return f"{record.establishment} – {record.cost_centre}"


class StatementLineTable(tables.Table):
    """A statement's lines in the statement's order (by service date), a page at a time; the
    statement's kind keeps either the cost centre or the establishment (billing.views)."""

    number = tables.Column(verbose_name=_("Request number"), accessor="request__number")
    date = tables.DateColumn(verbose_name=_("Date"), accessor="request__date", format="SHORT_DATE_FORMAT")
    language = tables.Column(verbose_name=_("Language"), accessor="request__language__name")
    modality = tables.Column(verbose_name=_("Modality"), accessor="request__modality")
    cost_centre = tables.Column(verbose_name=_("Cost centre"), accessor="request__cost_centre")
    establishment = tables.Column(verbose_name=_("Establishment"), accessor="request__establishment__name")
    minutes = tables.Column(verbose_name=_("Minutes"))
    time_amount = tables.Column(verbose_name=_("Time ($)"))
    travel_amount = tables.Column(verbose_name=_("Travel ($)"))
    expenses = tables.Column(verbose_name=_("Expenses ($)"))
    amount = tables.Column(verbose_name=_("Amount ($)"))
    note = tables.Column(verbose_name=_("Note"), empty_values=(), default="")

    class Meta:
        model = StatementLine
        fields = (
            "number",
            "date",
            "language",
            "modality",
            "cost_centre",
            "establishment",
            "minutes",
            "time_amount",
            "travel_amount",
            "expenses",
            "amount",
            "note",
        )
        orderable = False  # a statement reads in its own order
        empty_text = _("No line.")

    def render_modality(self, record):
        return record.request.get_modality_display()

    def render_note(self, record):
        return record.note or (_("Late cancellation") if record.request.late_cancellation else "")
