"""Request plumbing of the shared layer: session limits, language, second factor, active role."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from portal import scoping
from portal.models import Language

ACTIVE_MEMBERSHIP_SESSION_KEY = "active_membership_id"
SESSION_EXPIRED_KEY = "session_expired"


class TrustedProxyMiddleware:
    """The client's address, as seen by the first of PROXY_COUNT trusted reverse proxies.

    Anything a client writes in X-Forwarded-For before reaching them is ignored, so neither the
    lockout nor the audit log can be fooled. With no proxy, the header is simply dropped.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.count = settings.PROXY_COUNT

    def __call__(self, request):
        forwarded = request.META.pop("HTTP_X_FORWARDED_FOR", "")
        if self.count:
            addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
            if len(addresses) >= self.count:
                request.META["REMOTE_ADDR"] = addresses[-self.count]
        return self.get_response(request)


class SessionTimeoutMiddleware:
    """Sessions end after SESSION_IDLE_TIMEOUT without a request and SESSION_ABSOLUTE_TIMEOUT in all."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.idle = settings.SESSION_IDLE_TIMEOUT.total_seconds()
        self.absolute = settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()

    def __call__(self, request):
        if request.user.is_authenticated:
            now = timezone.now().timestamp()  # seconds, as stored in the session
            session = request.session
            started = session.setdefault("signed_in_at", now)
            last_seen = session.get("last_seen", now)
            if now - last_seen > self.idle or now - started > self.absolute:
                logout(request)
                # Read back by the sign-in page so that the person knows why.
                request.session[SESSION_EXPIRED_KEY] = True
            elif (
                now - last_seen > settings.SESSION_LAST_SEEN_EVERY.total_seconds()
                or "last_seen" not in session
            ):
                session["last_seen"] = now
        return self.get_response(request)


class UserLanguageMiddleware:
    """The pages' language: the one chosen with the header's button (its cookie), else the
    signed-in person's saved language (the profile's, also that of their messages), else the
    browser's. The button never changes the saved language (issue 18)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in Language.values:
            language = None
        user = request.user
        if language is None and user.is_authenticated and user.preferred_language in Language.values:
            language = user.preferred_language
        if language is None:
            language = translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


# Pages a signed-in person may open before passing the second factor.
SECOND_FACTOR_EXEMPT = {
    "account_logout",
    "portal:mfa_setup",
    "portal:mfa_verify",
    "portal:language",
    "portal:health",
    # An invitation's link signs its person in afresh (portal.accounts.invitations).
    "portal:accept_invitation",
}


class SecondFactorMiddleware:
    """Every account must enrol an authenticator and pass it before any other page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if request.resolver_match.view_name in SECOND_FACTOR_EXEMPT:
            return None
        from portal.accounts.services import user_has_second_factor

        target = "portal:mfa_verify" if user_has_second_factor(user) else "portal:mfa_setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


class ActiveMembershipMiddleware:
    """Hands the role chosen in the user menu (kept in the session) to the capability check."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            request.user._chosen_membership_id = request.session.get(ACTIVE_MEMBERSHIP_SESSION_KEY)
        return self.get_response(request)


class ScopingMiddleware:
    """While a request is handled, reads of an organization's data must be scoped (portal.scoping).

    The admin site is left out: its pages are for superusers with a second factor, and they are
    read-only where services enforce rules (see each app's admin.py).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = scoping.enter_request()
        try:
            return self.get_response(request)
        finally:
            scoping.leave_request(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if "admin" in request.resolver_match.namespaces:
            scoping.relax_current_request()
        return None


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Django's, except that a form sent after the session ended comes back to the form's page
    after sign-in (a POST-only address opened with GET would be a dead end)."""

    def handle_no_permission(self, request, view_func):
        if request.method in ("GET", "HEAD"):
            return super().handle_no_permission(request, view_func)
        referer = request.META.get("HTTP_REFERER", "")
        if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
            parts = urlsplit(referer)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
        else:
            target = reverse("portal:home")
        return redirect_to_login(
            target, self.get_login_url(view_func), self.get_redirect_field_name(view_func)
        )


# No inline script anywhere (every script is a file of this site); styles may use attributes
# (bar widths, team colours), images may be data: URIs (the enrolment QR code).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """A Content-Security-Policy on every HTML page, and no caching of signed-in pages (a shared
    computer's back button or a proxy must not show someone's records)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store, private"
        return response
