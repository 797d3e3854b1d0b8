"""Calendar arithmetic, in one place: months, fiscal years, quiet hours and local times.

Every app goes through this module instead of its own `replace(day=1)` / `monthrange` / `% 12`
and its own quiet-hour test, so each rule is written (and tested against the calendar) once.

Two rules for times of day:
- A local date and time a person typed becomes an aware datetime through `aware()`, which refuses
  a time that does not exist (the spring-forward gap) or exists twice (the fall-back fold) instead
  of guessing: a guess stores a wrong duration.
- Durations are real elapsed time: `add_minutes()` adds in UTC. (`aware + timedelta` on a zoneinfo
  datetime is wall-clock arithmetic: 01:30 + 60 min on the fall-back day would be 120 real minutes.)
"""

from datetime import UTC, date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Months -------------------------------------------------------------------------------------


def month_start(day):
    """The first day of the month of `day`."""
    return day + relativedelta(day=1)


def month_end(day):
    """The last day of the month of `day` (relativedelta clamps day=31 to the month's length)."""
    return day + relativedelta(day=31)


def add_months(day, months):
    """The same day `months` later (or earlier), clamped to the month's end: 31 Jan + 1 = 28/29 Feb."""
    return day + relativedelta(months=months)


def previous_month(day):
    """The first day of the month before the month of `day`."""
    return day + relativedelta(months=-1, day=1)


def next_month(day):
    """The first day of the month after the month of `day`."""
    return day + relativedelta(months=1, day=1)


def end_of_next_month(day):
    """The last day of the month after the month of `day` (the home page's horizon)."""
    return day + relativedelta(months=1, day=31)


# Fiscal year (Canada's public sector: 1 April to 31 March) ---------------------------------------

FISCAL_YEAR_START_MONTH = 4


def fiscal_year_start(day):
    """1 April of the fiscal year that holds `day`."""
    year = day.year if day.month >= FISCAL_YEAR_START_MONTH else day.year - 1
    return date(year, FISCAL_YEAR_START_MONTH, 1)


def fiscal_year_end(day):
    """31 March that closes the fiscal year that holds `day`."""
    return fiscal_year_start(day) + relativedelta(years=1, days=-1)


def working_days_between(start, end):
    """Working days (Monday to Friday) after `start` up to `end` included: Friday → Wednesday is 3
    (0 when `end` is not after `start`). Public holidays are not counted apart."""
    whole_weeks, rest = divmod(max((end - start).days, 0), 7)
    days = whole_weeks * 5
    weekday = start.weekday()
    for offset in range(1, rest + 1):
        if (weekday + offset) % 7 < 5:
            days += 1
    return days


# Local times --------------------------------------------------------------------------------


class LocalTimeError(ValueError):
    """A local date and time that cannot be turned into one instant."""

    message = _("This time cannot be used on that day (the clocks change): choose another time.")

    def __init__(self, local):
        self.local = local
        super().__init__(f"{local:%Y-%m-%d %H:%M}: {self.message}")


class NonexistentTime(LocalTimeError):
    """The clocks skip it (spring forward): 2:30 on the second Sunday of March in Moncton."""

    message = _(
        "This time does not exist on that day (the clocks change): choose a time before or after the change."
    )


class AmbiguousTime(LocalTimeError):
    """The clocks show it twice (fall back): 1:30 on the first Sunday of November in Moncton."""

    message = _(
        "This time occurs twice on that day (the clocks change): choose a time before or after the change."
    )


def aware(local_date, local_time, tz=None):
    """The instant of `local_time` on `local_date` in `tz` (default: the current time zone).

    Raises NonexistentTime for a time in the spring-forward gap and AmbiguousTime for a time in the
    fall-back fold: a wrong guess would be an hour off, and a duration computed from it wrong too.
    """
    tz = tz or timezone.get_current_timezone()
    naive = datetime.combine(local_date, local_time.replace(tzinfo=None))
    first, second = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
    # A skipped time does not survive the round trip through UTC.
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        raise NonexistentTime(naive)
    # A repeated time has two offsets, one per fold.
    if first.utcoffset() != second.utcoffset():
        raise AmbiguousTime(naive)
    return first


def add_minutes(moment, minutes):
    """`moment` plus `minutes` of real elapsed time, in the time zone of `moment`."""
    return (moment.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(moment.tzinfo)


def day_bounds(local_date, tz=None):
    """The aware start of `local_date` and the aware start of the next day, local time (a half-open
    range: filter with `>= start` and `< end`). A DST day is 23 or 25 hours long."""
    tz = tz or timezone.get_current_timezone()
    start = datetime.combine(local_date, time(0, 0), tzinfo=tz)
    return start, datetime.combine(local_date + timedelta(days=1), time(0, 0), tzinfo=tz)


class LocalClock:
    """Local days and wall-clock times of many instants between `start` and `end`, from the zone's
    UTC offsets: one offset lookup per day, and a bisection to the second on the days the offset
    changes (DST), instead of one `localtime()` per instant (a 28-day schedule of 5-minute times
    holds tens of thousands). Instants are POSIX timestamps in whole seconds.

    `day(ts)` is the local date; `wall(ts)` the local wall-clock time as a naive datetime;
    `aware(ts)` the aware datetime in the zone. On the fall-back day the repeated hour reads the
    same wall-clock time twice, each with its own offset, as `localtime()` would.
    """

    EPOCH = datetime(1970, 1, 1)  # noqa: DTZ001 (naive on purpose: wall-clock readings)

    def __init__(self, start, end, tz=None):
        self.tz = tz or timezone.get_current_timezone()
        first = int(start.timestamp())
        last = int(end.timestamp())
        self._changes = [first]
        self._offsets = [self._offset(first)]
        # One probe a day (and one at the end): the offset in force, and where it changes.
        probe = first
        while probe < last:
            following = min(probe + 86400, last)
            if self._offset(following) != self._offsets[-1]:
                low, high = probe, following  # offset(low) is the last one, offset(high) the new
                while high - low > 1:
                    middle = (low + high) // 2
                    if self._offset(middle) == self._offsets[-1]:
                        low = middle
                    else:
                        high = middle
                self._changes.append(high)
                self._offsets.append(self._offset(high))
            probe = following

    def _offset(self, ts):
        return int(datetime.fromtimestamp(ts, UTC).astimezone(self.tz).utcoffset().total_seconds())

    def offset(self, ts):
        """The zone's UTC offset at `ts`, in seconds."""
        if len(self._changes) == 1 or ts < self._changes[1]:
            return self._offsets[0]
        index = 0
        while index + 1 < len(self._changes) and self._changes[index + 1] <= ts:
            index += 1
        return self._offsets[index]

    def day_number(self, ts):
        """The local date of `ts` as a day number (date.toordinal())."""
        return (ts + self.offset(ts)) // 86400 + 719163  # 719163 = date(1970, 1, 1).toordinal()

    def day(self, ts):
        return date.fromordinal(self.day_number(ts))

    def wall(self, ts):
        return self.EPOCH + timedelta(seconds=ts + self.offset(ts))

    def aware(self, ts):
        return datetime.fromtimestamp(ts, self.tz)


# Quiet hours --------------------------------------------------------------------------------

# Messages people did not just ask for (reminders, relaunches) never go out from 21:00 to 8:00.
QUIET_FROM = time(21, 0)
QUIET_UNTIL = time(8, 0)


def is_quiet(moment):
    """Whether `moment` falls in the quiet hours, local time (21:00 included, 8:00 excluded)."""
    local = timezone.localtime(moment).time()
    return local >= QUIET_FROM or local < QUIET_UNTIL


def next_sending_time(moment):
    """When a message due at `moment` may go out: `moment` itself by day, else the next 8:00."""
    if not is_quiet(moment):
        return moment
    local = timezone.localtime(moment)
    day = local.date() + timedelta(days=1) if local.time() >= QUIET_FROM else local.date()
    return aware(day, QUIET_UNTIL)


# Dates as people read them ---------------------------------------------------------------------
#
# One presentation for the whole platform, in the active language (pages, letters, PDFs, emails):
# the month is written out, never 12/01/2026 (12 January to some readers, 1 December to others), and
# French writes the first of the month as an ordinal: "1er décembre", never "1 décembre". The order
# is the same in both languages (day, month, year), as in config/formats; times use the 24-hour clock.


def _as_date_or_datetime(value):
    """A date or datetime from a date, a datetime or its ISO text (message contexts carry JSON);
    None for anything else, so that a filter never fails on a value it cannot read."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _local(value):
    """An aware datetime in the current time zone; a date or a naive datetime as it is."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def day_number(day):
    """The day of the month as the active language writes it: "1er" in French, "1" in English."""
    from django.utils.translation import get_language

    if day.day == 1 and (get_language() or "").startswith("fr"):
        return "1er"
    return str(day.day)


def _weekday(day, short):
    from django.utils import formats
    from django.utils.translation import get_language

    if not short:
        return formats.date_format(day, "l")
    text = formats.date_format(day, "D")
    # French abbreviates the day with a period, as it does the month ("mar. 1er déc.").
    if (get_language() or "").startswith("fr") and not text.endswith("."):
        text += "."
    return text


def _compose(day, *, weekday, short, year):
    from django.utils import formats

    parts = [_weekday(day, short)] if weekday else []
    parts += [day_number(day), formats.date_format(day, "N" if short else "F")]
    if year:
        parts.append(str(day.year))
    return " ".join(parts)


def day_month(value, *, weekday=False, short=False):
    """ "1er décembre" / "1 December"; with the weekday "mardi 1er décembre" / "Tuesday 1 December";
    short: "mar. 1er déc." / "Tue 1 Dec.". "" for a value that is not a date."""
    day = _local(_as_date_or_datetime(value))
    if day is None:
        return ""
    return _compose(day, weekday=weekday, short=short, year=False)


def long_date(value, *, weekday=False, short=False):
    """ "1er décembre 2026" / "1 December 2026"; with the weekday "mardi 1er décembre 2026";
    short: "1er déc. 2026" / "1 Dec. 2026". "" for a value that is not a date."""
    day = _local(_as_date_or_datetime(value))
    if day is None:
        return ""
    return _compose(day, weekday=weekday, short=short, year=True)


def moment(value):
    """A date and time in history, report and confirmation rows, local time, 24-hour clock, in both
    languages: "1er déc. 2026, 14:05" / "1 Dec. 2026, 14:05" (a date alone: "1er déc. 2026")."""
    value = _local(_as_date_or_datetime(value))
    if value is None:
        return ""
    text = _compose(value, weekday=False, short=True, year=True)
    if isinstance(value, datetime):
        text = f"{text}, {value:%H:%M}"
    return text
