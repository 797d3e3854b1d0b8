"""portal.dates.working_days_between (issue 14: moved from orders.offers.services, which keeps the
name for its callers): Monday to Friday after the first day up to the last, across a weekend, a
month's end, a leap day and a year's end."""

from datetime import date, timedelta

import pytest

from orders.offers import services as offer_services
from portal.dates import working_days_between


def _counted(start, end):
    """The count day by day, as the definition reads."""
    return sum(1 for n in range(1, (end - start).days + 1) if (start + timedelta(days=n)).weekday() < 5)


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2026, 11, 27), date(2026, 11, 27), 0),  # Friday, the same day
        (date(2026, 11, 27), date(2026, 11, 29), 0),  # Friday → Sunday: the weekend counts nothing
        (date(2026, 11, 28), date(2026, 11, 30), 1),  # Saturday → Monday
        (date(2026, 11, 27), date(2026, 12, 2), 3),  # Friday → Wednesday, across the month's end
        (date(2028, 2, 28), date(2028, 3, 1), 2),  # Monday 28 → Wednesday 1er March: leap day 29 counts
        (date(2027, 2, 26), date(2027, 3, 1), 1),  # Friday → Monday, no leap day in 2027
        (date(2026, 12, 31), date(2027, 1, 5), 3),  # across the year's end
        (date(2026, 11, 30), date(2026, 12, 28), 20),  # four whole weeks
        (date(2026, 12, 2), date(2026, 11, 27), 0),  # an end before the start
    ],
)
def test_working_days_between(start, end, days):
    assert working_days_between(start, end) == days
    assert offer_services.working_days_between(start, end) == days


def test_the_same_count_as_day_by_day_for_every_start_and_length():
    for start in (date(2028, 2, 21) + timedelta(days=n) for n in range(14)):
        for length in range(0, 40):
            end = start + timedelta(days=length)
            assert working_days_between(start, end) == _counted(start, end), (start, end)
