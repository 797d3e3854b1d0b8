"""The public waitlist pages (issue 20): sign up when a search finds no place, the confirmation,
leaving the list by the signed link of each message, and the offer of a held place."""

import phonenumbers
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import require_http_methods

from appointments import selectors
from appointments.booking import services as booking_services
from appointments.booking.forms import PersonForm
from appointments.booking.views_common import booking_session, keeps_booking_state, save_booking_session
from appointments.booking.views_notices import notice_urls
from appointments.models import WaitlistStatus
from appointments.waitlist import offers, services
from appointments.waitlist.forms import WaitlistForm
from portal.forms import show_service_error
from portal.workflow import ActionError


def typed_phone(stored: str) -> str:
    """A stored number (E.164) the way people type it: "506 555 0199" for a North American number,
    the national format otherwise; what cannot be read as it was."""
    if not stored:
        return ""
    try:
        number = phonenumbers.parse(stored, "CA")
    except phonenumbers.NumberParseException:
        return stored
    if number.country_code == 1:
        digits = str(number.national_number)
        if len(digits) == 10:
            return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def _site_service(organization_id, service_id):
    if not settings.APPOINTMENTS_WAITLIST:
        # A network run without the waitlist (settings.APPOINTMENTS_WAITLIST = False).
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
        form = WaitlistForm(request.POST, notices=notice_urls(organization))
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
        form = WaitlistForm(
            initial={"postal_code": request.GET.get("postal_code", "")[:10]}, notices=notice_urls(organization)
        )
    return render(
        request,
        "appointments/waitlist_signup.html",
        {
            "organization": organization,
            "clinic": site.clinic,
            "service": service,
            "form": form,
            "postal_code": request.GET.get("postal_code", "")[:10],
        },
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


# The offer's page (issue 20): the held place, "Confirm" (books it) or "Decline" (the next person) --


@login_not_required
@require_http_methods(["GET", "POST"])
@keeps_booking_state
def public_waitlist_offer(request, organization_id, token):
    if not settings.APPOINTMENTS_WAITLIST:
        raise Http404
    site = selectors.public_site(organization_id)
    organization = site.organization
    # A link tampered with, or of another network: 404 (nothing said about any entry).
    entry = offers.entry_of_offer_token(organization.pk, token)
    if entry is None:
        raise Http404
    service = site.services.get(entry.service_id)
    time_row = entry.offered_time
    state = "held"
    if entry.status == WaitlistStatus.BOOKED:
        state = "booked"
    elif entry.status == WaitlistStatus.LEFT and request.method == "POST":
        state = "declined"
    elif (
        entry.status != WaitlistStatus.OFFERED
        or time_row is None
        or service is None
        or entry.offer_expires_at is None
        or entry.offer_expires_at <= timezone.now()
    ):
        state = "gone"
    location = time_row.slot.location if time_row is not None else None
    form = None
    if state == "held":
        assert time_row is not None and location is not None
        # The mobile phone as people type it (506 555 0199, not +15065550199), and its SMS ticked.
        initial = {
            "email": entry.email,
            "mobile_phone": typed_phone(entry.mobile_phone),
            "send_sms": bool(entry.mobile_phone),
        }
        posted = (
            request.POST if request.method == "POST" and request.POST.get("action") == "confirm" else None
        )
        form = PersonForm(
            posted,
            service=service,
            province=location.province,
            notices=notice_urls(organization),
            initial=initial,
        )
        if request.method == "POST" and request.POST.get("action") == "decline":
            offers.decline(entry)
            state = "declined"
            form = None
        elif posted is not None and form.is_valid():
            try:
                appointment = booking_services.book_place(
                    actor=None,
                    slot_id=time_row.slot_id,
                    location_id=location.pk,
                    service=service,
                    starts_at=time_row.starts_at,
                    online=True,
                    language=request.LANGUAGE_CODE,
                    waitlist_entry_id=entry.pk,
                    **form.booking_values(),
                )
            except ActionError as error:
                if error.code == "hold_gone":
                    state, form = "gone", None
                else:
                    # The slot's rules changed meanwhile, or the person already has an appointment:
                    # said on the form, what was typed kept (the hold stays until its end).
                    show_service_error(request, form, error)
            else:
                booked = list(booking_session(request, organization).get("booked", []))[-9:] + [
                    appointment.pk
                ]
                save_booking_session(request, organization, booked=booked)
                return redirect("appointments:public_confirmation", organization.pk, appointment.number)
    return render(
        request,
        "appointments/waitlist_offer.html",
        {
            "organization": organization,
            "clinic": site.clinic,
            "entry": entry,
            "service": service or entry.service,
            "location": location,
            "moment": time_row.starts_at if time_row is not None else None,
            "state": state,
            "form": form,
            "action": reverse("appointments:public_waitlist_offer", args=[organization.pk, token]),
        },
    )
