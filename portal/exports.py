"""Exports for every portal: a CSV or Excel file built by Celery, then downloaded by its owner.

An app names an exporter by dotted path: a function `(user, params) -> (headers, rows)` that
reads through the app's selectors, so the file holds exactly what the person may see. For a PDF,
the exporter returns the document's bytes instead (rendered by WeasyPrint from a template).
"""

import csv
import io
from uuid import uuid4

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.text import slugify
from openpyxl import Workbook

from portal.models import Export, ExportStatus
from portal.selectors import active_membership


def request_export(*, user, exporter, params, fmt, name, email=False):
    """Build an export in the background; with `email`, the file is also emailed to the person
    (the Clic Santé way: "the Excel document is sent to your mailbox")."""
    export = Export.objects.create(
        user=user,
        membership=active_membership(user),
        exporter=exporter,
        params={**params, "language": translation.get_language(), "email": bool(email)},
        fmt=fmt,
        name=name[:200],
    )
    from portal.tasks import build_export

    transaction.on_commit(lambda: build_export.delay(export.pk))
    return export


def _csv(headers, rows):
    buffer = io.StringIO()
    # A byte-order mark so that Excel opens accented French text correctly.
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(headers)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return buffer.getvalue().encode("utf-8"), count


def _xlsx(headers, rows):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append([str(header) for header in headers])
    count = 0
    for row in rows:
        sheet.append(list(row))
        count += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), count


def build(export):
    """Run the exporter as the person who asked, in their role and language, and keep the file."""
    user = export.user
    user._chosen_membership_id = export.membership_id
    with translation.override(export.params.get("language")):
        result = import_string(export.exporter)(user=user, params=export.params)
        if export.fmt == "pdf":
            content, count = result, 0
        else:
            content, count = (_csv if export.fmt == "csv" else _xlsx)(*result)
    export.file.save(f"{uuid4().hex}.{export.fmt}", ContentFile(content), save=False)
    export.rows = count
    export.status = ExportStatus.READY
    export.finished_at = timezone.now()
    export.save(update_fields=["file", "rows", "status", "finished_at"])
    if export.params.get("email"):
        from portal.services import notify

        notify(
            key=f"portal:export:{export.pk}:ready",
            template="portal/emails/export_ready",
            recipient=user,
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
