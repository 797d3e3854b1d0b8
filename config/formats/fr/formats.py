# Le français au Canada : dates courtes ISO, jamais jour/mois/année (voir config/formats/__init__.py).
DATE_FORMAT = "j F Y"  # 1 décembre 2026
DATETIME_FORMAT = "j F Y, H:i"  # 1 décembre 2026, 14:30
MONTH_DAY_FORMAT = "j F"  # 1 décembre
YEAR_MONTH_FORMAT = "F Y"  # décembre 2026
SHORT_DATE_FORMAT = "Y-m-d"  # 2026-12-01
SHORT_DATETIME_FORMAT = "Y-m-d H:i"  # 2026-12-01 14:30

# The first one is also how a date box without its own format shows its value (Django's French
# formats start with "%d/%m/%Y", which a browser's <input type="date"> cannot show).
DATE_INPUT_FORMATS = ["%Y-%m-%d"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
]
