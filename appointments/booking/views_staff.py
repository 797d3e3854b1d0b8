"""Staff booking and changes (guide 4.3 to 4.6): book for a person, service, location and date, then
a time and the person's details."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from appointments import roles, selectors
from appointments.booking import services
from appointments.booking.forms import PersonForm, StaffBookingForm, TimeChoiceForm, person_initial
from appointments.booking.views_common import time_gone, time_value_of
from appointments.pages import render_page
from appointments.schedules.forms import parse_day
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
            "date": parse_day(request.GET.get("date")) or timezone.localdate(),
            "location": as_id(request.GET.get("location")),
        },
        services=services_qs,
        locations=locations,
    )
    context = {"choice": choice, "source": source}
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
