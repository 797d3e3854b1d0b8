"""The person's own appointment (no account): cancel with the confirmation number (guide 5, step 14)
and the link of the email or SMS (see, confirm, cancel)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from appointments import selectors
from appointments.booking import services
from appointments.booking.forms import CancelByNumberForm, TimeChoiceForm
from appointments.booking.views_common import is_open_time, public_over_limit, time_gone, time_value_of
from appointments.booking.views_search import day_choices, public_availability
from appointments.follow_up import services as follow_up_services
from appointments.models import Appointment, AppointmentStatus, Slot
from appointments.schedules.forms import parse_day
from portal import dates
from portal.db import folded_q
from portal.workflow import ActionError


@login_not_required
@require_http_methods(["GET", "POST"])
def public_cancel(request, organization_id):
    """Guide 5, step 14: cancel with the confirmation number (and the person's last name)."""
    site = selectors.public_site(organization_id)
    organization = site.organization
    form = CancelByNumberForm(request.POST or None)
    if request.method == "POST" and public_over_limit(request, organization, "cancel"):
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
            .filter(_same_last_name(form.cleaned_data["last_name"]))
            .select_related("slot")
            .first()
        )
        if appointment is None:
            form.add_error(
                None,
                _("No appointment matches this confirmation number and last name. Check both and try again."),
            )
        elif request.POST.get("confirm") != "yes" and services.APPOINTMENT_FLOW.allows(
            appointment, services.CANCEL.name
        ):
            # Asks first, as the email link does (issue 20): the question, with the typed number and
            # name carried in the form so that "Yes" cancels and "No" keeps the appointment.
            return render(
                request,
                "appointments/public_cancel.html",
                {"organization": organization, "clinic": site.clinic, "form": form, "asking": appointment},
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


APOSTROPHES = ("'", "\u2019", "\u02bc")


def _same_last_name(typed):
    """The last name as typed, whichever apostrophe the keyboard gave (O'Brien, O’Brien)."""
    name = typed.strip()
    condition = folded_q("last_name", name, lookup="exact")
    for apostrophe in APOSTROPHES:
        variant = name
        for other in APOSTROPHES:
            variant = variant.replace(other, apostrophe)
        condition |= folded_q("last_name", variant, lookup="exact")
    return condition


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
    can_cancel = upcoming and services.APPOINTMENT_FLOW.allows(appointment, services.CANCEL.name)
    return render(
        request,
        "appointments/manage.html",
        {
            "organization": organization,
            "clinic": selectors.clinic_settings(organization),
            "appointment": appointment,
            # What the person may do, from the status declaration (portal.workflow), not the template.
            "can_confirm": upcoming and services.APPOINTMENT_FLOW.allows(appointment, services.CONFIRM.name),
            "can_cancel": can_cancel,
            # "Cancel" asks first (issue 20): ?cancel=1 shows the question, its "yes" posts the cancel.
            "asking_cancel": can_cancel and request.GET.get("cancel") == "1",
            "can_rebook": appointment.status == AppointmentStatus.CANCELLED,
        },
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def reschedule_by_link(request, token):
    """The link's "Change the time" (issue 20): the same service and location, another open time;
    the person's details stay, and their place is kept until the new time is claimed (one commit)."""
    appointment = selectors.appointment_by_token(token)
    organization = appointment.organization
    upcoming = appointment.starts_at > timezone.now()
    if not (upcoming and services.APPOINTMENT_FLOW.allows(appointment, services.CANCEL.name)):
        messages.error(request, _("This appointment can no longer be changed online."))
        return redirect("appointments:manage", token=token)
    site = selectors.public_site(organization.pk)
    clinic = site.clinic
    service = site.services.get(appointment.service_id)
    location = next(
        (
            one
            for one in site.locations.get(appointment.service_id, [])
            if one.pk == appointment.slot.location_id
        ),
        None,
    )
    if not clinic.online_booking_open or service is None or location is None:
        messages.error(
            request, _("Online booking is closed at the moment: call the clinic to change the time.")
        )
        return redirect("appointments:manage", token=token)
    form = TimeChoiceForm(request.POST or None)
    if request.method == "POST" and public_over_limit(request, organization, "change"):
        form.is_valid()
        form.add_error(
            None, _("Too many attempts from this connection: try again in an hour, or call the clinic.")
        )
    elif request.method == "POST" and form.is_valid():
        moment, slot_id = form.cleaned_data["time"], form.cleaned_data["slot_id"]
        slot = Slot.objects.for_organization(organization).filter(pk=slot_id, location_id=location.pk).first()
        if slot is None or not is_open_time(organization, clinic, service, location, slot_id, moment):
            form.add_error("time", _("This time is no longer available. Choose another time."))
        else:
            try:
                moved = follow_up_services.update_appointment(
                    actor=None,
                    appointment=appointment,
                    details={},
                    slot=slot,
                    service=service,
                    starts_at=moment,
                    online=True,
                )
            except ActionError as error:
                form.add_error("time" if time_gone(error) else None, " ".join(error.messages))
            else:
                local = timezone.localtime(moved.starts_at)
                messages.success(
                    request,
                    _("Your appointment is moved to %(day)s at %(time)s. A new confirmation is on its way.")
                    % {"day": dates.long_date(local, weekday=True), "time": local.strftime("%H:%M")},
                )
                return redirect("appointments:manage", token=token)
    asked = parse_day(request.GET.get("date") or request.POST.get("date"))
    days, open_times = public_availability(organization, clinic, service, location, asked)
    day = asked if asked in days else None
    current = time_value_of(appointment.slot_id, appointment.starts_at)
    day_times = [choice for choice in day_choices(day, open_times) if choice[0] != current] if day else []
    return render(
        request,
        "appointments/manage_change.html",
        {
            "organization": organization,
            "clinic": clinic,
            "appointment": appointment,
            "service": service,
            "location": location,
            "days": days,
            "day": day,
            "day_times": day_times,
            "form": form,
        },
    )
