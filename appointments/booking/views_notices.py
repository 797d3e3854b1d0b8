"""The terms of use and the privacy policy of online booking (guide 5, step 10; issue 20), linked
from the consent of the details form: public pages (no account), in the person's language."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.urls import reverse

from appointments import selectors


def notice_urls(organization):
    """(terms of use, privacy policy) of the clinic network's online booking."""
    return (
        reverse("appointments:public_terms", args=[organization.pk]),
        reverse("appointments:public_privacy", args=[organization.pk]),
    )


def _notice(request, organization_id, which):
    site = selectors.public_site(organization_id)
    return render(
        request,
        "appointments/public_notice.html",
        {"organization": site.organization, "clinic": site.clinic, "which": which},
    )


@login_not_required
def public_terms(request, organization_id):
    return _notice(request, organization_id, "terms")


@login_not_required
def public_privacy(request, organization_id):
    return _notice(request, organization_id, "privacy")
