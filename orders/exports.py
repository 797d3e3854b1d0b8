"""Dashboard blocks: the same rows for "View report" (a table) and for the CSV/Excel exports."""

import django_tables2 as tables
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from orders import selectors
from orders.tables import ConfirmationTable, ReportTable, SummaryTable
from portal.exports import from_table

# In the order of the dashboard's blocks.
SUMMARY_BLOCKS = ("all", "new", "expiring", "activated", "terminated", "expired")


class MileageTable(ConfirmationTable):
    # The summary's number is in the file only; the page shows the order's.
    summary = tables.Column(
        verbose_name=_("Order summary number"), accessor="order__summary__number", visible=False
    )

    class Meta(ConfirmationTable.Meta):
        exclude = ("created_by", "acknowledged_at")
        sequence = ("summary", "...")

    def value_month(self, value):
        return formats.date_format(value, "Y-m")

    def value_units_delivered(self, value):
        return float(value)

    def value_km_delivered(self, value):
        return float(value)


def table_class(block):
    if block in SUMMARY_BLOCKS:
        return SummaryTable
    if block == "mileage":
        return MileageTable
    return ReportTable


def table_for(block, rows):
    return table_class(block)(rows)


def dashboard_block(*, user, params):
    """Exporter (portal.exports) for one dashboard block, as the person sees it: the columns of
    its "View report" table (the mileage file without the confirmation's date)."""
    block = params["block"]
    rows = selectors.dashboard_rows(user, block)
    exclude = ("created_at",) if block == "mileage" else ()
    return from_table(table_class(block), rows, exclude=exclude)
