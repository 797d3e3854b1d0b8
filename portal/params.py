"""Reading numbers that people type into addresses and forms, safely."""

import re

_DIGITS = re.compile(r"[0-9]{1,9}")


def as_id(value):
    """The positive integer in `value` (ASCII digits, at most 9), or None: never an error.

    str.isdigit() accepts "²" or Arabic-Indic digits that int() or the database then refuse.
    """
    value = str(value or "").strip()
    return int(value) if _DIGITS.fullmatch(value) else None


def safe_next(request, default):
    """The `next` of a form or link when it stays on this site, else `default` (no open redirect)."""
    from django.utils.http import url_has_allowed_host_and_scheme

    candidate = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path of this site: a bare word would reach redirect() as a URL name (an error page),
    # and "//host" or "/\\host" would leave the site.
    if not candidate.startswith("/") or candidate.startswith(("//", "/\\")) or "\x00" in candidate:
        return default
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default
