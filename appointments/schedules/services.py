"""Schedule writes: slots (capacity, locks) and cloning a typical day (guide 3).

Keyword-only functions, atomic; a refusal is an ActionError, nothing saved.
"""

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments.models import (
    HOLDING_STATUSES,
    Appointment,
    Location,
    Service,
    Slot,
    TeamResource,
)
from portal import dates
from portal.models import Organization, User
from portal.workflow import ActionError

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
def delete_slot(*, slot: Slot) -> None:
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
