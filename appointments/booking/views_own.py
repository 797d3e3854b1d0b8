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
from appointments.booking.forms import CancelByNumberForm
from appointments.booking.views_common import public_over_limit
from appointments.follow_up import services as follow_up_services
from appointments.models import Appointment, AppointmentStatus
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
