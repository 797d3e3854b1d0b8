"""The appointment application's entries in the cross-app suites, kept next to its code.

tests/registry.py collects them (APP_REGISTRIES): object URLs for the permission matrix, pages
without an object for its 403 half, pages for the accessibility suite and lists searched by
personal details. The entries' shapes (ObjectURL, Page, PersonalSearch) are documented there.
Reach these entries through tests.registry (importing this module first is a circular import).
"""

from django.urls import reverse

from tests.registry import PILOT, SCHEDULER, ObjectURL, Page, PersonalSearch, _pick

OBJECT_URLS: list[ObjectURL] = []
CAPABILITY_PAGES: list[tuple] = []
PAGES: list[Page] = []


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
        "waiting_room_settings",
        "waiting_room_preview",
        "waitlist",
    )
] + [
    ("appointments:calendar", (), "appointments.schedules"),
    ("appointments:slot_create", (), "appointments.edit_schedules"),
    ("appointments:clone", (), "appointments.edit_schedules"),
]


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
    _config_page("appointments-waiting-room", lambda w: reverse("appointments:waiting_room_settings")),
    # The page a visitor in line sees (the same template as the real line, less its refresh).
    _config_page("appointments-waiting-room-line", lambda w: reverse("appointments:waiting_room_preview")),
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


def _demo_first_dose():
    """A demo first dose (its service has the interval), its second-dose service and first open day."""
    from appointments.booking import services
    from appointments.models import Appointment, Dose, Slot

    first = (
        Appointment.objects.filter(organization=_demo_clinic(), service__dose=Dose.FIRST, status="booked")
        .select_related("service", "slot")
        .order_by("pk")
        .first()
    )
    second = services.second_dose_service(first.service)
    slot = (
        Slot.objects.filter(
            services=second, starts_at__gte=services.second_dose_earliest(first), is_locked=False
        )
        .order_by("starts_at")
        .first()
    )
    return first, second, slot


def _demo_second_dose(world):
    """Issue 20: the public second-dose page of a demo first dose, its first open day's times."""
    from django.utils import timezone

    from appointments.booking import services

    first, _second, slot = _demo_first_dose()
    url = reverse(
        "appointments:public_second_dose_at",
        args=[first.organization_id, services.second_dose_token(first), slot.location_id],
    )
    return url + f"?date={timezone.localtime(slot.starts_at).date().isoformat()}"


def _demo_second_dose_booking(world):
    """Issue 20: staff booking of a demo first dose's second dose (its notice and times)."""
    from django.utils import timezone

    first, second, slot = _demo_first_dose()
    day = timezone.localtime(slot.starts_at).date().isoformat()
    return (
        reverse("appointments:book")
        + f"?from={first.pk}&service={second.pk}&location={slot.location_id}&date={day}"
    )


def _demo_booked_pair():
    """Issue 20: a demo first dose whose second dose is booked (made once, for a person of its own,
    so the other pages' first dose keeps its open second dose)."""
    from datetime import date

    from appointments.booking import services
    from appointments.models import Appointment, Dose, Slot
    from portal.workflow import ActionError

    booked = Appointment.objects.filter(
        organization=_demo_clinic(), last_name="Paire", service__dose=Dose.SECOND, status="booked"
    ).first()
    first = Appointment.objects.filter(
        organization=_demo_clinic(), last_name="Paire", service__dose=Dose.FIRST, status="booked"
    ).first()
    if booked is not None and first is not None:
        return first, booked
    demo_first, second, second_slot = _demo_first_dose()
    person = {
        "first_name": "Lina",
        "last_name": "Paire",
        "date_of_birth": date(1990, 6, 15),
        "email": "lina.paire@example.com",
    }

    def book(slots, service, **values):
        for slot in slots:
            for moment in slot.interval_starts():
                try:
                    return services.book_place(
                        actor=None, slot=slot, service=service, starts_at=moment, **person, **values
                    )
                except ActionError:
                    continue
        raise AssertionError("no open place in the demo data for the pair")

    first = book(
        Slot.objects.filter(
            services=demo_first.service, starts_at__gte=demo_first.starts_at, is_locked=False
        ).order_by("starts_at"),
        demo_first.service,
    )
    later = Slot.objects.filter(
        services=second, starts_at__gte=services.second_dose_earliest(first), is_locked=False
    ).order_by("starts_at")
    booked = book(later, second, first_dose_id=first.pk)
    return first, booked


def _demo_second_dose_booked(world):
    from appointments.booking import services

    first, _booked = _demo_booked_pair()
    return reverse(
        "appointments:public_second_dose", args=[first.organization_id, services.second_dose_token(first)]
    )


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


def _demo_waitlist_leave():
    """Issue 20: the leave page of a demo person on the demo service's waitlist."""
    from appointments.models import Service
    from appointments.waitlist import services

    entry, _created = services.sign_up(
        service=Service.objects.get(pk=_demo_service()), email="waitlist@example.com", area="E1C"
    )
    return reverse(
        "appointments:public_waitlist_leave", args=[entry.organization_id, services.leave_token(entry)]
    )


def _follow_up_week():
    """The follow-up's week of the demo's first booked appointment: the demo books the first places
    still to come, so late on a Friday or at a weekend they fall in the next week, and the current
    week would list nobody."""
    from django.utils import timezone

    from appointments.models import Appointment

    first = Appointment.objects.scoped("the registry's demo pages").order_by("starts_at").first()
    day = timezone.localdate(first.starts_at) if first is not None else timezone.localdate()
    return reverse("appointments:follow_up") + f"?period=week&date={day.isoformat()}"


def _demo_waitlist_offer():
    """Issue 20: the offer page of a demo person offered a free place of the demo service."""
    from appointments.models import Service, WaitlistEntry, WaitlistStatus
    from appointments.waitlist import offers, services

    service = Service.objects.get(pk=_demo_service())
    services.sign_up(service=service, email="offer@example.com", area="E1C")
    offers.offer_places()
    entry = (
        WaitlistEntry.objects.filter(service=service, status=WaitlistStatus.OFFERED).order_by("pk").first()
    )
    return reverse(
        "appointments:public_waitlist_offer", args=[entry.organization_id, offers.offer_token(entry)]
    )


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
    _demo_public(
        "appointments-manage-cancel",
        lambda w: reverse("appointments:manage", args=[_demo_appointment().token]) + "?cancel=1",
    ),
    _demo_public(
        "appointments-manage-change",
        lambda w: reverse("appointments:manage_change", args=[_demo_appointment().token]),
    ),
    _demo_public("appointments-public-second-dose", _demo_second_dose),
    _demo_public("appointments-public-second-dose-booked", _demo_second_dose_booked),
    _demo_public(
        "appointments-public-terms", lambda w: reverse("appointments:public_terms", args=[_demo_clinic().pk])
    ),
    _demo_public(
        "appointments-public-privacy",
        lambda w: reverse("appointments:public_privacy", args=[_demo_clinic().pk]),
    ),
    # Issue 20, the waitlist: sign-up, its confirmation, leaving by the link; the staff's list.
    _demo_public(
        "appointments-public-waitlist",
        lambda w: (
            reverse("appointments:public_waitlist", args=[_demo_clinic().pk, _demo_service()])
            + "?postal_code=E1C+4M2"
        ),
    ),
    _demo_public(
        "appointments-public-waitlist-done",
        lambda w: reverse("appointments:public_waitlist_done", args=[_demo_clinic().pk, _demo_service()]),
    ),
    _demo_public("appointments-public-waitlist-leave", lambda w: _demo_waitlist_leave()),
    _demo_public("appointments-public-waitlist-offer", lambda w: _demo_waitlist_offer()),
    _config_page("appointments-waitlist", lambda w: reverse("appointments:waitlist")),
    _schedule_page("appointments-follow-up", lambda w: _follow_up_week()),
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
    _schedule_page("appointments-book-second-dose", _demo_second_dose_booking),
    _schedule_page(
        "appointments-book-second-dose-booked",
        lambda w: reverse("appointments:book") + f"?from={_demo_booked_pair()[0].pk}&second_dose=1",
    ),
    _schedule_page(
        "appointments-appointment-second-dose-booked",
        lambda w: reverse("appointments:appointment", args=[_demo_booked_pair()[0].pk]),
    ),
    _schedule_page(
        "appointments-appointment",
        lambda w: reverse("appointments:appointment", args=[_demo_appointment().pk]),
    ),
    _schedule_page(
        "appointments-coupon-print",
        lambda w: reverse("appointments:appointment", args=[_demo_appointment().pk]) + "?print=coupon",
    ),
    _schedule_page(
        "appointments-appointment-edit",
        lambda w: reverse("appointments:appointment_edit", args=[_demo_appointment().pk]),
    ),
    _config_page("appointments-statistics", lambda w: reverse("appointments:statistics")),
]


def _probe_follow_up(user):
    from django.utils import timezone

    from appointments import selectors
    from appointments.models import AppointmentStatus

    appointments = list(
        selectors.appointments_for(user)
        .exclude(status=AppointmentStatus.CANCELLED)
        .order_by("starts_at")[:200]
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
