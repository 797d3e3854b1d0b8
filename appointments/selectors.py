"""Reads that depend on who asks: scoped to the active clinic network, its locations and teams.

A membership may narrow its role to some locations (`scope = {"locations": [ids]}`); Management #3
and Consultation #2 see only the teams they belong to. Anything outside answers 404.
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from appointments import roles

# The public pages' cached reads, and the invalidation to call where places or their configuration
# change: forget_availability(location_id=..., days=[...]) and forget_public_configuration(org id).
from appointments.availability import (  # noqa: F401  (re-exported: the app's reads live here)
    NO_TIMES,
    Availability,
    OpenTime,
    PublicSite,
    Summary,
    Times,
    availability,
    bookable,
    forget_availability,
    forget_public_configuration,
    has_bookable,
    public_questions,
    public_site,
)
from appointments.models import (
    HOLDING_STATUSES,
    Appointment,
    AppointmentStatus,
    Attendance,
    ClinicSettings,
    CommunicationRule,
    Location,
    Service,
    Slot,
    TeamResource,
)
from portal import dates
from portal.db import folded_q, order_by_name
from portal.models import Membership, Organization, User
from portal.permissions import has_capability
from portal.selectors import Person, active_membership, active_organization


def _organization_id(user: Person) -> int | None:
    organization = active_organization(user)
    return organization.pk if organization else None


def location_scope(user: Person) -> list[int] | None:
    """The location ids the active role is limited to, or None for all the application's locations."""
    membership = active_membership(user)
    if membership is None:
        return None
    ids = (membership.scope or {}).get("locations")
    if not ids:
        return None
    return [value for value in ids if isinstance(value, int)]


def sees_all_teams(user: Person) -> bool:
    return has_capability(user, roles.MANAGE_ALL) or has_capability(user, roles.VIEW_ALL)


# Configuration (Pilot) ------------------------------------------------------------------------


def clinic_settings(organization: Organization) -> ClinicSettings:
    """The application's settings, or unsaved defaults (services.save_* create the row)."""
    return ClinicSettings.objects.for_organization(organization).first() or ClinicSettings(
        organization=organization
    )


def services_for(user: Person) -> QuerySet[Service]:
    return Service.objects.for_organization(_organization_id(user))


def get_service(user: Person, pk: int) -> Service:
    return get_object_or_404(services_for(user).prefetch_related("questions"), pk=pk)


def locations_for(user: Person) -> QuerySet[Location]:
    queryset = Location.objects.for_organization(_organization_id(user))
    scope = location_scope(user)
    return queryset if scope is None else queryset.filter(pk__in=scope)


def get_location(user: Person, pk: int) -> Location:
    return get_object_or_404(locations_for(user), pk=pk)


def resources_for(user: Person) -> QuerySet[TeamResource]:
    queryset = TeamResource.objects.for_organization(_organization_id(user))
    if not sees_all_teams(user) and not has_capability(user, roles.CONFIGURE):
        queryset = queryset.filter(members=user)
    return queryset


def get_resource(user: Person, pk: int) -> TeamResource:
    return get_object_or_404(resources_for(user), pk=pk)


def resources_with_associations(user: Person) -> QuerySet[TeamResource]:
    return resources_for(user).prefetch_related("locations", "services", "members")


def access_accounts(organization: Organization | int | None) -> QuerySet[User]:
    """The people with a role in the application, each with their memberships there (one query each)."""
    # The scheduler's roles only: other roles in the organization are not the pilot's to manage.
    memberships = (
        Membership.objects.for_organization(organization)
        .filter(role__in=roles.ROLE_CODES)
        .order_by("valid_from", "pk")
    )
    accounts = User.objects.filter(pk__in=memberships.values("user_id")).prefetch_related(
        Prefetch("memberships", queryset=memberships, to_attr="clinic_memberships")
    )
    return order_by_name(accounts, "last_name", "first_name", then=("email",))


def get_access_account(user: Person, pk: int) -> User:
    organization = active_organization(user)
    return get_object_or_404(access_accounts(organization), pk=pk)


def get_account_membership(user: Person, pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.for_organization(_organization_id(user))
        .filter(role__in=roles.ROLE_CODES)
        .select_related("user"),
        pk=pk,
    )


def communication_rules(organization: Organization) -> dict[str, CommunicationRule]:
    return {rule.kind: rule for rule in CommunicationRule.objects.for_organization(organization)}


# Schedules ------------------------------------------------------------------------------------


def _seen_by(queryset: QuerySet[Any], user: Person, *, slot: str = "") -> QuerySet[Any]:
    """What the active role may see of `queryset` (its application's): its locations, and its teams
    when limited. `slot` is the path from the rows to their slot ("" for slots)."""
    scope = location_scope(user)
    if scope is not None:
        queryset = queryset.filter(**{f"{slot}location_id__in": scope})
    if not sees_all_teams(user):
        queryset = queryset.filter(**{f"{slot}resource__members": user})
    return queryset


def _booked() -> Count:
    """The places a slot holds: its booked and confirmed appointments."""
    return Count("appointments", filter=Q(appointments__status__in=HOLDING_STATUSES))


def slots_for(user: Person) -> QuerySet[Slot]:
    """The slots the active role may see: its application, its locations, and its teams when limited."""
    return _seen_by(Slot.objects.for_organization(_organization_id(user)), user)


def editable_slots_for(user: Person) -> QuerySet[Slot]:
    if not has_capability(user, roles.EDIT_SCHEDULES):
        return Slot.objects.none()
    return slots_for(user)


def with_booked(queryset: QuerySet[Slot]) -> QuerySet[Slot]:
    """Each slot with `booked` (places held) and its services, in a constant number of queries."""
    return (
        queryset.select_related("resource", "location")
        .prefetch_related("services")
        .annotate(booked=_booked())
    )


def get_slot(user: Person, pk: int) -> Slot:
    return get_object_or_404(with_booked(slots_for(user)), pk=pk)


def get_editable_slot(user: Person, pk: int) -> Slot:
    return get_object_or_404(with_booked(editable_slots_for(user)), pk=pk)


def calendar_slots(
    user: Person,
    *,
    location_ids: Iterable[int],
    start: datetime,
    end: datetime,
    service_ids: Iterable[int] = (),
    resource_ids: Iterable[int] = (),
) -> list[Any]:
    """The slots of a period as a list, each with `booked` and `service_list`, in three queries.

    A week may hold thousands of slots: their services come from one query of the link table
    and a dict, not from prefetch_related (which builds a manager per slot).
    """
    queryset = slots_for(user).filter(starts_at__lt=end, ends_at__gt=start, location_id__in=location_ids)
    if service_ids:
        # A subquery, not a join: a join would multiply the booked count by the matching services.
        queryset = queryset.filter(
            pk__in=Slot.services.through.objects.filter(service_id__in=service_ids).values("slot_id")
        )
    if resource_ids:
        queryset = queryset.filter(resource_id__in=resource_ids)
    # Slots that carry their services as `service_list` (one query for all of them).
    slots: list[Any] = list(
        queryset.select_related("resource")
        .annotate(booked=_booked())
        .order_by("starts_at", "resource__position", "resource__name", "pk")
    )
    services = {service.pk: service for service in Service.objects.for_organization(_organization_id(user))}
    links: dict[int, list[Service]] = {}
    for slot_id, service_id in Slot.services.through.objects.filter(
        slot__in=queryset.values("pk")
    ).values_list("slot_id", "service_id"):
        links.setdefault(slot_id, []).append(services[service_id])
    for slot in slots:
        slot.service_list = links.get(slot.pk, [])
    return slots


# Appointments ----------------------------------------------------------------------------------


def appointments_for(user: Person) -> QuerySet[Appointment]:
    """The appointments the active role may see: its application, locations and (if limited) teams."""
    return _seen_by(Appointment.objects.for_organization(_organization_id(user)), user, slot="slot__")


def bookable_appointments_for(user: Person) -> QuerySet[Appointment]:
    if not has_capability(user, roles.BOOK):
        return Appointment.objects.none()
    return appointments_for(user)


def get_appointment(user: Person, pk: int) -> Appointment:
    return get_object_or_404(
        appointments_for(user).select_related("slot__location", "slot__resource", "service"), pk=pk
    )


def bookable_slots_for(user: Person) -> QuerySet[Slot]:
    """Slots the person may book in: Management #1 and #2 all (of their locations), #3 its teams'."""
    if not has_capability(user, roles.BOOK):
        return Slot.objects.none()
    return slots_for(user)


def open_times(
    slots: QuerySet[Slot], *, service: Service, online: bool, now: datetime, last_day: date | None = None
) -> list[Any]:
    """[(slot, time, places left)] of these slots for a service, in two queries (never a past time)."""
    slots = slots.filter(services=service, ends_at__gt=now)
    if online:
        slots = slots.filter(is_locked=False)
    if last_day is not None:
        slots = slots.filter(starts_at__lt=day_bounds(last_day)[1])
    taken: dict[tuple[int, datetime], int] = {}
    for slot_id, moment in (
        Appointment.objects.scoped("in slots the caller scoped")
        .filter(slot__in=slots.values("pk"), status__in=HOLDING_STATUSES, starts_at__gt=now)
        .values_list("slot_id", "starts_at")
    ):
        taken[(slot_id, moment)] = taken.get((slot_id, moment), 0) + 1
    slots = slots.select_related("resource", "location").order_by("starts_at", "resource__position", "pk")
    times = []
    for slot in slots:
        for moment in slot.interval_starts():
            if moment <= now:
                continue
            if last_day is not None and timezone.localtime(moment).date() > last_day:
                continue
            left = slot.per_interval - taken.get((slot.pk, moment), 0)
            if left > 0:
                times.append((slot, moment, left))
    times.sort(key=lambda item: (item[1], item[0].resource.position, item[0].pk))
    return times


def public_clinic(organization_id: int) -> Organization:
    from portal.models import Organization

    return get_object_or_404(
        Organization.objects.filter(kind="clinic_network", is_active=True), pk=organization_id
    )


def appointment_by_token(token: str) -> Appointment:
    # Tokens are URL-safe base64 (secrets.token_urlsafe): anything else (a NUL byte...) is a 404.
    if (
        not token
        or len(token) > 64
        or not all(char.isascii() and (char.isalnum() or char in "-_") for char in token)
    ):
        raise Http404
    return get_object_or_404(
        Appointment.objects.scoped("the public page of the holder of a secret token").select_related(
            "slot__location", "service", "organization"
        ),
        token=token,
    )


def booked_second_dose(first_dose: Appointment, second: Service | None) -> Appointment | None:
    """The second dose already booked for this first dose's person (issue 20): the campaign's
    second-dose service, the same person (the booking rule's key), holding its place and after the
    first dose. None when there is none, or when the person is known by names only."""
    if second is None or not first_dose.person_key:
        return None
    found: Appointment | None = (
        Appointment.objects.for_organization(first_dose.organization_id)
        .select_related("slot__location", "service")
        .filter(
            service_id=second.pk,
            person_key=first_dose.person_key,
            status__in=HOLDING_STATUSES,
            starts_at__gt=first_dose.starts_at,
        )
        .exclude(attendance__in=[Attendance.ABSENT, Attendance.NOT_ELIGIBLE])
        .order_by("starts_at", "pk")
        .first()
    )
    return found


# Follow-up and statistics -------------------------------------------------------------------------


def day_bounds(day: date) -> tuple[datetime, datetime]:
    return dates.day_bounds(day)


def follow_up_period(period: str, day: date) -> tuple[date, date]:
    if period == "day":
        return day, day
    if period == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    first = dates.month_start(day)
    months = 1 if period == "month" else 3
    return first, dates.month_end(dates.add_months(first, months - 1))


def follow_up_queryset(user: Person, data: dict[str, Any]) -> QuerySet[Appointment]:
    """The follow-up list's appointments for the filters (also used by the Excel export)."""
    queryset = appointments_for(user).select_related("slot__location", "slot__resource", "service")
    if data.get("report") != "all":
        queryset = queryset.exclude(status=AppointmentStatus.CANCELLED)
    if data.get("number"):
        queryset = queryset.filter(number=data["number"])
    # Accents and case ignored: "belanger" finds "Bélanger", "ELISE" finds "Élise".
    for field in ("first_name", "last_name", "email"):
        if data.get(field):
            queryset = queryset.filter(folded_q(field, data[field]))
    if data.get("date_of_birth"):
        queryset = queryset.filter(date_of_birth=data["date_of_birth"])
    # Numbers are stored as +15065550123: "506 555-0123" is searched by its digits.
    digits = "".join(char for char in data.get("phone") or "" if char.isascii() and char.isdigit())
    if digits:
        queryset = queryset.filter(mobile_phone__contains=digits[-10:])
    if not data.get("number"):
        first, last = follow_up_period(data.get("period", "day"), data.get("date") or timezone.localdate())
        start, _end = day_bounds(first)
        _start, end = day_bounds(last)
        queryset = queryset.filter(starts_at__gte=start, starts_at__lt=end)
    if data.get("services"):
        queryset = queryset.filter(service__in=data["services"])
    if data.get("locations"):
        queryset = queryset.filter(slot__location__in=data["locations"])
    if data.get("resources"):
        queryset = queryset.filter(slot__resource__in=data["resources"])
    return queryset.order_by("starts_at", "slot__resource__position", "pk")


def statistics_data(organization: Organization, first_day: date, last_day: date) -> dict[str, Any]:
    """Bookings, cancellations, presences, absences and no-shows by day, service and location."""
    from django.db.models import Count as _Count
    from django.db.models.functions import TruncDate

    start, _end = day_bounds(first_day)
    _start, end = day_bounds(last_day)
    base = Appointment.objects.for_organization(organization).filter(starts_at__gte=start, starts_at__lt=end)
    now = timezone.now()
    measures = {
        "bookings": Q(),
        "cancellations": Q(status=AppointmentStatus.CANCELLED),
        "presences": Q(attendance=Attendance.PRESENT),
        "absences": Q(attendance=Attendance.ABSENT),
        "no_shows": Q(attendance=Attendance.UNDEFINED, starts_at__lt=now)
        & ~Q(status=AppointmentStatus.CANCELLED),
    }
    aggregates = {name: _Count("pk", filter=condition) for name, condition in measures.items()}
    tz = timezone.get_current_timezone()
    by_day = list(
        base.annotate(day=TruncDate("starts_at", tzinfo=tz))
        .values("day")
        .annotate(**aggregates)
        .order_by("day")
    )
    by_service = list(base.values("service__pk").annotate(**aggregates).order_by("service__pk"))
    by_location = list(
        base.values("slot__location__pk").annotate(**aggregates).order_by("slot__location__pk")
    )
    names = {service.pk: service.name for service in Service.objects.for_organization(organization)}
    places = {location.pk: location.name for location in Location.objects.for_organization(organization)}
    for row in by_service:
        row["label"] = names.get(row["service__pk"], "")
    for row in by_location:
        row["label"] = places.get(row["slot__location__pk"], "")
    for row in by_day:
        row["label"] = row["day"]
    totals = base.aggregate(**aggregates)
    return {"by_day": by_day, "by_service": by_service, "by_location": by_location, "totals": totals}
