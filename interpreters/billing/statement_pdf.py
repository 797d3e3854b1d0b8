"""The statement's lines as the PDF prints them (issue 16: a month of 5,000 services in seconds).

WeasyPrint lays out every table cell as its own box (text shaping, borders, width of each column on
every page): a table of 5,000 lines x 11 columns took minutes. The lines are printed instead as
fixed-width text, a block of LINES_PER_BLOCK lines at a time, each block under the columns' names:
one text box per line, and no block spanning pages (a single long block is laid out again on every
page). A value longer than its column continues on the next line of the same row, so nothing is cut.
The Excel file carries the same lines as cells.
"""

import textwrap
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import formats

# Characters per column: request number, date, language, modality, cost centre or establishment,
# minutes, time, travel, expenses, amount, note (the PDF's 7 pt monospace fits 174 on a line
# within 1 cm margins). An establishment's name (up to 38) fits on its line: a wrapped value doubles
# the text lines WeasyPrint draws, glyph by glyph (5,000 services: 203 pages, 17 s; 90 pages, 9 s).
WIDTHS = (12, 10, 12, 12, 38, 7, 11, 11, 11, 11, 22)
NUMBERS = frozenset(range(5, 10))  # right-aligned (their names wrap as text)
LINES_PER_BLOCK = 40


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, int | Decimal):
        return str(formats.localize(value))
    return str(value)


def _lines_of(values: Sequence[Any]) -> list[str]:
    """One row as one or more text lines (a long value wraps within its column)."""
    cells = []
    for index, (value, width) in enumerate(zip(values, WIDTHS, strict=False)):
        text = _text(value)
        if index in NUMBERS and isinstance(value, int | Decimal):
            cells.append([text.rjust(width)])
        else:
            cells.append(textwrap.wrap(text, width, break_long_words=True) or [""])
    height = max(len(cell) for cell in cells)
    return [
        " ".join(
            (cell[line] if line < len(cell) else "").ljust(width)
            for cell, width in zip(cells, WIDTHS, strict=False)
        ).rstrip()
        for line in range(height)
    ]


def blocks(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[dict[str, str]]:
    """The lines in blocks of about LINES_PER_BLOCK text lines (a row never split between two),
    each with the columns' names: [{"head": ..., "body": ...}]."""
    head = "\n".join(_lines_of(headers))
    found: list[dict[str, str]] = []
    current: list[str] = []
    for row in rows:
        lines = _lines_of(row)
        if current and len(current) + len(lines) > LINES_PER_BLOCK:
            found.append({"head": head, "body": "\n".join(current)})
            current = []
        current.extend(lines)
    if current or not found:
        found.append({"head": head, "body": "\n".join(current)})
    return found
