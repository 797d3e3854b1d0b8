import django_tables2 as tables
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from orders.models import MonthlyConfirmation, Order, OrderSummary, ServiceReport
from portal.db import NameColumn

FINANCIAL_COLUMNS = ("base_rate", "other_monthly_cost", "client_contribution")


def _summary_link(record):
    return reverse("orders:summary", args=[record.pk])


class StatusColumn(tables.TemplateColumn):
    """The status in words, with Pending clearly marked (not by colour alone)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("verbose_name", _("Status"))
        super().__init__(template_name="orders/includes/status_cell.html", **kwargs)

    def value(self, record, **kwargs):
        return record.get_status_display()  # in exports: the words, without the page's marking


class SummaryTable(tables.Table):
    number = tables.Column(verbose_name=_("Order summary number"), linkify=_summary_link)
    # client_name_search is the name folded at save (accents and case removed): it sorts as letters.
    client_name = tables.Column(
        verbose_name=_("Account name"), order_by=("client_name_search", "client_name")
    )
    start_date = tables.DateColumn(verbose_name=_("Start date"), format="SHORT_DATE_FORMAT")
    end_date = tables.DateColumn(verbose_name=_("End date"), format="SHORT_DATE_FORMAT")
    status = StatusColumn(order_by=("status",))
    service = NameColumn(verbose_name=_("Service name"), order_by=("service__name",))
    zone = NameColumn(verbose_name=_("Zone"), order_by=("zone__name",))
    service_centre = NameColumn(verbose_name=_("Service centre billed"), order_by=("service_centre__name",))
    updated_at = tables.DateTimeColumn(verbose_name=_("Last modified"), format="SHORT_DATETIME_FORMAT")

    class Meta:
        model = OrderSummary
        fields = (
            "number",
            "client_name",
            "start_date",
            "end_date",
            "status",
            "service",
            "zone",
            "service_centre",
            "updated_at",
        )
        order_by = ("-updated_at",)
        empty_text = _("No order summary here.")


class DepartmentSummaryTable(SummaryTable):
    provider = NameColumn(verbose_name=_("Service provider"), order_by=("provider__name",))
    worker = NameColumn(
        verbose_name=_("Assigned SD worker"), order_by=("worker__last_name", "worker__first_name")
    )

    class Meta(SummaryTable.Meta):
        fields = (
            "number",
            "client_name",
            "provider",
            "status",
            "service",
            "start_date",
            "end_date",
            "worker",
            "updated_at",
        )
        sequence = fields


class OrderTable(tables.Table):
    number = tables.Column(
        verbose_name=_("Order number"), linkify=lambda record: reverse("orders:order", args=[record.pk])
    )
    effective_date = tables.DateColumn(verbose_name=_("Order effective date"), format="DATE_FORMAT")
    status = StatusColumn(orderable=False)
    order_type = tables.Column(verbose_name=_("Order type"))
    per = tables.Column(verbose_name=_("Per"))
    base_units = tables.Column(verbose_name=_("Base units"))
    base_rate = tables.Column(verbose_name=_("Base rate"))
    km_units = tables.Column(verbose_name=_("Units (km)"))
    other_monthly_cost = tables.Column(verbose_name=_("Other monthly cost"))
    client_contribution = tables.Column(verbose_name=_("Client contribution"))

    class Meta:
        model = Order
        fields = (
            "number",
            "effective_date",
            "status",
            "order_type",
            "per",
            "base_units",
            "base_rate",
            "km_units",
            "other_monthly_cost",
            "client_contribution",
        )
        orderable = False
        empty_text = _("No order.")


class SearchResultTable(tables.Table):
    number = tables.Column(
        verbose_name=_("Order number"), linkify=lambda record: reverse("orders:order", args=[record.pk])
    )
    summary = tables.Column(
        verbose_name=_("Order summary number"),
        accessor="summary__number",
        linkify=lambda record: reverse("orders:summary", args=[record.summary_id]),
    )
    client_name = tables.Column(
        verbose_name=_("Account name"),
        accessor="summary__client_name",
        order_by=("summary__client_name_search", "summary__client_name"),
    )
    effective_date = tables.DateColumn(verbose_name=_("Order effective date"), format="SHORT_DATE_FORMAT")
    order_type = tables.Column(verbose_name=_("Order type"))
    status = StatusColumn(order_by=("status",))
    service = NameColumn(
        verbose_name=_("Service name"), accessor="summary__service", order_by=("summary__service__name",)
    )
    zone = NameColumn(verbose_name=_("Zone"), accessor="summary__zone", order_by=("summary__zone__name",))
    service_centre = NameColumn(
        verbose_name=_("Service centre billed"),
        accessor="summary__service_centre",
        order_by=("summary__service_centre__name",),
    )

    class Meta:
        model = Order
        fields = (
            "number",
            "summary",
            "client_name",
            "effective_date",
            "order_type",
            "status",
            "service",
            "zone",
            "service_centre",
        )
        order_by = ("-effective_date",)
        empty_text = _("No order matches your search.")


class ReportTable(tables.Table):
    number = tables.Column(
        verbose_name=_("Service report number"),
        linkify=lambda record: reverse("orders:report", args=[record.pk]),
    )
    kind = tables.Column(verbose_name=_("Report type"))
    summary = tables.Column(
        verbose_name=_("Order summary number"),
        accessor="summary__number",
        linkify=lambda record: reverse("orders:summary", args=[record.summary_id]),
    )
    client_name = tables.Column(
        verbose_name=_("Account name"),
        accessor="summary__client_name",
        order_by=("summary__client_name_search", "summary__client_name"),
    )
    order = tables.Column(
        verbose_name=_("Order number"),
        accessor="order__number",
        linkify=lambda record: reverse("orders:order", args=[record.order_id]),
    )
    created_at = tables.DateTimeColumn(verbose_name=_("Logged on"), format="SHORT_DATETIME_FORMAT")
    created_by = NameColumn(
        verbose_name=_("Logged by"), order_by=("created_by__last_name", "created_by__first_name")
    )
    acknowledged_at = tables.DateTimeColumn(
        verbose_name=_("Acknowledged on"), format="SHORT_DATETIME_FORMAT", default="—"
    )

    class Meta:
        model = ServiceReport
        fields = (
            "number",
            "kind",
            "summary",
            "client_name",
            "order",
            "created_at",
            "created_by",
            "acknowledged_at",
        )
        order_by = ("-created_at",)
        empty_text = _("No service report.")


class ConfirmationTable(tables.Table):
    order = tables.Column(verbose_name=_("Order number"), accessor="order__number")
    month = tables.DateColumn(
        verbose_name=_("Month"),
        format="F Y",
        linkify=lambda record: reverse("orders:confirmation", args=[record.pk]),
    )
    units_delivered = tables.Column(verbose_name=_("Units delivered"))
    km_delivered = tables.Column(verbose_name=_("Kilometres driven"))
    created_by = tables.Column(verbose_name=_("Confirmed by"))
    created_at = tables.DateTimeColumn(verbose_name=_("Confirmed on"), format="SHORT_DATETIME_FORMAT")
    acknowledged_at = tables.DateTimeColumn(
        verbose_name=_("Acknowledged on"), format="SHORT_DATETIME_FORMAT", default="—"
    )

    class Meta:
        model = MonthlyConfirmation
        fields = (
            "order",
            "month",
            "units_delivered",
            "km_delivered",
            "created_by",
            "created_at",
            "acknowledged_at",
        )
        orderable = False
        empty_text = _("No month confirmed yet.")
