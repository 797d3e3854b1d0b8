"""Files attached to the appointment emails, read by the worker when it sends them."""

from datetime import timedelta

from django.utils import translation
from django.utils.translation import gettext as _

from appointments.models import Appointment, Service
from portal.documents import CalendarEvent, calendar_file


def ics_attachment(appointment_id):
    """The appointment as an .ics calendar event (no health details beyond the service's name)."""
    appointment = (
        Appointment.objects.select_related("slot__location", "service").filter(pk=appointment_id).first()
    )
    if appointment is None:
        return None
    with translation.override(appointment.language):
        location = appointment.slot.location
        data = calendar_file(
            CalendarEvent(
                uid=appointment.number,
                summary=f"{appointment.service.name} — {appointment.number}",
                starts_at=appointment.starts_at,
                ends_at=appointment.starts_at + timedelta(minutes=appointment.slot.interval_minutes),
                location=f"{location.name}, {location.full_address}",
            ),
            product="Appointments",
        )
        # Translators: the name of the calendar file attached to the email (no spaces, no accents).
        name = _("appointment-%(number)s.ics") % {"number": appointment.number}
    return (name, data, "text/calendar")


def service_attachment(service_id):
    """The service's information document (guide 2.1: "Fichier joint")."""
    service = Service.objects.filter(pk=service_id).exclude(attachment="").first()
    if service is None:
        return None
    with service.attachment.open("rb") as handle:
        return (service.attachment_name or "document", handle.read(), service.attachment_content_type)


def still_booked(appointment_id):
    """Asked by the worker just before sending a reminder."""
    from appointments.models import HOLDING_STATUSES

    return Appointment.objects.filter(pk=appointment_id, status__in=HOLDING_STATUSES).exists()
