"""Statements as Excel and PDF files, built in the background through portal.exports."""

from decimal import Decimal

from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from interpreters import selectors
from interpreters.billing import statement_pdf as statement_pdf_text
from interpreters.models import StatementKind
from portal.documents import pdf


def statement_rows(statement):
    headers = [
        _("Request number"),
        _("Date"),
        _("Language"),
        _("Modality"),
        _("Cost centre") if statement.kind == StatementKind.ESTABLISHMENT else _("Establishment"),
        _("Minutes"),
        _("Time ($)"),
        _("Travel ($)"),
        _("Expenses ($)"),
        _("Amount ($)"),
        _("Note"),
    ]
    rows = []
    for line in statement.lines.all():
        request = line.request
        rows.append(
            [
                request.number,
                request.date,
                request.language.name,
                request.get_modality_display(),
                str(request.cost_centre)
                if statement.kind == StatementKind.ESTABLISHMENT
                else request.establishment.name,
                line.minutes,
                line.time_amount,
                line.travel_amount,
                line.expenses,
                line.amount,
                line.note or (_("Late cancellation") if request.late_cancellation else ""),
            ]
        )
    return headers, rows


def _statement(user, params):
    """The statement, if it is still of the bank whose billing the person does in the role the
    export was asked in (portal.exports restores that role in the worker)."""
    try:
        return selectors.get_statement(user, params["statement"])
    except Http404:
        return None


# The amounts of a line (minutes, time, travel, expenses, amount): summed on the totals row.
TOTALLED = range(5, 10)


def _statement_heading(statement):
    """The rows above the lines: what the statement is, for whom, and when it was issued."""
    if statement.kind == StatementKind.ESTABLISHMENT:
        whom = [
            [_("Establishment"), statement.establishment.name if statement.establishment else ""],
            [_("Cost centre"), str(statement.cost_centre) if statement.cost_centre else ""],
        ]
    else:
        whom = [[_("Interpreter"), str(statement.interpreter) if statement.interpreter else ""]]
    return [
        [_("Statement number"), statement.number],
        [_("Month"), date_format(statement.month, "YEAR_MONTH_FORMAT")],
        *whom,
        [_("Issued"), timezone.localtime(statement.issued_at)],
        [],
    ]


def statement_xlsx(*, user, params):
    """The statement as a spreadsheet: its title on the first row, then its number, month and
    establishment (or interpreter), the header row of the lines, the lines, and their totals."""
    statement = _statement(user, params)
    if statement is None:
        return [], []
    headers, rows = statement_rows(statement)
    totals = [_("Total"), *[""] * (len(headers) - 1)]
    for index in TOTALLED:
        totals[index] = sum((row[index] for row in rows), Decimal(0) if index > 5 else 0)
    title = [f"{statement.get_kind_display()} {statement.number}"]
    return title, [*_statement_heading(statement), headers, *rows, totals]


def statement_pdf(*, user, params):
    statement = _statement(user, params)
    if statement is None:
        raise ValueError("The statement no longer exists.")
    headers, rows = statement_rows(statement)
    html = render_to_string(
        "interpreters/statement_pdf.html",
        {
            "statement": statement,
            # The lines as fixed-width text blocks: 5,000 lines in seconds, not minutes (issue 16).
            "blocks": statement_pdf_text.blocks(headers, rows),
            "LANGUAGE_CODE": get_language(),
        },
    )
    return pdf(html)
