"""portal.dates against the calendar: month edges, leap day, New Year's Eve, both DST days in
Moncton (the project's TIME_ZONE) and the quiet-hour edges."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone, translation

from portal import dates
from portal.selectors import home_horizon

MONCTON = ZoneInfo("America/Moncton")


def local(day, hour, minute=0, fold=0):
    return datetime.combine(day, time(hour, minute), tzinfo=MONCTON).replace(fold=fold)


@pytest.fixture(autouse=True)
def _moncton():
    with timezone.override(MONCTON):
        yield


# Months -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "start", "end", "end_of_next", "previous"),
    [
        (date(2027, 1, 1), date(2027, 1, 1), date(2027, 1, 31), date(2027, 2, 28), date(2026, 12, 1)),
        (date(2027, 1, 31), date(2027, 1, 1), date(2027, 1, 31), date(2027, 2, 28), date(2026, 12, 1)),
        (date(2028, 1, 31), date(2028, 1, 1), date(2028, 1, 31), date(2028, 2, 29), date(2027, 12, 1)),
        (date(2028, 2, 29), date(2028, 2, 1), date(2028, 2, 29), date(2028, 3, 31), date(2028, 1, 1)),
        (date(2027, 2, 28), date(2027, 2, 1), date(2027, 2, 28), date(2027, 3, 31), date(2027, 1, 1)),
        (date(2026, 11, 30), date(2026, 11, 1), date(2026, 11, 30), date(2026, 12, 31), date(2026, 10, 1)),
        (date(2026, 12, 31), date(2026, 12, 1), date(2026, 12, 31), date(2027, 1, 31), date(2026, 11, 1)),
        (date(2027, 3, 1), date(2027, 3, 1), date(2027, 3, 31), date(2027, 4, 30), date(2027, 2, 1)),
    ],
)
def test_month_edges(day, start, end, end_of_next, previous):
    assert dates.month_start(day) == start
    assert dates.month_end(day) == end
    assert dates.end_of_next_month(day) == end_of_next
    assert dates.previous_month(day) == previous
    assert dates.next_month(day) == end + timedelta(days=1)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2027, 1, 15), -1, date(2026, 12, 15)),
        (date(2027, 3, 31), -1, date(2027, 2, 28)),
        (date(2027, 5, 31), 2, date(2027, 7, 31)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),
        (date(2027, 1, 1), -13, date(2025, 12, 1)),
    ],
)
def test_add_months_keeps_the_day_or_the_months_last(day, months, expected):
    assert dates.add_months(day, months) == expected


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (date(2027, 3, 31), date(2026, 4, 1), date(2027, 3, 31)),
        (date(2027, 4, 1), date(2027, 4, 1), date(2028, 3, 31)),
        (date(2026, 12, 31), date(2026, 4, 1), date(2027, 3, 31)),
        (date(2028, 2, 29), date(2027, 4, 1), date(2028, 3, 31)),
        (date(2027, 1, 1), date(2026, 4, 1), date(2027, 3, 31)),
    ],
)
def test_canadian_fiscal_year_runs_from_1_april_to_31_march(day, start, end):
    assert dates.fiscal_year_start(day) == start
    assert dates.fiscal_year_end(day) == end


@pytest.mark.parametrize(
    ("instant", "horizon"),
    [
        (local(date(2027, 1, 1), 0, 0), date(2027, 2, 28)),
        (local(date(2027, 1, 31), 23, 59), date(2027, 2, 28)),
        (local(date(2028, 1, 31), 12, 0), date(2028, 2, 29)),
        (local(date(2028, 2, 29), 12, 0), date(2028, 3, 31)),
        (local(date(2026, 12, 31), 23, 30), date(2027, 1, 31)),
        (local(date(2027, 3, 14), 3, 30), date(2027, 4, 30)),
        (local(date(2027, 11, 7), 1, 30), date(2027, 12, 31)),
    ],
)
def test_home_page_horizon_is_the_end_of_next_month_in_local_time(instant, horizon):
    with time_machine.travel(instant, tick=False):
        assert home_horizon() == horizon


def test_new_years_eve_2330_is_still_the_old_year_locally():
    # 23:30 in Moncton is already 1 January in UTC.
    with time_machine.travel(local(date(2026, 12, 31), 23, 30), tick=False):
        assert timezone.now().astimezone(UTC).date() == date(2027, 1, 1)
        today = timezone.localdate()
        assert today == date(2026, 12, 31)
        assert dates.month_end(today) == today
        assert dates.end_of_next_month(today) == date(2027, 1, 31)
        assert dates.fiscal_year_end(today) == date(2027, 3, 31)


# Local times and durations ------------------------------------------------------------------------


def test_an_ordinary_local_time_becomes_its_instant():
    moment = dates.aware(date(2027, 7, 1), time(9, 15))
    assert moment.astimezone(UTC) == datetime(2027, 7, 1, 12, 15, tzinfo=UTC)
    assert dates.aware(date(2027, 1, 1), time(9, 15)).astimezone(UTC).hour == 13


@pytest.mark.parametrize("clock", [time(2, 0), time(2, 30), time(2, 59)])
def test_a_time_the_clocks_skip_is_refused(clock):
    with translation.override("en"), pytest.raises(dates.NonexistentTime) as error:
        dates.aware(date(2027, 3, 14), clock)
    assert "does not exist" in str(error.value)


@pytest.mark.parametrize("clock", [time(1, 0), time(1, 30), time(1, 59)])
def test_a_time_the_clocks_show_twice_is_refused(clock):
    with translation.override("en"), pytest.raises(dates.AmbiguousTime) as error:
        dates.aware(date(2027, 11, 7), clock)
    assert "occurs twice" in str(error.value)


@pytest.mark.parametrize(
    ("day", "clock", "utc_hour"),
    [
        (date(2027, 3, 14), time(1, 59), 5),  # still standard time (UTC-4)
        (date(2027, 3, 14), time(3, 0), 6),  # daylight time (UTC-3)
        (date(2027, 11, 7), time(0, 59), 3),  # still daylight time
        (date(2027, 11, 7), time(2, 0), 6),  # standard time again
    ],
)
def test_times_next_to_a_change_exist_once(day, clock, utc_hour):
    assert dates.aware(day, clock).astimezone(UTC).hour == utc_hour


def test_both_errors_are_local_time_errors_and_value_errors():
    assert issubclass(dates.NonexistentTime, dates.LocalTimeError)
    assert issubclass(dates.AmbiguousTime, dates.LocalTimeError)
    assert issubclass(dates.LocalTimeError, ValueError)


def test_minutes_are_real_minutes_across_spring_forward():
    start = dates.aware(date(2027, 3, 14), time(1, 30))
    end = dates.add_minutes(start, 60)
    # Subtraction within one zoneinfo is wall-clock too: compare instants in UTC.
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(minutes=60)
    assert (end.hour, end.minute) == (3, 30)  # the clock jumped from 2:00 to 3:00


def test_minutes_are_real_minutes_across_fall_back():
    start = dates.aware(date(2027, 11, 7), time(0, 30))
    end = dates.add_minutes(start, 120)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(minutes=120)
    assert (end.hour, end.minute, end.fold) == (1, 30, 1)  # the second 1:30
    # Wall-clock arithmetic would have said 2:30, 180 real minutes later.
    assert (start + timedelta(minutes=120)).astimezone(UTC) - start.astimezone(UTC) == timedelta(minutes=180)


@pytest.mark.parametrize(
    ("day", "hours"),
    [(date(2027, 3, 14), 23), (date(2027, 11, 7), 25), (date(2027, 7, 1), 24), (date(2028, 2, 29), 24)],
)
def test_day_bounds_span_the_local_day(day, hours):
    start, end = dates.day_bounds(day)
    assert (start.date(), start.time(), end.date(), end.time()) == (day, time(0), day + timedelta(1), time(0))
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=hours)


# Quiet hours --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clock", "quiet"),
    [
        (time(7, 59), True),
        (time(8, 0), False),
        (time(12, 0), False),
        (time(20, 59), False),
        (time(21, 0), True),
        (time(23, 30), True),
        (time(0, 0), True),
    ],
)
@pytest.mark.parametrize("day", [date(2027, 1, 15), date(2027, 7, 15)])
def test_quiet_hours_run_from_21_to_8_local_time(day, clock, quiet):
    moment = datetime.combine(day, clock, tzinfo=MONCTON).astimezone(UTC)
    assert dates.is_quiet(moment) is quiet


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (local(date(2027, 6, 1), 7, 59), local(date(2027, 6, 1), 8, 0)),
        (local(date(2027, 6, 1), 8, 0), local(date(2027, 6, 1), 8, 0)),
        (local(date(2027, 6, 1), 20, 59), local(date(2027, 6, 1), 20, 59)),
        (local(date(2027, 6, 1), 21, 0), local(date(2027, 6, 2), 8, 0)),
        (local(date(2026, 12, 31), 23, 30), local(date(2027, 1, 1), 8, 0)),
        (local(date(2028, 2, 28), 22, 0), local(date(2028, 2, 29), 8, 0)),
        (local(date(2027, 3, 13), 22, 0), local(date(2027, 3, 14), 8, 0)),
        (local(date(2027, 3, 14), 3, 30), local(date(2027, 3, 14), 8, 0)),
        (local(date(2027, 11, 7), 1, 30, fold=1), local(date(2027, 11, 7), 8, 0)),
    ],
)
def test_a_message_due_at_night_waits_until_8(due, expected):
    sent = dates.next_sending_time(due.astimezone(UTC))
    assert sent == expected
    assert sent.astimezone(UTC) == expected.astimezone(UTC)


@pytest.mark.parametrize(
    ("instant", "quiet"),
    [
        (local(date(2027, 3, 14), 7, 59), True),
        (local(date(2027, 3, 14), 8, 0), False),
        (local(date(2027, 11, 7), 20, 59), False),
        (local(date(2027, 11, 7), 21, 0), True),
    ],
)
def test_quiet_hours_follow_the_clock_on_change_days(instant, quiet):
    with time_machine.travel(instant, tick=False):
        assert dates.is_quiet(timezone.now()) is quiet


def test_portal_services_keeps_the_old_names():
    from portal import services

    assert services.sending_time is dates.next_sending_time
    assert (services.QUIET_FROM, services.QUIET_UNTIL) == (time(21, 0), time(8, 0))
