"""Exports for every portal: a CSV or Excel file built by Celery, then downloaded by its owner.

An app names an exporter by dotted path: a function `(user, params) -> (headers, rows)` that
reads through the app's selectors, so the file holds exactly what the person may see. For a PDF,
the exporter returns the document's bytes instead (rendered by WeasyPrint from a template).
"""

import csv
import io
import logging
import re
from datetime import date, datetime
from decimal import Decimal
from uuid import uuid4

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_str
from django.utils.text import slugify
from django_tables2 import DateColumn, DateTimeColumn
from django_tables2.rows import BoundRow
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from portal import outbound, queue, services
from portal.models import Export, ExportStatus
from portal.selectors import active_membership

logger = logging.getLogger(__name__)
# Built by the worker, queued by name (portal.queue): this module never imports its tasks.
BUILD_EXPORT = "portal.tasks.build_export"


@transaction.atomic
def request_export(*, user, exporter, params, fmt, name, email=False):
    """Build an export in the background; with `email`, the file is also emailed to the person
    (the Clic Santé way: "the Excel document is sent to your mailbox"). The export is recorded as
    queued first: with the broker away, requeue_stale_exports builds it later."""
    outbound.check(exporter)  # the worker builds only with declared exporters
    export = Export.objects.create(
        user=user,
        membership=active_membership(user),
        exporter=exporter,
        params={**params, "language": translation.get_language(), "email": bool(email)},
        fmt=fmt,
        name=name[:200],
    )
    queue.enqueue(BUILD_EXPORT, export.pk)
    return export


def from_table(table_class, records, *, exclude=(), chunk_size=2000):
    """The headers and rows of an export of what a list's django-tables2 table shows, so that a
    column is declared once, in the table: its verbose name heads the column, and its cell is what
    django-tables2 exports (the table's `value_<column>`, else the column's value: a choice in
    words, a name). Dates and times stay dates and times (date cells in Excel, ISO in CSV).
    Columns declared `visible=False` are in the file only; `exclude` and `exclude_from_export`
    leave columns out of it. Records are read in chunks: an export may hold many."""
    table = table_class([])
    columns = [
        column
        for column in table.columns.iterall()
        if column.name not in exclude and not column.column.exclude_from_export
    ]

    def rows():
        for record in records.iterator(chunk_size=chunk_size):
            row = BoundRow(record, table=table)
            yield [_table_cell(row, column) for column in columns]

    return [force_str(column.header) for column in columns], rows()


def _table_cell(row, column):
    dated = isinstance(column.column, DateColumn | DateTimeColumn)
    if not dated or hasattr(row.table, f"value_{column.name}"):
        return force_str(row.get_cell_value(column.name), strings_only=True)
    # django-tables2 exports dates as text; portal.exports writes real date cells.
    value = column.accessor.resolve(row.record, quiet=True)
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


# A text cell starting with one of these is read as a formula by spreadsheet programs (OWASP
# "CSV injection"): in CSV such cells get a leading apostrophe; in Excel they are text cells with
# the quote prefix (shown as typed, never run).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A cell value that no spreadsheet program evaluates: text only; numbers and dates stay."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv(headers, rows):
    buffer = io.StringIO()
    # A byte-order mark so that Excel opens accented French text correctly.
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([neutralise(str(header)) for header in headers])
    count = 0
    for row in rows:
        writer.writerow([neutralise(_csv_value(value)) for value in row])
        count += 1
    return buffer.getvalue().encode("utf-8"), count


def _csv_value(value):
    """CSV is read by programs as much as by people: ISO dates, local times, a point for decimals."""
    if isinstance(value, datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value


# Excel cells hold real dates and numbers (sortable, summable), shown unambiguously in any language.
XLSX_DATE = "yyyy-mm-dd"
XLSX_DATETIME = "yyyy-mm-dd hh:mm"


def _xlsx_cell(sheet, value):
    if isinstance(value, datetime):
        # Excel has no time zones: the local wall-clock time, as the pages show it.
        value = timezone.make_naive(value) if timezone.is_aware(value) else value
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = XLSX_DATETIME
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = XLSX_DATE
        return cell
    if isinstance(value, Decimal):
        value = float(value)  # a number cell; amounts here have at most a few decimals
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return _xlsx_text(sheet, value)
    return value


def _xlsx_text(sheet, value):
    """Text that would start a formula, kept as typed ("+15065550103", "=HYPERLINK(...)"): a text
    cell with Excel's quote prefix, which Excel shows without the apostrophe and never evaluates,
    even when someone edits the cell."""
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def _sheet_title(name):
    """The export's name as its sheet's name: Excel allows 31 characters and none of []:*?/\\."""
    title = re.sub(r"[\[\]:*?/\\]", " ", str(name or "")).strip()[:31].strip(" '")
    return title or None


def _xlsx(headers, rows, title=None):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    header_cells = []
    for header in headers:
        header = str(header)
        cell = _xlsx_text(sheet, header) if header.startswith(FORMULA_STARTS) else WriteOnlyCell(sheet, value=header)
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.freeze_panes = "A2"  # the header row stays in view
    sheet.append(header_cells)
    count = 0
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
        count += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), count


def build(export):
    """Run the exporter as the person who asked, in their role and language, and keep the file."""
    user = export.user
    user._chosen_membership_id = export.membership_id
    with translation.override(export.params.get("language")):
        result = outbound.load(export.exporter)(user=user, params=export.params)
        if export.fmt == "pdf":
            content, count = result, 0
        else:
            content, count = _csv(*result) if export.fmt == "csv" else _xlsx(*result, title=export.name)
    export.file.save(f"{uuid4().hex}.{export.fmt}", ContentFile(content), save=False)
    export.rows = count
    export.status = ExportStatus.READY
    export.finished_at = timezone.now()
    export.save(update_fields=["file", "rows", "status", "finished_at"])
    if export.params.get("email"):
        services.notify(
            key=f"portal:export:{export.pk}:ready",
            template="portal/emails/export_ready",
            recipient=user,
            # The language the person asked in, as the file and its name (not the profile's).
            language=export.params.get("language") or None,
            link=reverse("portal:export", args=[export.pk]),
            context={"name": export.name, "rows": count},
            attachments=[["portal.exports.export_attachment", {"export_id": export.pk}]],
        )
    return export


def export_attachment(export_id):
    export = Export.objects.filter(pk=export_id, status=ExportStatus.READY).exclude(file="").first()
    if export is None:
        return None
    types = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    with export.file.open("rb") as handle:
        return (
            f"{slugify(export.name) or 'export'}.{export.fmt}",
            handle.read(),
            types.get(export.fmt, "application/pdf"),
        )


def run_export(*, export_id):
    """The worker's side of request_export: build a queued export, or mark it failed.

    The row is locked while building, so a re-queued twin skips it instead of building it twice.
    """
    with transaction.atomic():
        export = (
            Export.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user")
            .filter(pk=export_id, status=ExportStatus.QUEUED)
            .first()
        )
        if export is None:
            return False
        try:
            with transaction.atomic():
                build(export)
        except Exception:
            # outbound.NotAllowed included: an exporter no app declared is never imported.
            logger.exception("Export %s failed", export_id)
            export.status, export.finished_at = ExportStatus.FAILED, timezone.now()
            export.save(update_fields=["status", "finished_at"])
            return False
    return True


def requeue_stale_exports(*, minutes=10, days=1):
    """Queue again the exports still waiting after a while (a broker outage, a lost task); an
    export asked for more than `days` ago is no longer worth building."""
    return queue.requeue_waiting(
        Export.objects.filter(status=ExportStatus.QUEUED),
        since="created_at",
        task=BUILD_EXPORT,
        minutes=minutes,
        days=days,
    )
