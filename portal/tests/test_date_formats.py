"""Dates are unambiguous in both languages: ISO (2026-12-01) or a written month (1 December 2026),
never 12/01/2026, which half of Canada reads as 12 January."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.utils import formats, translation

SLASHED = re.compile(r"\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b")
NAMES = ["DATE_FORMAT", "DATETIME_FORMAT", "SHORT_DATE_FORMAT", "SHORT_DATETIME_FORMAT", "MONTH_DAY_FORMAT"]


@pytest.mark.parametrize(
    "language, expected",
    [
        (
            "en",
            ["1 December 2026", "1 December 2026, 14:30", "2026-12-01", "2026-12-01 14:30", "1 December"],
        ),
        ("fr", ["1 décembre 2026", "1 décembre 2026, 14:30", "2026-12-01", "2026-12-01 14:30", "1 décembre"]),
    ],
)
def test_each_named_format_is_iso_or_writes_the_month(language, expected):
    moment = datetime(2026, 12, 1, 14, 30, tzinfo=ZoneInfo("America/Moncton"))
    with translation.override(language):
        shown = [formats.date_format(moment, name) for name in NAMES]
    assert shown == expected
    assert not any(SLASHED.search(text) for text in shown)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_date_box_shows_and_reads_iso_dates(language):
    with translation.override(language):
        assert 'value="2026-12-01"' in forms.DateInput().render("day", date(2026, 12, 1))
        assert forms.DateField().clean("2026-12-01") == date(2026, 12, 1)


def test_english_refuses_month_first_dates():
    with translation.override("en"), pytest.raises(forms.ValidationError):
        forms.DateField().clean("12/01/2026")
    with translation.override("en"):
        assert forms.DateField().clean("1 December 2026") == date(2026, 12, 1)


def test_no_template_writes_a_slashed_date_format():
    """Templates name the formats (DATE_FORMAT, SHORT_DATE_FORMAT…) or write the month; none spells a
    day/month order with slashes ("m/d/Y", "d/m/Y") that the formats above cannot fix."""
    from pathlib import Path

    from django.conf import settings

    roots = [Path(settings.BASE_DIR) / "templates", *Path(settings.BASE_DIR).glob("*/templates")]
    pattern = re.compile(r"""\|\s*date\s*:\s*["'][^"']*[dmjnyY]\s*[/.]\s*[dmjnyY]""")
    found = [
        f"{path}: {match.group(0)}"
        for root in roots
        for path in root.rglob("*")
        if path.suffix in (".html", ".txt")
        for match in pattern.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []
