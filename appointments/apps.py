from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "appointments"
    verbose_name = _("Appointments")

    def ready(self):
        from auditlog.registry import auditlog

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

        for model in (Appointment, ClinicSettings, CommunicationRule, Location, Service, Slot, TeamResource):
            auditlog.register(model)
