"""Glue between the sign-in libraries and the platform: the sign-in name, the address limit."""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count, Sum
from django.utils import timezone


def axes_username(request, credentials):
    """allauth passes the email as `email`; the sign-in form names it `login`."""
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username") or credentials.get("login")
    if not value and request is not None:
        value = request.POST.get("login", "")
    return (value or "").strip().lower()


class AddressLimitHandler(AxesDatabaseHandler):
    """django-axes' lockout, plus a limit per address across accounts (password spraying).

    Axes locks one account from one address after AXES_FAILURE_LIMIT failures. An address that
    tries many accounts stays under each account's limit, so the failures of all accounts from
    the address are counted too: at settings.SIGN_IN_FAILURES_PER_ADDRESS within the lockout
    hour, every sign-in from that address is refused until the hour has passed (the page says
    why), and the platform's staff get an alert (portal.accounts.services.raise_sign_in_alert).
    """

    @staticmethod
    def address_failures(ip_address):
        since = timezone.now() - settings.AXES_COOLOFF_TIME
        return AccessAttempt.objects.filter(ip_address=ip_address, attempt_time__gte=since).aggregate(
            failures=Sum("failures_since_start"), accounts=Count("username", distinct=True)
        )

    def get_failures(self, request, credentials=None):
        failures = super().get_failures(request, credentials)
        address = getattr(request, "axes_ip_address", None)
        if not address:
            return failures
        counted = self.address_failures(address)
        if (counted["failures"] or 0) >= settings.SIGN_IN_FAILURES_PER_ADDRESS:
            request.sign_in_blocked_for_address = True
            return max(failures, get_failure_limit(request, credentials))
        return failures

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is not None and getattr(request, "sign_in_blocked_for_address", False):
            from portal.accounts.services import raise_sign_in_alert

            counted = self.address_failures(request.axes_ip_address)
            raise_sign_in_alert(
                ip_address=request.axes_ip_address,
                failures=counted["failures"] or 0,
                accounts=counted["accounts"] or 0,
                blocked_until=timezone.now() + settings.AXES_COOLOFF_TIME,
            )
