"""Reading numbers that people type into addresses and forms, safely."""

import re

_DIGITS = re.compile(r"[0-9]{1,9}")


def as_id(value):
    """The positive integer in `value` (ASCII digits, at most 9), or None: never an error.

    str.isdigit() accepts "²" or Arabic-Indic digits that int() or the database then refuse.
    """
    value = str(value or "").strip()
    return int(value) if _DIGITS.fullmatch(value) else None
