"""Public booking (no account), guide 5 steps 9–11: the person's details and consent, the booking,
then the confirmation and its coupon."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from appointments import selectors
from appointments.booking import services
from appointments.booking.forms import PersonForm, TimeChoiceForm
from appointments.booking.views_common import (
    booking_session,
    is_open_time,
    keeps_booking_state,
    public_over_limit,
    public_step,
    save_booking_session,
    step_redirect,
    time_gone,
)
from appointments.booking.views_notices import notice_urls
from appointments.models import Appointment, Slot
from appointments.waiting_room import public_line
from portal.forms import show_service_error
from portal.workflow import ActionError


@login_not_required
@require_http_methods(["GET", "POST"])
@public_line
@keeps_booking_state
def public_details(request, organization_id, service_id, location_id):
    """Guide 5, steps 9–11: the personal details, the consent, then the booking."""
    organization, clinic, is_open, service, location = public_step(
        request, organization_id, service_id, location_id
    )
    elsewhere = step_redirect(request, organization, is_open, service, location)
    if elsewhere is not None:
        return elsewhere
    checked = False
    if request.method == "GET" and request.GET.get("time"):
        # A time chosen from a link (or the back button): checked against the open times again.
        proposed = TimeChoiceForm({"time": request.GET["time"]})
        if proposed.is_valid() and is_open_time(
            organization,
            clinic,
            service,
            location,
            proposed.cleaned_data["slot_id"],
            proposed.cleaned_data["time"],
        ):
            save_booking_session(request, organization, time=request.GET["time"])
            checked = True
    chosen = TimeChoiceForm({"time": booking_session(request, organization).get("time", "")})
    if not chosen.is_valid():
        messages.error(request, _("Choose a time first."))
        return redirect("appointments:public_times", organization.pk, service.pk, location.pk)
    moment, slot_id = chosen.cleaned_data["time"], chosen.cleaned_data["slot_id"]
    # The form shown for a time just checked among the open times needs no other look-up, and a booking
    # reads the slot with the time's row (services.book_place: one statement, refused if not of this
    # location); the form shown for a time kept from before checks its slot is of this location.
    if (
        not checked
        and request.method != "POST"
        and not Slot.objects.for_organization(organization).filter(pk=slot_id, location=location).exists()
    ):
        messages.error(request, _("This time is not available. Choose a time in the list."))
        return redirect("appointments:public_times", organization.pk, service.pk, location.pk)
    # What the person typed before their time was taken (issue 20): shown again, not lost.
    typed = booking_session(request, organization).get("typed") or {}
    form = PersonForm(
        request.POST or None,
        service=service,
        province=location.province,
        notices=notice_urls(organization),
        initial={name: value for name, value in typed.items() if isinstance(value, str)} if typed else None,
    )
    if request.method == "POST" and public_over_limit(request, organization, "book"):
        form.is_valid()
        form.add_error(
            None, _("Too many bookings from this connection: try again in an hour, or call the clinic.")
        )
    elif request.method == "POST" and form.is_valid():
        try:
            appointment = services.book_place(
                actor=None,
                slot_id=slot_id,
                location_id=location.pk,
                service=service,
                starts_at=moment,
                online=True,
                language=request.LANGUAGE_CODE,
                **form.booking_values(),
            )
        except ActionError as error:
            if time_gone(error):
                messages.error(request, " ".join(error.messages))
                save_booking_session(request, organization, typed=_what_was_typed(request, form))
                return redirect("appointments:public_times", organization.pk, service.pk, location.pk)
            show_service_error(request, form, error)
        else:
            if appointment.replaced is not None:
                messages.info(
                    request,
                    _("Your appointment %(old)s was cancelled and replaced by this earlier one.")
                    % {"old": appointment.replaced.number},
                )
            booked = list(booking_session(request, organization).get("booked", []))[-9:] + [appointment.pk]
            save_booking_session(request, organization, time="", booked=booked, typed={})
            return redirect("appointments:public_confirmation", organization.pk, appointment.number)
    return render(
        request,
        "appointments/public_details.html",
        {
            "organization": organization,
            "clinic": clinic,
            "service": service,
            "location": location,
            "moment": moment,
            "form": form,
            "form_html": _blank_form_html(request, service, form),
        },
    )


def _what_was_typed(request, form):
    """The details posted (the consent apart: it is given again for the new time), for the form of
    the time chosen next. In the signed booking cookie, which only this browser sends back."""
    typed = {}
    for name in form.fields:
        value = request.POST.get(name, "")
        if name != "accept_terms" and isinstance(value, str) and value.strip():
            typed[name] = value[:500]
    return typed


# The details form before anything is typed is the same for every visitor of a service in a
# language (no data, no errors; the CSRF token is outside it): rendered once per worker, under
# the public configuration's version (a change of the service's fields gives a new one).
_BLANK_FORMS: dict[tuple[str, int, str, str], str] = {}
_BLANK_FORMS_MAX = 512


def _blank_form_html(request, service, form):
    if form.is_bound or form.initial:
        return ""
    # The location's province too: its health card format is the help text (issue 20).
    key = (request._public_site.version, service.pk, form.province or "", request.LANGUAGE_CODE)
    html = _BLANK_FORMS.get(key)
    if html is None:
        if len(_BLANK_FORMS) >= _BLANK_FORMS_MAX:
            _BLANK_FORMS.clear()
        html = _BLANK_FORMS[key] = render_to_string("portal/includes/form_body.html", {"form": form})
    return html


@login_not_required
def public_confirmation(request, organization_id, number):
    """Guide 5, step 11: the confirmation and its printable coupon (only in the browser that booked)."""
    site = selectors.public_site(organization_id)
    organization = site.organization
    if not (number.isascii() and number.isalnum()):
        raise Http404
    booked = [pk for pk in booking_session(request, organization).get("booked", []) if isinstance(pk, int)]
    appointment = get_object_or_404(
        Appointment.objects.for_organization(organization).select_related("slot__location", "service"),
        number=number,
        pk__in=booked,
    )
    offer = services.second_dose_offer(appointment)
    return render(
        request,
        "appointments/public_confirmation.html",
        {
            "organization": organization,
            "clinic": site.clinic,
            "appointment": appointment,
            # Issue 20: a first dose with an interval offers its second dose (details reused).
            "second_dose": offer,
            # Booked already (issue 20): its time and place instead of the offer.
            "booked": selectors.booked_second_dose(
                appointment, services.second_dose_service(appointment.service)
            )
            if offer
            else None,
        },
    )
