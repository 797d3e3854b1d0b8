# English in Canada: never month/day/year (see config/formats/__init__.py).
DATE_FORMAT = "j F Y"  # 1 December 2026
DATETIME_FORMAT = "j F Y, H:i"  # 1 December 2026, 14:30 (the 24-hour clock, as staff pages write times)
MONTH_DAY_FORMAT = "j F"  # 1 December
YEAR_MONTH_FORMAT = "F Y"  # December 2026
SHORT_DATE_FORMAT = "Y-m-d"  # 2026-12-01
SHORT_DATETIME_FORMAT = "Y-m-d H:i"  # 2026-12-01 14:30

# The first one is also how a date box without its own format shows its value.
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2026-12-01
    "%d %B %Y",  # 1 December 2026
    "%d %b %Y",  # 1 Dec 2026
    "%B %d, %Y",  # December 1, 2026
    "%b %d, %Y",  # Dec 1, 2026
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
]
