"""Appointment scheduling: the roles of the Clic Santé guide's table.

Pilot and the management roles are separate roles, switched from the user menu (guide 1.7). What a
role sees is narrowed further by its membership: `scope = {"locations": [ids]}` limits it to those
locations, and the membership's dates end it by themselves.
"""

from django.utils.translation import gettext_lazy as _

from portal.roles import register_role, register_tile

CONFIGURE = "appointments.configure"  # Configuration menu and online-booking switch
STATISTICS = "appointments.statistics"
SCHEDULES = "appointments.schedules"  # see schedules (all or own: see the two below)
EDIT_SCHEDULES = "appointments.edit_schedules"  # create, edit, clone and lock slots
MANAGE_ALL = "appointments.manage_all"  # every team's schedules and appointments
GIVE = "appointments.give"  # book appointments for anyone (Management #1 and #2)
BOOK = "appointments.book"  # book, change and follow up appointments (the selector narrows #3 to its teams)
MANAGE_OWN = "appointments.manage_own"  # only the teams the person belongs to
VIEW_ALL = "appointments.view_all"
VIEW_OWN = "appointments.view_own"

CLINIC = {"clinic_network"}

# Roles a pilot may give to an access account, from the most to the least powerful.
PILOT = "appointments.pilot"
DEFAULT_ROLE = "appointments.consultation_2"
MAX_PILOTS = 3

register_role(
    PILOT,
    label=_("Pilot"),
    organization_kinds=CLINIC,
    capabilities={CONFIGURE, STATISTICS},
    description=_("Configures the scheduler and sees the statistics."),
)
register_role(
    "appointments.management_1",
    label=_("Management #1"),
    organization_kinds=CLINIC,
    capabilities={SCHEDULES, EDIT_SCHEDULES, MANAGE_ALL, GIVE, BOOK, VIEW_ALL},
    description=_("Manages all schedules and all appointments."),
)
register_role(
    "appointments.management_2",
    label=_("Management #2"),
    organization_kinds=CLINIC,
    capabilities={SCHEDULES, GIVE, BOOK, VIEW_ALL},
    description=_("Gives appointments."),
)
register_role(
    "appointments.management_3",
    label=_("Management #3"),
    organization_kinds=CLINIC,
    capabilities={SCHEDULES, EDIT_SCHEDULES, MANAGE_OWN, BOOK, VIEW_OWN},
    description=_("Manages only their own schedules and appointments."),
)
register_role(
    "appointments.consultation_1",
    label=_("Consultation #1"),
    organization_kinds=CLINIC,
    capabilities={SCHEDULES, VIEW_ALL},
    description=_("Views the schedules and the appointments."),
)
register_role(
    DEFAULT_ROLE,
    label=_("Consultation #2"),
    organization_kinds=CLINIC,
    capabilities={SCHEDULES, VIEW_OWN},
    description=_("Views only their own schedules and appointments."),
)

ROLE_CODES = [
    PILOT,
    "appointments.management_1",
    "appointments.management_2",
    "appointments.management_3",
    "appointments.consultation_1",
    DEFAULT_ROLE,
]


# Tile count (issue 18): today's appointments whose person's status is still to mark (present,
# absent…), the follow-up's daily work; one COUNT, scoped like the follow-up list.
def _to_mark_today_count(user):
    from django.utils import timezone

    from appointments import selectors
    from appointments.models import AppointmentStatus, Attendance

    start, end = selectors.day_bounds(timezone.localdate())
    return (
        selectors.appointments_for(user)
        .filter(starts_at__gte=start, starts_at__lt=end, attendance=Attendance.UNDEFINED)
        .exclude(status=AppointmentStatus.CANCELLED)
        .count()
    )


register_tile(
    "appointments.configuration",
    title=_("Configuration"),
    description=_("Services, locations, resources, access accounts, communications and the public page."),
    url_name="appointments:checklist",
    capability=CONFIGURE,
    order=10,
)
register_tile(
    "appointments.follow_up",
    title=_("Follow-up"),
    description=_("All appointments by day, week or month: search, mark present or absent, export."),
    url_name="appointments:follow_up",
    capability=SCHEDULES,
    order=11,
    count=_to_mark_today_count,
)
register_tile(
    "appointments.statistics",
    title=_("Statistics"),
    description=_("Bookings, cancellations, attendance and absences by day, service and location."),
    url_name="appointments:statistics",
    capability=STATISTICS,
    order=11,
)
register_tile(
    "appointments.schedules",
    title=_("Schedules"),
    description=_("Day, week and month views of the slots; create, clone and lock them."),
    url_name="appointments:calendar",
    capability=SCHEDULES,
    order=10,
)
