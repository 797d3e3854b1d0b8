"""Appointment scheduling: the roles of the Clic Santé guide's table."""

from django.utils.translation import gettext_lazy as _

from portal.roles import register_role

CONFIGURE = "appointments.configure"
STATISTICS = "appointments.statistics"
MANAGE_ALL = "appointments.manage_all"
GIVE = "appointments.give"
MANAGE_OWN = "appointments.manage_own"
VIEW_ALL = "appointments.view_all"
VIEW_OWN = "appointments.view_own"

CLINIC = {"clinic_network"}

register_role(
    "appointments.pilot",
    label=_("Pilot"),
    organization_kinds=CLINIC,
    capabilities={CONFIGURE, STATISTICS},
)
register_role(
    "appointments.management_1",
    label=_("Management #1"),
    organization_kinds=CLINIC,
    capabilities={MANAGE_ALL, GIVE, VIEW_ALL},
)
register_role(
    "appointments.management_2",
    label=_("Management #2"),
    organization_kinds=CLINIC,
    capabilities={GIVE, VIEW_ALL},
)
register_role(
    "appointments.management_3",
    label=_("Management #3"),
    organization_kinds=CLINIC,
    capabilities={MANAGE_OWN, VIEW_OWN},
)
register_role(
    "appointments.consultation_1",
    label=_("Consultation #1"),
    organization_kinds=CLINIC,
    capabilities={VIEW_ALL},
)
register_role(
    "appointments.consultation_2",
    label=_("Consultation #2"),
    organization_kinds=CLINIC,
    capabilities={VIEW_OWN},
)
