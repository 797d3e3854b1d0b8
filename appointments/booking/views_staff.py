"""Staff booking and changes (guide 4.3 to 4.6): book for a person, service, location and date, then
a time and the person's details."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from appointments import roles, selectors
from appointments.booking import services
from appointments.booking.forms import PersonForm, StaffBookingForm, TimeChoiceForm, person_initial
from appointments.booking.views_common import time_gone, time_value_of
from appointments.pages import render_page
from appointments.schedules.forms import parse_day
from portal import dates
from portal.forms import show_service_error
from portal.params import as_id
from portal.permissions import capability_required
from portal.workflow import ActionError


def staff_times(request, *, service, location, day, online=False):
    start, end = selectors.day_bounds(day)
    slots = selectors.bookable_slots_for(request.user).filter(
        location=location, starts_at__lt=end, ends_at__gt=start
    )
    return selectors.open_times(slots, service=service, online=online, now=timezone.now())


def booked_second_dose_for(user, first_dose, second=None):
    """The second dose already booked for a first dose (issue 20) and its staff page when this role
    may open it (a team-limited role may not see another team's): (None, "") when there is none."""
    if first_dose is None or not first_dose.service.minimum_interval_days:
        return None, ""
    second = second or services.second_dose_service(first_dose.service)
    booked = selectors.booked_second_dose(first_dose, second)
    if booked is None:
        return None, ""
    visible = selectors.appointments_for(user).filter(pk=booked.pk).exists()
    return booked, reverse("appointments:appointment", args=[booked.pk]) if visible else ""


def _second_dose_booked_page(request, first_dose, second):
    """The booking page of a second dose booked already (an old link, or its service chosen): its
    time and place, no form to book it twice. None when it is not booked (or not asked)."""
    if first_dose is None or not (
        "second_dose" in request.GET or as_id(request.GET.get("service")) == second.pk
    ):
        return None
    booked, booked_url = booked_second_dose_for(request.user, first_dose, second)
    if booked is None:
        return None
    return render_page(
        request,
        "appointments/book.html",
        {"source": first_dose, "second_dose_booked": booked, "booked_url": booked_url},
    )


def _second_dose_choice(request, first_dose, second):
    """The booking page of the second dose: its service, the first dose's location, its first day."""
    earliest = services.second_dose_earliest(first_dose) if first_dose is not None else None
    if second is None or earliest is None:
        messages.error(request, _("This appointment has no second dose to book."))
        return redirect("appointments:book")
    query = {
        "from": first_dose.pk,
        "service": second.pk,
        "location": first_dose.slot.location_id,
        "date": max(timezone.localdate(), timezone.localdate(earliest)).isoformat(),
    }
    return redirect(reverse("appointments:book") + "?" + urlencode(query))


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
    # "Book the second dose" (issue 20): the campaign's second dose, at the first dose's location,
    # from the day its interval allows; the person's details come from the first dose.
    second = services.second_dose_service(source.service) if source is not None else None
    first_dose = source if second is not None else None
    booked_page = _second_dose_booked_page(request, first_dose, second)
    if booked_page is not None:
        return booked_page
    if "second_dose" in request.GET and "service" not in request.GET:
        return _second_dose_choice(request, first_dose, second)
    services_qs = selectors.services_for(user).filter(is_active=True)
    locations = selectors.locations_for(user).filter(is_active=True)
    choice = StaffBookingForm(
        request.GET if "service" in request.GET else None,
        initial={
            "date": parse_day(request.GET.get("date")) or timezone.localdate(),
            "location": as_id(request.GET.get("location")),
        },
        services=services_qs,
        locations=locations,
    )
    context = {"choice": choice, "source": source}
    if first_dose is not None and second is not None and choice.is_bound and choice.is_valid():
        if choice.cleaned_data["service"].pk == second.pk:
            context["second_dose_from"] = dates.long_date(
                services.second_dose_earliest(first_dose), weekday=True
            )
        else:
            first_dose = None
    if choice.is_bound and choice.is_valid():
        service, location, day = (choice.cleaned_data[key] for key in ("service", "location", "date"))
        times = staff_times(request, service=service, location=location, day=day)
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
                            first_dose_id=first_dose.pk if first_dose is not None else None,
                            **person.booking_values(),
                        )
                    except ActionError as error:
                        if time_gone(error):
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
            times = staff_times(request, service=service, location=location, day=day)
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
    return render_page(request, "appointments/book.html", context)
