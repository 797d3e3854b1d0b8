"""One presentation of dates for the whole platform (portal.dates and its template filters): French
writes the first of the month "1er", dates write the month (never 12/01/2026), times use the 24-hour
clock in both languages (issues 18, 19, 20)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template import Context, Template
from django.test import override_settings
from django.utils import translation

from portal import dates

FIRST = date(2026, 12, 1)  # a Tuesday
SECOND = date(2026, 12, 2)
# 18:05 UTC is 14:05 in Moncton (UTC-4 in December).
AFTERNOON = datetime(2026, 12, 1, 18, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    "language, expected",
    [
        (
            "fr",
            [
                "1er décembre",
                "mardi 1er décembre",
                "mar. 1er déc.",
                "1er décembre 2026",
                "mardi 1er décembre 2026",
            ],
        ),
        (
            "en",
            ["1 December", "Tuesday 1 December", "Tue 1 Dec.", "1 December 2026", "Tuesday 1 December 2026"],
        ),
    ],
)
def test_it_writes_the_first_of_the_month_as_the_language_does(language, expected):
    with translation.override(language):
        shown = [
            dates.day_month(FIRST),
            dates.day_month(FIRST, weekday=True),
            dates.day_month(FIRST, weekday=True, short=True),
            dates.long_date(FIRST),
            dates.long_date(FIRST, weekday=True),
        ]
    assert shown == expected


@pytest.mark.parametrize("language, expected", [("fr", "2 décembre 2026"), ("en", "2 December 2026")])
def test_other_days_are_plain_numbers(language, expected):
    with translation.override(language):
        assert dates.long_date(SECOND) == expected
        assert dates.day_month(date(2026, 12, 11)).startswith("11 ")
        assert dates.day_month(date(2026, 12, 21)).startswith("21 ")


@pytest.mark.parametrize("language, expected", [("fr", "1er déc. 2026, 14:05"), ("en", "1 Dec. 2026, 14:05")])
@override_settings(TIME_ZONE="America/Moncton")
def test_a_moment_is_local_with_the_24_hour_clock(language, expected):
    with translation.override(language):
        shown = dates.moment(AFTERNOON)
        assert shown == expected
        assert "a.m." not in shown and "p.m." not in shown and "T" not in shown
        # ISO text (message contexts carry JSON) reads the same.
        assert dates.moment("2026-12-01T14:05:00") == expected


@override_settings(TIME_ZONE="America/Moncton")
def test_a_moment_late_in_the_evening_is_on_the_local_day():
    # 02:30 UTC on 2 December is 22:30 on 1 December in Moncton.
    with translation.override("fr"):
        assert dates.moment(datetime(2026, 12, 2, 2, 30, tzinfo=UTC)) == "1er déc. 2026, 22:30"
        assert dates.long_date(datetime(2026, 12, 2, 2, 30, tzinfo=UTC)) == "1er décembre 2026"


@pytest.mark.parametrize("value", [None, "", "not a date", 12, "2026-13-45"])
def test_a_value_that_is_not_a_date_gives_nothing(value):
    assert dates.long_date(value) == ""
    assert dates.day_month(value) == ""
    assert dates.moment(value) == ""


@pytest.mark.parametrize(
    "language, expected",
    [
        ("fr", "1er décembre|mardi 1er décembre|mar. 1er déc.|1er décembre 2026|1er déc. 2026, 14:05|—"),
        ("en", "1 December|Tuesday 1 December|Tue 1 Dec.|1 December 2026|1 Dec. 2026, 14:05|—"),
    ],
)
@override_settings(TIME_ZONE="America/Moncton")
def test_the_template_filters(language, expected):
    template = Template(
        "{% load portal_dates %}{{ day|day_month }}|{{ day|day_month:'weekday' }}|"
        "{{ day|day_month:'weekday,short' }}|{{ day|long_date }}|{{ at|moment }}|{{ none|long_date|default:'—' }}"
    )
    with translation.override(language):
        assert template.render(Context({"day": FIRST, "at": AFTERNOON, "none": None})) == expected


@time_machine.travel(datetime(2026, 12, 1, 12, 0, tzinfo=ZoneInfo("America/Moncton")), tick=False)
def test_the_letter_date_uses_the_shared_presentation():
    from django.utils import timezone

    from referrals.printing import letter_date

    for language, expected in (("fr", "1er décembre 2026"), ("en", "1 December 2026")):
        with translation.override(language):
            assert letter_date(timezone.localdate()) == expected == dates.long_date(timezone.localdate())
