"""Dashboard blocks: the same rows for "View report" (a table) and for the CSV/Excel exports."""

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from orders import selectors
from orders.models import ReportKind, SummaryStatus
from orders.tables import ConfirmationTable, ReportTable, SummaryTable

SUMMARY_BLOCKS = ("new", "expiring", "activated", "terminated")


class MileageTable(ConfirmationTable):
    class Meta(ConfirmationTable.Meta):
        exclude = ("created_by",)


def table_for(block, rows):
    if block in SUMMARY_BLOCKS:
        return SummaryTable(rows)
    if block == "mileage":
        return MileageTable(rows)
    return ReportTable(rows)


def _date(value):
    # A real date: portal.exports writes it as a date cell in Excel and as 2026-12-01 in CSV.
    return value


def _datetime(value):
    # Likewise: a date-and-time cell in Excel, "2026-12-01 14:30" (local time) in CSV.
    return timezone.localtime(value) if value else None


def dashboard_block(*, user, params):
    """Exporter (portal.exports) for one dashboard block, as the person sees it."""
    block = params["block"]
    rows = selectors.dashboard_rows(user, block)
    if block in SUMMARY_BLOCKS:
        headers = [
            _("Order summary number"),
            _("Account name"),
            _("Start date"),
            _("End date"),
            _("Status"),
            _("Service name"),
            _("Zone"),
            _("Service centre billed"),
            _("Last modified"),
        ]
        statuses = dict(SummaryStatus.choices)
        return headers, (
            [
                s.number,
                s.client_name,
                _date(s.start_date),
                _date(s.end_date),
                str(statuses[s.status]),
                s.service.name,
                s.zone.name,
                s.service_centre.name,
                _datetime(s.updated_at),
            ]
            for s in rows.iterator(chunk_size=2000)
        )
    if block == "mileage":
        headers = [
            _("Order summary number"),
            _("Order number"),
            _("Month"),
            _("Units delivered"),
            _("Kilometres driven"),
        ]
        return headers, (
            [
                c.order.summary.number,
                c.order.number,
                formats.date_format(c.month, "Y-m"),
                float(c.units_delivered),
                float(c.km_delivered),
            ]
            for c in rows.iterator(chunk_size=2000)
        )
    kinds = dict(ReportKind.choices)
    headers = [
        _("Service report number"),
        _("Report type"),
        _("Order summary number"),
        _("Account name"),
        _("Order number"),
        _("Logged on"),
        _("Logged by"),
        _("Acknowledged on"),
    ]
    return headers, (
        [
            r.number,
            str(kinds[r.kind]),
            r.summary.number,
            r.summary.client_name,
            r.order.number,
            _datetime(r.created_at),
            str(r.created_by),
            _datetime(r.acknowledged_at),
        ]
        for r in rows.iterator(chunk_size=2000)
    )
