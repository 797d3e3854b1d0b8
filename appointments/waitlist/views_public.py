"""The public waitlist pages (issue 20): sign up when a search finds no place, the confirmation,
and leaving the list by the signed link of each message."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_http_methods

from appointments import selectors
from appointments.waitlist import services
from appointments.waitlist.forms import WaitlistForm


def _site_service(organization_id, service_id):
    if not settings.APPOINTMENTS_WAITLIST:
        # Signing up waits until places are offered to the list (settings.APPOINTMENTS_WAITLIST).
        raise Http404
    site = selectors.public_site(organization_id)
    service = site.services.get(service_id)
    if service is None:
        raise Http404
    return site, service


@login_not_required
@require_http_methods(["GET", "POST"])
def public_waitlist(request, organization_id, service_id):
    site, service = _site_service(organization_id, service_id)
    organization = site.organization
    if request.method == "POST":
        form = WaitlistForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            entry, _created = services.sign_up(
                service=service,
                email=data.get("email") or "",
                mobile_phone=str(data["mobile_phone"]) if data.get("mobile_phone") else "",
                language=translation.get_language() or "fr",
                area=data["postal_code"],
            )
            request.session["appointments_waitlist_entry"] = entry.pk
            return redirect(
                "appointments:public_waitlist_done", organization_id=organization.pk, service_id=service.pk
            )
    else:
        form = WaitlistForm(initial={"postal_code": request.GET.get("postal_code", "")[:10]})
    return render(
        request,
        "appointments/waitlist_signup.html",
        {"organization": organization, "clinic": site.clinic, "service": service, "form": form},
    )


@login_not_required
def public_waitlist_done(request, organization_id, service_id):
    site, service = _site_service(organization_id, service_id)
    return render(
        request,
        "appointments/waitlist_confirmation.html",
        {"organization": site.organization, "clinic": site.clinic, "service": service},
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def public_waitlist_leave(request, organization_id, token):
    site = selectors.public_site(organization_id)
    entry = services.entry_of_leave_token(site.organization.pk, token)
    left = False
    if entry is not None and request.method == "POST":
        services.leave(entry)
        left = True
    return render(
        request,
        "appointments/waitlist_leave.html",
        {
            "organization": site.organization,
            "clinic": site.clinic,
            "entry": entry,
            "service": site.services.get(entry.service_id) if entry else None,
            "left": left,
            "action": reverse("appointments:public_waitlist_leave", args=[site.organization.pk, token]),
        },
    )
