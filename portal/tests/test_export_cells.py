"""Excel exports hold real date and number cells under a header row; CSV keeps ISO dates."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from portal.exports import _csv, _xlsx

MONCTON = ZoneInfo("America/Moncton")
HEADERS = ["Number", "Start date", "Logged on", "Units", "Minutes", "Empty"]
ROWS = [
    [
        "OS-0000001",
        date(2026, 12, 1),
        datetime(2026, 12, 1, 18, 30, tzinfo=ZoneInfo("UTC")),
        Decimal("37.5"),
        90,
        None,
    ]
]


def test_an_excel_export_has_a_header_row_then_date_and_number_cells(settings):
    settings.TIME_ZONE = "America/Moncton"
    content, count = _xlsx(HEADERS, ROWS)
    sheet = load_workbook(io.BytesIO(content)).active
    header, row = list(sheet.iter_rows())
    assert [cell.value for cell in header] == HEADERS and all(cell.font.b for cell in header)
    assert sheet.freeze_panes == "A2"
    number, day, logged, units, minutes, empty = row
    assert number.data_type == "s" and number.value == "OS-0000001"
    # A date cell (a serial number shown as a date), not the text "2026-12-01".
    assert (
        day.is_date and day.value.isoformat() == "2026-12-01T00:00:00" and day.number_format == "yyyy-mm-dd"
    )
    # Local wall-clock time (Excel has no time zones): 18:30 UTC is 14:30 in Moncton.
    assert logged.is_date and logged.value.isoformat() == "2026-12-01T14:30:00"
    assert logged.number_format == "yyyy-mm-dd hh:mm"
    assert units.data_type == "n" and units.value == 37.5
    assert minutes.data_type == "n" and minutes.value == 90
    assert empty.value is None
    assert count == 1


def test_a_csv_export_keeps_iso_dates_and_local_times(settings):
    settings.TIME_ZONE = "America/Moncton"
    content, count = _csv(HEADERS, ROWS)
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows == [HEADERS, ["OS-0000001", "2026-12-01", "2026-12-01 14:30", "37.5", "90", ""]]


def test_the_sheet_takes_the_exports_name_within_excels_rules():
    content, _count = _xlsx(HEADERS, ROWS, title="Rendez-vous")
    assert load_workbook(io.BytesIO(content)).active.title == "Rendez-vous"
    # No []:*?/\ in a sheet's name, at most 31 characters.
    content, _count = _xlsx(HEADERS, ROWS, title="Relevé: décembre [2026] / banque d'interprètes du Sud")
    title = load_workbook(io.BytesIO(content)).active.title
    assert len(title) <= 31 and not set(title) & set("[]:*?/\\")
    assert title.startswith("Relevé  décembre")
    content, _count = _xlsx(HEADERS, ROWS)
    assert load_workbook(io.BytesIO(content)).active.title == "Sheet"
