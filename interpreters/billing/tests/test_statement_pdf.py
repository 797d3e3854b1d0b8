"""The statement's PDF prints its lines as fixed-width text blocks (issue 16): every row, every
value (a long one wraps within its column), the columns' names above each block."""

import io
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from django.template.loader import render_to_string
from django.utils import translation
from pypdf import PdfReader

from interpreters.billing.statement_pdf import LINES_PER_BLOCK, WIDTHS, blocks
from portal.documents import pdf

HEADERS = ["Request number", "Date", "Language", "Modality", "Establishment", "Minutes", "Time ($)",
           "Travel ($)", "Expenses ($)", "Amount ($)", "Note"]  # fmt: skip


def _row(index, note=""):
    return [f"IR-{index:07d}", date(2026, 1, 15), "Espagnol", "En personne", "Hôpital régional Dr-Georges-L.-Dumont",
            60, Decimal("55.00"), Decimal("12.50"), Decimal("0"), Decimal("67.50"), note]  # fmt: skip


def test_every_row_is_printed_in_blocks_under_the_column_names():
    with translation.override("fr"):
        found = blocks(HEADERS, [_row(index) for index in range(1, 101)])
    body = "\n".join(block["body"] for block in found)
    assert [line.split()[0] for line in body.splitlines() if line.startswith("IR-")] == [
        f"IR-{index:07d}" for index in range(1, 101)
    ]
    # A long value continues on the next line of its column (nothing cut), a block stays short.
    assert "Hôpital régional Dr-" in body and "Georges-L.-Dumont" in body
    assert all(len(block["body"].splitlines()) <= LINES_PER_BLOCK for block in found)
    assert all(block["head"].startswith("Request") for block in found)
    # The columns' names wrap within their columns too: every line of a block is as wide.
    assert max(len(line) for line in found[0]["head"].splitlines()) <= sum(WIDTHS) + len(WIDTHS)
    assert "Expenses" in found[0]["head"] and "($)" in found[0]["head"]
    assert max(len(line) for line in body.splitlines()) <= sum(WIDTHS) + len(WIDTHS)
    # In French: the amounts with a decimal comma, right-aligned; the date in ISO.
    first = body.splitlines()[0]
    assert "2026-01-15" in first and " 67,50" in first


def test_the_pdf_reads_the_lines_and_the_total():
    statement = SimpleNamespace(
        number="P-202601-0001",
        get_kind_display="Relevé de paie",
        month=date(2026, 1, 1),
        interpreter="Anne Roy",
        total=Decimal("135.00"),
    )
    with translation.override("fr"):
        html = render_to_string(
            "interpreters/statement_pdf.html",
            {
                "statement": statement,
                "blocks": blocks(HEADERS, [_row(1), _row(2, "Correction d'un relevé antérieur")]),
                "LANGUAGE_CODE": "fr",
            },
        )
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf(html))).pages)
    assert "P-202601-0001" in text and "IR-0000001" in text and "IR-0000002" in text
    assert "67,50" in text and "Correction" in text and "135" in text
