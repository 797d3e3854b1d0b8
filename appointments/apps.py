from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "appointments"
    verbose_name = _("Appointments")

    def ready(self):
        from appointments import roles  # noqa: F401  (registers the app's roles and tiles with the portal)
        from appointments.models import (
            Appointment,
            ClinicSettings,
            CommunicationRule,
            Location,
            Service,
            Slot,
            TeamResource,
        )
        from portal import audit, outbound
        from portal.sms import replies

        # Audited, each with its clinic network (portal.audit).
        for model in (Appointment, ClinicSettings, CommunicationRule, Location, Service, Slot, TeamResource):
            audit.register(model, "organization")
        # What a worker may call by a dotted path stored in a message or an export (portal.outbound).
        outbound.allow(
            "appointments.emails.ics_attachment",
            "appointments.emails.service_attachment",
            "appointments.emails.still_booked",
            "appointments.exports.follow_up_rows",
            "appointments.exports.statistics_rows",
            "appointments.waitlist.offers.still_held",
        )
        # Answers to a reminder SMS: 1 confirms, 2 cancels (portal.sms_services.receive_sms).
        from appointments.sms_replies import handle

        replies.register(handle)
        # Places that open are offered to the waitlist (registers the inventory's listener).
        from appointments.waitlist import offers  # noqa: F401
