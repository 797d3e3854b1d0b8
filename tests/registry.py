"""What the cross-app suites walk: object URLs for the permission matrix, pages for accessibility.

Each app adds its entries when it adds a page, in its own section here or in its own
`<app>/tests/registry.py` listed in APP_REGISTRIES below (the same four lists, collected at the end):
- `ObjectURL`: a URL of one record, the capability it needs and the kind of organization that
  owns such records. `make(organization)` creates a record owned by that organization and
  returns its URL. The matrix signs in as every role of organization A and asks for B's record.
- `Page`: a page for the accessibility suite (axe, French and English) opened by a demo account
  (`account=None`: signed out). `path(world)` returns its path; `world` is the demo data.
"""

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from django.urls import reverse


@dataclass(frozen=True)
class ObjectURL:
    name: str
    capability: str
    organization_kinds: tuple
    make: Callable


@dataclass(frozen=True)
class Page:
    name: str
    path: Callable
    account: str | None = None
    # "verified": signed in and past the second factor; "password": signed in, second factor
    # still to pass; "new": signed in, no authenticator yet.
    state: str = "verified"
    status: int = 200
    debug: bool = False  # pages that exist in debug mode only
    role: str | None = None  # the active role, for accounts with several
    # Personal criteria typed into the page's search form before it is checked: they go by POST
    # into the session, never into the address (portal.search), so they are not in `path`.
    search: dict | None = None


ALL_KINDS = (
    "department",
    "provider_agency",
    "employment_agency",
    "health_establishment",
    "interpreter_bank",
    "clinic_network",
)

# portal ------------------------------------------------------------------------------------

OBJECT_URLS = [
    ObjectURL(
        name="portal:organization_detail",
        capability="portal.view_members",
        organization_kinds=ALL_KINDS,
        make=lambda organization: reverse("portal:organization_detail", args=[organization.pk]),
    ),
]

# Capability-gated pages without an object, for the 403 half of the matrix: (url name, args, capability).
CAPABILITY_PAGES = [
    ("portal:my_organization", (), "portal.view_members"),
    ("portal:audit_log", (), "portal.view_audit"),
]

WORKER = "worker@demo.liaison.ca"
ADMIN = "admin@demo.liaison.ca"
NEWCOMER = "newcomer@demo.liaison.ca"

PAGES = [
    Page("sign-in", lambda world: reverse("account_login"), account=None),
    Page("password-reset", lambda world: reverse("account_reset_password"), account=None),
    Page("password-reset-done", lambda world: reverse("account_reset_password_done"), account=None),
    Page(
        "password-reset-bad-link",
        lambda world: reverse("account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "bad-key"}),
        account=None,
    ),
    Page(
        "password-reset-changed", lambda world: reverse("account_reset_password_from_key_done"), account=None
    ),
    Page("no-sign-up", lambda world: reverse("account_signup"), account=None),
    Page("not-found", lambda world: "/no-such-page/", account=None, status=404),
    Page("second-factor", lambda world: reverse("portal:mfa_verify"), account=WORKER, state="password"),
    Page("enrolment", lambda world: reverse("portal:mfa_setup"), account=NEWCOMER, state="new"),
    Page("home", lambda world: reverse("portal:home"), account=WORKER),
    Page("profile", lambda world: reverse("portal:profile"), account=WORKER),
    Page("tasks", lambda world: reverse("portal:task_list"), account=WORKER),
    Page("notifications", lambda world: reverse("portal:notification_list"), account=WORKER),
    Page("backup-codes", lambda world: reverse("portal:backup_codes"), account=WORKER),
    Page("password-change", lambda world: reverse("account_change_password"), account=WORKER),
    Page("sign-out", lambda world: reverse("account_logout"), account=WORKER),
    Page("access-denied", lambda world: reverse("portal:my_organization"), account=WORKER, status=403),
    Page(
        "organization",
        lambda world: reverse("portal:organization_detail", args=[world["organizations"]["department"].pk]),
        account=ADMIN,
    ),
    Page("outbox", lambda world: reverse("portal:outbox"), account=ADMIN, debug=True),
    Page("audit-log", lambda world: reverse("portal:audit_log"), account=ADMIN),
    Page(
        "audit-log-filtered",
        lambda world: reverse("portal:audit_log") + "?action=3&date_from=2000-01-01&date_to=not-a-date",
        account=ADMIN,
    ),
]


# appointments ------------------------------------------------------------------------------------

CLINIC = ("clinic_network",)


def _clinic_setup(organization):
    """A location, a 15-minute service and a team associated with both, in this clinic network."""
    from appointments.models import Location, Service, TeamResource

    service = Service.objects.create(
        organization=organization, name_fr="1re dose", name_en="First dose", duration_minutes=15
    )
    location = Location.objects.create(
        organization=organization,
        name_fr="Lieu",
        name_en="Location",
        address="1 rue Main",
        city="Moncton",
        postal_code="E1C 8K6",
        latitude=46.08,
        longitude=-64.79,
    )
    team = TeamResource.objects.create(organization=organization, name="Équipe")
    team.locations.set([location])
    team.services.set([service])
    return service, location, team


def _clinic_slot(organization):
    """A slot tomorrow, of a team every member of the organization belongs to (so that the
    "own schedules only" roles see it too)."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from appointments.schedules import services
    from portal.models import User

    service, location, team = _clinic_setup(organization)
    team.members.set(User.objects.filter(memberships__organization=organization))
    day = timezone.localdate() + timedelta(days=1)
    tz = timezone.get_current_timezone()
    return services.create_slot(
        actor=None,
        organization=organization,
        location=location,
        resource=team,
        services=[service],
        starts_at=timezone.make_aware(datetime.combine(day, time(9, 0)), tz),
        ends_at=timezone.make_aware(datetime.combine(day, time(10, 0)), tz),
        per_interval=2,
        is_locked=False,
    )


def _clinic_membership(organization):
    from tests.factories import MembershipFactory

    return MembershipFactory(organization=organization, role="appointments.management_2")


OBJECT_URLS += [
    ObjectURL(
        "appointments:service_edit",
        "appointments.configure",
        CLINIC,
        lambda org: reverse("appointments:service_edit", args=[_clinic_setup(org)[0].pk]),
    ),
    ObjectURL(
        "appointments:location_edit",
        "appointments.configure",
        CLINIC,
        lambda org: reverse("appointments:location_edit", args=[_clinic_setup(org)[1].pk]),
    ),
    ObjectURL(
        "appointments:resource_edit",
        "appointments.configure",
        CLINIC,
        lambda org: reverse("appointments:resource_edit", args=[_clinic_setup(org)[2].pk]),
    ),
    ObjectURL(
        "appointments:resource_associations",
        "appointments.configure",
        CLINIC,
        lambda org: reverse("appointments:resource_associations", args=[_clinic_setup(org)[2].pk]),
    ),
    ObjectURL(
        "appointments:account_edit",
        "appointments.configure",
        CLINIC,
        lambda org: reverse("appointments:account_edit", args=[_clinic_membership(org).user_id]),
    ),
    ObjectURL(
        "appointments:account_roles",
        "appointments.configure",
        CLINIC,
        lambda org: reverse("appointments:account_roles", args=[_clinic_membership(org).user_id]),
    ),
    ObjectURL(
        "appointments:role_create",
        "appointments.configure",
        CLINIC,
        lambda org: reverse("appointments:role_create", args=[_clinic_membership(org).user_id]),
    ),
    ObjectURL(
        "appointments:role_edit",
        "appointments.configure",
        CLINIC,
        lambda org: reverse("appointments:role_edit", args=[_clinic_membership(org).pk]),
    ),
    ObjectURL(
        "appointments:slot",
        "appointments.schedules",
        CLINIC,
        lambda org: reverse("appointments:slot", args=[_clinic_slot(org).pk]),
    ),
]

CAPABILITY_PAGES += [
    (f"appointments:{name}", (), "appointments.configure")
    for name in (
        "checklist",
        "service_list",
        "service_create",
        "location_list",
        "location_create",
        "resource_list",
        "resource_create",
        "account_create",
        "communications",
        "public_page_settings",
        "public_page_preview",
    )
] + [
    ("appointments:calendar", (), "appointments.schedules"),
    ("appointments:slot_create", (), "appointments.edit_schedules"),
    ("appointments:clone", (), "appointments.edit_schedules"),
]

PILOT = "pilot@demo.liaison.ca"
SCHEDULER = "scheduler@demo.liaison.ca"


def _demo_clinic():
    from portal.models import Organization

    return Organization.objects.filter(kind="clinic_network").order_by("pk").first()


def _demo_first(model, **filters):
    return model.objects.filter(**filters).order_by("pk").first().pk


def _demo_service():
    from appointments.models import Service

    return _demo_first(Service)


def _demo_location():
    from appointments.models import Location

    return _demo_first(Location)


def _demo_team():
    from appointments.models import TeamResource

    return _demo_first(TeamResource)


def _demo_scheduler_membership():
    from portal.models import Membership

    return _demo_first(Membership, user__email=SCHEDULER, role="appointments.management_2")


def _demo_slot():
    from django.utils import timezone

    from appointments.models import Slot

    return _demo_first(Slot, starts_at__gte=timezone.now())


def _config_page(name, url, **kwargs):
    return Page(name, url, account=PILOT, role="appointments.pilot", **kwargs)


def _schedule_page(name, url, **kwargs):
    return Page(name, url, account=PILOT, role="appointments.management_1", **kwargs)


PAGES += [
    _config_page("appointments-checklist", lambda w: reverse("appointments:checklist")),
    _config_page("appointments-services", lambda w: reverse("appointments:service_list")),
    _config_page("appointments-service-new", lambda w: reverse("appointments:service_create")),
    _config_page(
        "appointments-service", lambda w: reverse("appointments:service_edit", args=[_demo_service()])
    ),
    _config_page("appointments-locations", lambda w: reverse("appointments:location_list")),
    _config_page(
        "appointments-location", lambda w: reverse("appointments:location_edit", args=[_demo_location()])
    ),
    _config_page("appointments-resources", lambda w: reverse("appointments:resource_list")),
    _config_page("appointments-team", lambda w: reverse("appointments:resource_edit", args=[_demo_team()])),
    _config_page(
        "appointments-associations",
        lambda w: reverse("appointments:resource_associations", args=[_demo_team()]),
    ),
    _config_page("appointments-account-new", lambda w: reverse("appointments:account_create")),
    _config_page(
        "appointments-account",
        lambda w: reverse("appointments:account_edit", args=[w["users"][SCHEDULER].pk]),
    ),
    _config_page(
        "appointments-account-roles",
        lambda w: reverse("appointments:account_roles", args=[w["users"][SCHEDULER].pk]),
    ),
    _config_page(
        "appointments-role", lambda w: reverse("appointments:role_edit", args=[_demo_scheduler_membership()])
    ),
    _config_page("appointments-communications", lambda w: reverse("appointments:communications")),
    _config_page("appointments-public-settings", lambda w: reverse("appointments:public_page_settings")),
    _config_page(
        "appointments-public-preview", lambda w: reverse("appointments:public_page_preview") + "?state=closed"
    ),
    Page(
        "appointments-public",
        lambda w: reverse("appointments:public_page", args=[_demo_clinic().pk]),
        account=None,
    ),
    _schedule_page("appointments-week", lambda w: reverse("appointments:calendar")),
    _schedule_page("appointments-day", lambda w: reverse("appointments:calendar") + "?view=day&grid=15"),
    _schedule_page("appointments-month", lambda w: reverse("appointments:calendar") + "?view=month"),
    _schedule_page("appointments-list", lambda w: reverse("appointments:calendar") + "?display=list"),
    _schedule_page("appointments-slot-new", lambda w: reverse("appointments:slot_create")),
    _schedule_page("appointments-slot", lambda w: reverse("appointments:slot", args=[_demo_slot()])),
    _schedule_page("appointments-clone", lambda w: reverse("appointments:clone")),
    Page(
        "appointments-week-own",
        lambda w: reverse("appointments:calendar"),
        account=SCHEDULER,
        role="appointments.management_3",
    ),
]


def _clinic_appointment(organization):
    """An appointment tomorrow in a slot of a team every member of the organization belongs to."""
    from appointments.booking import services

    slot = _clinic_slot(organization)
    return services.book_place(
        actor=None,
        slot=slot,
        service=slot.services.first(),
        starts_at=slot.starts_at,
        first_name="Anne",
        last_name="Roy",
    )


OBJECT_URLS += [
    ObjectURL(
        "appointments:appointment",
        "appointments.schedules",
        CLINIC,
        lambda org: reverse("appointments:appointment", args=[_clinic_appointment(org).pk]),
    ),
    ObjectURL(
        "appointments:appointment_edit",
        "appointments.book",
        CLINIC,
        lambda org: reverse("appointments:appointment_edit", args=[_clinic_appointment(org).pk]),
    ),
]

CAPABILITY_PAGES += [
    ("appointments:follow_up", (), "appointments.schedules"),
    ("appointments:book", (), "appointments.book"),
    ("appointments:statistics", (), "appointments.statistics"),
]


def _demo_appointment():
    from django.utils import timezone

    from appointments.models import Appointment

    return Appointment.objects.filter(starts_at__gte=timezone.now(), status="booked").order_by("pk").first()


def _demo_flu_times(world):
    """The public details step of the demo flu vaccine (no eligibility question), for its first open time."""
    from django.utils import timezone

    from appointments import selectors
    from appointments.booking.forms import time_value
    from appointments.models import Location, Service, Slot

    clinic = _demo_clinic()
    service = Service.objects.get(organization=clinic, name_en="Flu vaccine")
    location = Location.objects.filter(organization=clinic).order_by("position").first()
    slot, moment, _left = selectors.open_times(
        Slot.objects.filter(organization=clinic, location=location, is_locked=False),
        service=service,
        online=True,
        now=timezone.now(),
    )[0]
    return clinic, service, location, time_value(slot, moment), timezone.localtime(moment).date()


def _demo_flu_step(world, name):
    clinic, service, location, value, day = _demo_flu_times(world)
    url = reverse(f"appointments:{name}", args=[clinic.pk, service.pk, location.pk])
    return url + (f"?date={day.isoformat()}" if name == "public_times" else f"?time={value}")


def _demo_public(name, build):
    return Page(name, build, account=None)


PAGES += [
    _demo_public(
        "appointments-public-search",
        lambda w: (
            reverse("appointments:public_search", args=[_demo_clinic().pk])
            + f"?service={_demo_service()}&postal_code=E1C+9Z9"
        ),
    ),
    _demo_public(
        "appointments-public-eligibility",
        lambda w: reverse(
            "appointments:public_eligibility", args=[_demo_clinic().pk, _demo_service(), _demo_location()]
        ),
    ),
    _demo_public("appointments-public-times", lambda w: _demo_flu_step(w, "public_times")),
    _demo_public("appointments-public-details", lambda w: _demo_flu_step(w, "public_details")),
    _demo_public(
        "appointments-public-cancel",
        lambda w: reverse("appointments:public_cancel", args=[_demo_clinic().pk]),
    ),
    _demo_public(
        "appointments-manage", lambda w: reverse("appointments:manage", args=[_demo_appointment().token])
    ),
    _schedule_page("appointments-follow-up", lambda w: reverse("appointments:follow_up") + "?period=week"),
    _schedule_page(
        "appointments-follow-up-both",
        lambda w: reverse("appointments:follow_up") + "?period=day&view_type=both",
    ),
    _schedule_page(
        "appointments-follow-up-print", lambda w: reverse("appointments:follow_up") + "?print=1&period=week"
    ),
    _schedule_page(
        "appointments-book",
        lambda w: (
            reverse("appointments:book")
            + f"?service={_demo_service()}&location={_demo_location()}&date={_demo_appointment().starts_at.date()}"
        ),
    ),
    _schedule_page(
        "appointments-appointment",
        lambda w: reverse("appointments:appointment", args=[_demo_appointment().pk]),
    ),
    _schedule_page(
        "appointments-appointment-edit",
        lambda w: reverse("appointments:appointment_edit", args=[_demo_appointment().pk]),
    ),
    _config_page("appointments-statistics", lambda w: reverse("appointments:statistics")),
]


# Searches by personal details (portal.search) -------------------------------------------------
#
# Every list whose search form has personal fields. tests/test_personal_search.py signs in as
# `account` (in `role`), types the criteria that `probe(user)` chose from the demo data, and checks
# that they never reach an address while the results are the filtered ones. `probe(user)` returns
# (criteria typed, shareable query string of the list, text shown for a matching record, text shown
# for a record that must not match, or None when the demo data has no such record).


@dataclass(frozen=True)
class PersonalSearch:
    name: str  # the list's URL name (also the key of its criteria in the session)
    account: str
    probe: Callable
    role: str | None = None


def _fold(text):
    from portal.db import fold

    return fold(text or "")


def _pick(records, names, shown):
    """A record to find by its first name in `names(record)`, and one whose names don't match it."""
    records = [record for record in records if names(record)[0]]
    for found in records:
        typed = names(found)[0]
        others = [
            other
            for other in records
            if not any(_fold(typed) in _fold(name) for name in names(other))
            and shown(other) != shown(found)
        ]
        return typed, shown(found), (shown(others[0]) if others else None)
    raise AssertionError("the demo data has no record to search for")


def _probe_follow_up(user):
    from django.utils import timezone

    from appointments import selectors
    from appointments.models import AppointmentStatus

    appointments = list(
        selectors.appointments_for(user).exclude(status=AppointmentStatus.CANCELLED).order_by("starts_at")[:200]
    )
    for found in appointments:
        day = timezone.localtime(found.starts_at).date()
        same_day = [a for a in appointments if timezone.localtime(a.starts_at).date() == day]
        typed, number, other = _pick(
            [found] + [a for a in same_day if a != found],
            lambda appointment: (appointment.last_name, appointment.first_name),
            lambda appointment: appointment.number,
        )
        if other is not None:
            break
    return {"last_name": typed}, f"period=day&date={day.isoformat()}", number, other


PERSONAL_SEARCHES = [
    PersonalSearch("appointments:follow_up", PILOT, _probe_follow_up, role="appointments.management_1"),
]


# Apps that keep their entries next to their code -----------------------------------------------
#
# Each module defines OBJECT_URLS, CAPABILITY_PAGES, PAGES and PERSONAL_SEARCHES of its own (it may
# import the shapes and helpers above: this module is complete by the time it is imported here).

APP_REGISTRIES = ("referrals.tests.registry", "orders.tests.registry", "interpreters.tests.registry")

for _module in map(import_module, APP_REGISTRIES):
    OBJECT_URLS += _module.OBJECT_URLS
    CAPABILITY_PAGES += _module.CAPABILITY_PAGES
    PAGES += _module.PAGES
    PERSONAL_SEARCHES += _module.PERSONAL_SEARCHES
