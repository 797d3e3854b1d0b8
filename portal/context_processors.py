from django.conf import settings

from portal.middleware import SESSION_EXPIRED_KEY
from portal.selectors import active_membership, valid_memberships


def portal(request):
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    # A person who has just signed in has not passed the second factor yet (no is_verified).
    verified = signed_in and getattr(user, "is_verified", lambda: False)()
    session = getattr(request, "session", None)
    return {
        "active_membership": active_membership(user) if verified else None,
        "memberships": valid_memberships(user) if verified else [],
        "second_factor_passed": verified,
        "show_outbox": verified and settings.DEBUG and user.is_staff,
        "idle_seconds": int(settings.SESSION_IDLE_TIMEOUT.total_seconds()),
        # Shown once, on the next page (the sign-in page), then forgotten.
        "session_expired": bool(session is not None and session.pop(SESSION_EXPIRED_KEY, False)),
    }
