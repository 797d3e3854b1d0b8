from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import include, path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from portal.ops import health, metrics


@login_not_required
def admin_login(request, extra_context=None):
    """The admin signs in through the same page, lockout and second factor as everyone else."""
    if request.user.is_authenticated:
        # Signed in but not allowed in the admin: answer plainly instead of looping on sign-in.
        raise PermissionDenied
    next_url = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")


admin.site.login = admin_login
admin.site.site_header = _("Liaison administration")
admin.site.site_title = _("Liaison administration")
admin.site.index_title = _("Administration")


@login_not_required
def not_offered(request, *args, **kwargs):
    """allauth pages Liaison does not offer: the sign-in email is changed by an administrator."""
    raise Http404


@login_not_required
def favicon(request):
    """Browsers ask /favicon.ico of every site whatever the page links: the SVG icon (no 404 per page)."""
    from django.templatetags.static import static

    return redirect(static("img/favicon.svg"), permanent=True)


urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("accounts/email/", not_offered),
    path("accounts/confirm-email/", not_offered),
    path("accounts/confirm-email/<str:key>/", not_offered),
    path("accounts/", include("allauth.urls")),
    path("orders/", include("orders.urls")),
    path("employment/", include("referrals.urls")),
    path("interpreters/", include("interpreters.urls")),
    path("appointments/", include("appointments.urls")),
    # Operations: readiness for load balancers and compose, metrics for Prometheus (not public).
    path("ready/", health.ready, name="ready"),
    path("metrics", metrics.metrics, name="metrics"),
    path("", include("portal.urls")),
]

# A 403 or 404 of a page that another of the person's roles opens offers that role (issue 18).
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"

# Uploaded and generated files (MEDIA_ROOT) are never served directly, not even in debug mode:
# each app serves them through a view that checks who asks (e.g. portal:export_download).
