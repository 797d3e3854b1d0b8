"""Exports never carry a live spreadsheet formula, whatever someone typed (OWASP CSV injection)."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from portal.exports import _csv, _xlsx, neutralise

TYPED = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+2", "-3+4", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("text", TYPED)
def test_it_neutralises_text_that_starts_a_formula(text):
    assert neutralise(text) == "'" + text


def test_it_keeps_ordinary_text_numbers_and_dates():
    assert neutralise("Bélanger") == "Bélanger"
    assert neutralise(Decimal("-12.5")) == Decimal("-12.5")
    assert neutralise(-3) == -3
    assert neutralise(date(2026, 12, 1)) == date(2026, 12, 1)


def test_an_excel_export_holds_no_formula():
    content, count = _xlsx(["=Name", "Amount"], [[text, Decimal("-1.5")] for text in TYPED])
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert count == len(TYPED)
    # Shown as typed (no stray apostrophe: a phone number "+1506..." reads as one), never a formula.
    assert rows[0][0] == "=Name"
    for (text, amount), original in zip(rows[1:], TYPED, strict=True):
        # (the Excel file keeps line breaks as \n)
        assert text == original.replace("\r", "\n")
        assert amount == -1.5
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert all(row[0].quotePrefix and row[0].data_type == "s" for row in sheet.iter_rows())


def test_a_phone_number_is_text_as_typed_in_excel():
    content, _count = _xlsx(["Phone"], [["+15065550103"]])
    cell = load_workbook(io.BytesIO(content)).active["A2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("+15065550103", "s", True)


def test_a_csv_export_holds_no_formula():
    content, _count = _csv(["Name"], [[text] for text in TYPED])
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert [row[0] for row in rows[1:]] == ["'" + text for text in TYPED]
