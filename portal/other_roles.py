"""A link opened in the wrong role: offer the person's role that opens it (issue 18).

An emailed link (a summary, a request, a case) is opened while another of the person's roles is
active; the page's capability or organization check fails (403 or 404). Before answering so, the
error handlers (config/urls.py: handler403, handler404) ask here whether another of *this person's*
valid memberships would open the same address: the view is run again, for each such membership,
inside a transaction that is always rolled back (an audit row, a message, a queued email of that
trial leaves nothing behind). If one would, the answer is a page "This page belongs to your role X
at Y" with a button that switches role and opens the address (a POST with CSRF: portal:switch_role
with `open`). If none would, the answer stays the plain 403/404: nothing about any record or any
other organization is revealed, since only the person's own roles are tried.
"""

import copy
import logging

from django.contrib.messages.storage import default_storage
from django.db import transaction

from portal.selectors import active_membership, valid_memberships

logger = logging.getLogger(__name__)

# A person rarely holds more than a few roles; more are not tried (each trial runs the view).
MAX_TRIALS = 6


def _opens_as(request, match, membership):
    """Would the view answer this GET with a page (2xx/3xx) if `membership` were the active role?"""
    trial = copy.copy(request)
    user = copy.copy(request.user)
    user.__dict__.pop("_active_membership", None)
    user._chosen_membership_id = membership.pk
    trial.user = user
    trial._messages = default_storage(trial)  # messages of the trial are never shown
    session = getattr(request, "session", None)
    saved = dict(session.items()) if session is not None else None
    response = None
    try:
        with transaction.atomic():
            try:
                response = match.func(trial, *match.args, **match.kwargs)
                if callable(getattr(response, "render", None)) and not getattr(response, "is_rendered", True):
                    response.render()
            finally:
                transaction.set_rollback(True)
    except Exception:  # noqa: BLE001 (a trial that fails in any way simply does not open the page)
        logger.debug("Trial of %s as membership %s failed", request.path, membership.pk, exc_info=True)
        return False
    finally:
        if session is not None and dict(session.items()) != saved:
            session.clear()
            session.update(saved)
    if response is None:
        return False
    # Not response.close(): that sends request_finished, whose close_old_connections would close
    # the database connection in the middle of the real request.
    return 200 <= response.status_code < 400


def roles_that_open(request):
    """The person's other valid memberships under which this request's page opens (maybe none)."""
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    if match is None or request.method not in ("GET", "HEAD") or "admin" in match.namespaces:
        return []
    if user is None or not user.is_authenticated or not getattr(user, "is_verified", lambda: False)():
        return []
    active = active_membership(user)
    others = [m for m in valid_memberships(user) if active is None or m.pk != active.pk]
    return [membership for membership in others[:MAX_TRIALS] if _opens_as(request, match, membership)]
