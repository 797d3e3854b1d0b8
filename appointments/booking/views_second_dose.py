"""Both doses as a pair (issue 20): from the first dose's confirmation (page or email), the person
books the second dose with the details already given. The link carries a signed token of the first
appointment (nothing personal); the days start at the first dose's day plus the service's interval,
at the first dose's location first, other locations a click away. The booking is `book_place`'s (never
oversold, one active appointment per person and service, refused before the interval)."""

from datetime import timedelta

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from appointments import selectors
from appointments.booking import services
from appointments.booking.forms import TimeChoiceForm
from appointments.booking.views_common import (
    booking_session,
    keeps_booking_state,
    public_over_limit,
    save_booking_session,
)
from appointments.booking.views_search import day_choices
from appointments.schedules.forms import parse_day
from portal.workflow import ActionError


def second_dose_days(clinic, earliest):
    """The days offered for a second dose: from its earliest day (today if later) and the clinic's
    `days_shown` days after it, as the public times are offered from today."""
    first_day = max(timezone.localdate(), timezone.localdate(earliest))
    return [first_day + timedelta(days=offset) for offset in range(clinic.days_shown + 1)]


def _book(request, form, *, organization, first, second, location):
    """The chosen time booked with the first dose's details, or None with the refusal on `form`."""
    if public_over_limit(request, organization, "book"):
        form.is_valid()
        form.add_error(
            None, _("Too many bookings from this connection: try again in an hour, or call the clinic.")
        )
        return None
    if not form.is_valid():
        return None
    values = {**services.second_dose_values(first), "language": request.LANGUAGE_CODE}
    try:
        appointment = services.book_place(
            actor=None,
            slot_id=form.cleaned_data["slot_id"],
            location_id=location.pk,
            service=second,
            starts_at=form.cleaned_data["time"],
            online=True,
            **values,
        )
    except ActionError as error:
        form.add_error("time", " ".join(error.messages))
        return None
    booked = list(booking_session(request, organization).get("booked", []))[-9:] + [appointment.pk]
    save_booking_session(request, organization, booked=booked)
    return appointment


@login_not_required
@require_http_methods(["GET", "POST"])
@keeps_booking_state
def public_second_dose(request, organization_id, token, location_id=None):
    site = selectors.public_site(organization_id)
    organization, clinic = site.organization, site.clinic
    first = services.first_dose_of_token(organization.pk, token)
    second = services.second_dose_service(first.service) if first is not None else None
    earliest = services.second_dose_earliest(first) if first is not None else None
    if first is None or second is None or earliest is None or second.pk not in site.services:
        raise Http404
    second = site.services[second.pk]  # the public configuration's (bilingual, cached) service
    booked = selectors.booked_second_dose(first, second)
    if booked is not None:
        # Booked already (from this page, the confirmation or by staff): its time and place, no form.
        return render(
            request,
            "appointments/public_second_dose.html",
            {
                "organization": organization,
                "clinic": clinic,
                "first": first,
                "service": second,
                "booked": booked,
            },
        )
    if not clinic.online_booking_open:
        return redirect("appointments:public_page", organization_id=organization.pk)
    locations = list(site.locations.get(second.pk, []))
    if location_id is None:
        # The first dose's location first, when it offers the second dose.
        same = [location for location in locations if location.pk == first.slot.location_id]
        chosen = same[0] if same else (locations[0] if locations else None)
        if chosen is not None:
            return redirect("appointments:public_second_dose_at", organization.pk, token, chosen.pk)
        location = None
    else:
        location = next((one for one in locations if one.pk == location_id), None)
        if location is None:
            raise Http404
    form = TimeChoiceForm(request.POST or None)
    if location is not None and request.method == "POST":
        appointment = _book(
            request, form, organization=organization, first=first, second=second, location=location
        )
        if appointment is not None:
            return redirect("appointments:public_confirmation", organization.pk, appointment.number)
    days, day, day_times = [], None, []
    if location is not None:
        shown = second_dose_days(clinic, earliest)
        asked = parse_day(request.GET.get("date") or request.POST.get("date"))
        found = selectors.availability(
            organization_id=organization.pk,
            location_ids=[location.pk],
            days=shown,
            detailed=[asked] if asked in shown else [],
        )
        days = found.open_days(location.pk, second.pk, shown)
        if asked in days:
            day = asked
            day_times = day_choices(
                day, selectors.bookable(found.day_times(location.pk, day, second.pk), found.now)
            )
    return render(
        request,
        "appointments/public_second_dose.html",
        {
            "organization": organization,
            "clinic": clinic,
            "first": first,
            "service": second,
            "location": location,
            "other_locations": [one for one in locations if location is None or one.pk != location.pk],
            "token": token,
            "earliest": earliest,
            "days": days,
            "day": day,
            "day_times": day_times,
            "form": form,
        },
    )
