"""What a person booking online sees, read once and cached: the public configuration of a clinic
network and the open times of each (location, day).

Both live in the cache (Redis in production) under *versioned* keys: a change does not delete an
entry, it gives its (organization) or its (location, day) a new version once the change is
committed, so a visitor who read the database just before the commit stores what it read under
a version nobody asks for any more. Entries also expire on their own (a safety net for a change
made outside the ORM's signals: a `QuerySet.update()`, a `bulk_create()` or SQL by hand).

Invalidation, to call wherever places or the public configuration change:

- `forget_availability(location_id=..., days=[...])`: the open times of those days at that location
  (every service: a slot's places are shared by its services); without `days`, all its days.
  Saving or deleting a Slot or an Appointment, or changing a slot's services, calls it by itself
  (receivers below); `set_day_lock` and `clone_day` (update / bulk_create) call it from their views. The booking inventory may call it from its services too: calling twice is harmless.
- `forget_public_configuration(organization_id)`: the organization, its clinic settings, services,
  questions, locations and teams as the public pages show them (receivers below as well).

With Redis away the cache misses (portal.cache.TolerantRedisCache): every page is computed from
the database, nothing fails.
"""

import uuid
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.http import Http404
from django.utils import timezone

from appointments.models import (
    HOLDING_STATUSES,
    Appointment,
    ClinicSettings,
    EligibilityQuestion,
    Location,
    Service,
    Slot,
    TeamResource,
)
from portal import dates
from portal.models import Organization

# How long an entry lives without a change (seconds): the bound on staleness for changes the
# receivers cannot see. Versions outlive the entries they name.
ENTRY_SECONDS = 120
VERSION_SECONDS = 24 * 3600


def _new_version() -> str:
    # Random, not a clock reading: unique across processes, and under a frozen test clock too.
    return uuid.uuid4().hex[:16]


def _bump(*keys: str) -> None:
    """New versions for these keys: now, and again once the current transaction commits (a visitor
    reading between the two stores what it read under a version that the second one retires)."""

    def bump() -> None:
        cache.set_many(dict.fromkeys(keys, _new_version()), timeout=VERSION_SECONDS)

    bump()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(bump)


def _versions(keys: list[str]) -> dict[str, Any]:
    """The current version of each key; a missing one is created (before the database is read)."""
    found = cache.get_many(keys)
    missing = {key: _new_version() for key in keys if key not in found}
    if missing:
        cache.set_many(missing, timeout=VERSION_SECONDS)
        found.update(missing)
    return found


# The public configuration ------------------------------------------------------------------------


@dataclass
class PublicSite:
    """A clinic network as its public booking pages show it (pickled into the cache)."""

    organization: Organization
    clinic: ClinicSettings
    services: dict[int, Service]
    questions: dict[int, list[EligibilityQuestion]]
    # Per service, the active locations with an active team offering it, in the pilot's order.
    locations: dict[int, list[Location]] = field(default_factory=dict)

    def service(self, pk: int) -> Service:
        try:
            return self.services[pk]
        except KeyError:
            raise Http404 from None

    def location(self, service: Service, pk: int) -> Location:
        for location in self.locations.get(service.pk, []):
            if location.pk == pk:
                return location
        raise Http404


def _config_version_key(organization_id: int) -> str:
    return f"appointments:public:v:{organization_id}"


def forget_public_configuration(organization_id: int | None) -> None:
    """The public pages read the organization's configuration again (after this transaction)."""
    if organization_id:
        _bump(_config_version_key(organization_id))


def _read_public_site(organization_id: int) -> PublicSite:
    organization = Organization.objects.filter(
        kind="clinic_network", is_active=True, pk=organization_id
    ).first()
    if organization is None:
        raise Http404
    clinic = ClinicSettings.objects.for_organization(organization).first() or ClinicSettings(
        organization=organization
    )
    services = {
        service.pk: service
        for service in Service.objects.for_organization(organization).filter(is_active=True)
    }
    questions: dict[int, list[EligibilityQuestion]] = {}
    for question in EligibilityQuestion.objects.for_organization(organization).filter(
        service_id__in=list(services)
    ):
        questions.setdefault(question.service_id, []).append(question)
    for service_questions in questions.values():
        service_questions.sort(key=lambda question: (question.position, question.pk))
    offered = set(
        TeamResource.services.through.objects.filter(
            teamresource__organization=organization,
            teamresource__is_active=True,
            service_id__in=list(services),
        ).values_list("teamresource_id", "service_id")
    )
    at = set(
        TeamResource.locations.through.objects.filter(
            teamresource__organization=organization, teamresource__is_active=True
        ).values_list("teamresource_id", "location_id")
    )
    active = {
        location.pk: location
        for location in Location.objects.for_organization(organization)
        .filter(is_active=True)
        .order_by("position", "pk")
    }
    pairs = {
        (service_id, location_id)
        for team, service_id in offered
        for team2, location_id in at
        if team == team2
    }
    locations = {
        service_id: [location for location in active.values() if (service_id, location.pk) in pairs]
        for service_id in services
    }
    return PublicSite(
        organization=organization, clinic=clinic, services=services, questions=questions, locations=locations
    )


def public_site(organization_id: int) -> PublicSite:
    """The clinic network's public configuration: from the cache, else read in six queries.

    A clinic network that does not exist or is not active answers 404.
    """
    version_key = _config_version_key(organization_id)
    version = _versions([version_key])[version_key]
    key = f"appointments:public:{organization_id}:{version}"
    site = cache.get(key)
    if site is None:
        site = _read_public_site(organization_id)
        cache.set(key, site, timeout=ENTRY_SECONDS)
    return site


# Open times ------------------------------------------------------------------------------------


class OpenTime(NamedTuple):
    """A time a service can be booked at: the places left in all its slots, and the slot offered."""

    ts: int  # POSIX seconds
    left: int
    slot_id: int
    slot_ids: tuple[int, ...]  # every slot with a place left at this time


# What the cache holds for a (location, day) and service: columns, fast to pickle and unpickle
# (a day of 10 teams' 5-minute times is 1,440 offers): (timestamps, places left, slot offered,
# slots with places), sorted by time.
Times = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], tuple[tuple[int, ...], ...]]
NO_TIMES: Times = ((), (), (), ())


def _day_version_key(location_id: int, day: date) -> str:
    return f"appointments:availability:v:{location_id}:{day.isoformat()}"


def _location_version_key(location_id: int) -> str:
    return f"appointments:availability:v:{location_id}"


def forget_availability(
    *, location_id: int | None, days: Iterable[date] | None = None, service_id: int | None = None
) -> None:
    """The open times of `location_id` on these local days are read again (after this transaction).

    For every service (`service_id` is accepted and ignored: the places of a slot are shared by
    all of its services). Without `days`, every day of the location. Call it wherever places change:
    a booking, a cancellation, a slot created, edited, locked, cloned or deleted.
    """
    if not location_id:
        return
    if days is None:
        _bump(_location_version_key(location_id))
    else:
        keys = [_day_version_key(location_id, day) for day in set(days)]
        if keys:
            _bump(*keys)


def _read_places(
    organization_id: int, location_id: int, start: datetime, end: datetime
) -> tuple[list[Any], dict[int, list[int]], dict[tuple[int, int], int]]:
    """The open slots of a period at a location, their services and the places taken per time:
    three queries, whatever the number of slots and times."""
    slots = list(
        Slot.objects.for_organization(organization_id)
        .filter(location_id=location_id, is_locked=False, starts_at__lt=end, ends_at__gt=start)
        .values_list("pk", "starts_at", "ends_at", "interval_minutes", "per_interval", "resource__position")
    )
    slot_ids = [row[0] for row in slots]
    services_of: dict[int, list[int]] = {}
    for slot_id, service_id in Slot.services.through.objects.filter(slot_id__in=slot_ids).values_list(
        "slot_id", "service_id"
    ):
        services_of.setdefault(slot_id, []).append(service_id)
    taken: dict[tuple[int, int], int] = {}
    for slot_id, moment, count in (
        Appointment.objects.for_organization(organization_id)
        .filter(slot_id__in=slot_ids, status__in=HOLDING_STATUSES)
        .values_list("slot_id", "starts_at")
        .annotate(count=Count("pk"))
        .values_list("slot_id", "starts_at", "count")
    ):
        taken[(slot_id, int(moment.timestamp()))] = count
    return slots, services_of, taken


Offer = tuple[int, int, int, int]  # (ts, -places left, team position, slot id): sorts best first


def _offers(
    slots: list[Any],
    services_of: dict[int, list[int]],
    taken: dict[tuple[int, int], int],
    clock: dates.LocalClock,
    wanted: dict[int, date],
) -> dict[tuple[int, int], list[Offer]]:
    """(day number, service) -> the offers of every time with a place left, in real elapsed time."""
    offers: dict[tuple[int, int], list[Offer]] = {}
    busy = {slot_id for slot_id, _ts in taken}
    for slot_id, starts_at, ends_at, minutes, per_interval, position in slots:
        service_ids = services_of.get(slot_id)
        step = (minutes or 0) * 60
        count = int((ends_at - starts_at).total_seconds()) // step if step else 0
        if not service_ids or count <= 0:
            continue
        first = int(starts_at.timestamp())
        # Most slots lie within one local day: its day number once, not once per time.
        first_day = clock.day_number(first)
        one_day = first_day == clock.day_number(first + (count - 1) * step)
        if one_day and first_day not in wanted:
            continue
        has_taken = slot_id in busy
        if one_day:
            # The common case, kept tight: one list per service for the whole slot.
            buckets = [offers.setdefault((first_day, service_id), []) for service_id in service_ids]
            for ts in range(first, first + count * step, step):
                left = per_interval - taken.get((slot_id, ts), 0) if has_taken else per_interval
                if left > 0:
                    offer = (ts, -left, position, slot_id)
                    for bucket in buckets:
                        bucket.append(offer)
            continue
        for ts in range(first, first + count * step, step):
            left = per_interval - taken.get((slot_id, ts), 0)
            day = clock.day_number(ts)
            if left > 0 and day in wanted:
                for service_id in service_ids:
                    offers.setdefault((day, service_id), []).append((ts, -left, position, slot_id))
    return offers


def _columns(offers: list[Offer]) -> Times:
    """A day's offers for a service as the cached columns: each time once, with the places left in
    all its slots and the slot offered (most places left, then the team order)."""
    offers.sort()
    stamps: list[int] = []
    lefts: list[int] = []
    offered: list[int] = []
    every: list[tuple[int, ...]] = []
    group: list[int] = []
    for ts, minus_left, _position, slot_id in offers:
        if not stamps or ts != stamps[-1]:
            if group:
                every.append(tuple(sorted(group)))
                group = []
            stamps.append(ts)
            lefts.append(0)
            offered.append(slot_id)
        lefts[-1] -= minus_left
        group.append(slot_id)
    if group:
        every.append(tuple(sorted(group)))
    return tuple(stamps), tuple(lefts), tuple(offered), tuple(every)


def _compute(organization_id: int, location_id: int, days: list[date]) -> dict[date, dict[int, Times]]:
    """The open times online of `days` at a location, for each service, in three queries; each
    time's local day read from the period's UTC offsets (portal.dates.LocalClock)."""
    start, _end = dates.day_bounds(days[0])
    _start, end = dates.day_bounds(days[-1])
    wanted = {day.toordinal(): day for day in days}
    slots, services_of, taken = _read_places(organization_id, location_id, start, end)
    offers = _offers(slots, services_of, taken, dates.LocalClock(start, end), wanted)
    result: dict[date, dict[int, Times]] = {day: {} for day in days}
    for (number, service_id), found in offers.items():
        result[wanted[number]][service_id] = _columns(found)
    return result


def open_days(*, organization_id: int, location_id: int, days: list[date]) -> dict[date, dict[int, Times]]:
    """Each day's open times online at a location, per service: from the cache (two round trips),
    the missing days computed together (three queries) and stored. Past times are not removed here:
    `bookable()` and `has_bookable()` do it for the moment asked."""
    days = sorted(set(days))
    if not days:
        return {}
    location_key = _location_version_key(location_id)
    day_keys = {day: _day_version_key(location_id, day) for day in days}
    versions = _versions([location_key, *day_keys.values()])
    entry_keys = {
        day: f"appointments:availability:{location_id}:{day.isoformat()}:{versions[location_key]}:{versions[key]}"
        for day, key in day_keys.items()
    }
    cached = cache.get_many(list(entry_keys.values()))
    result = {day: cached[key] for day, key in entry_keys.items() if key in cached}
    missing = [day for day in days if day not in result]
    if missing:
        computed = _compute(organization_id, location_id, missing)
        cache.set_many({entry_keys[day]: computed[day] for day in missing}, timeout=ENTRY_SECONDS)
        result.update(computed)
    return result


def has_bookable(times: Times, now: datetime) -> bool:
    """Is there a time after `now`?"""
    stamps = times[0]
    return bool(stamps) and stamps[-1] > now.timestamp()


def bookable(times: Times, now: datetime) -> list[OpenTime]:
    """The times after `now`, in order."""
    stamps, lefts, offered, every = times
    index = bisect_right(stamps, int(now.timestamp()))
    return [OpenTime(stamps[i], lefts[i], offered[i], every[i]) for i in range(index, len(stamps))]


# Receivers: the ORM's saves and deletions of what the public pages show ---------------------------
#
# Bookings and cancellations are frequent: they forget one day of one location. Slot edits, full
# saves of an appointment (a staff change may move it to another day or location) and deletions are
# rare: they forget every day of the locations concerned.

# Saves that only change an appointment's status or follow-up fields, never its slot or time.
_IN_PLACE_FIELDS = frozenset(
    {
        "status",
        "cancelled_at",
        "confirmed_at",
        "relaunch_at",
        "attendance",
        "attendance_at",
        "first_reminder_at",
        "second_reminder_at",
        "reminders",
        "relaunches",
    }
)


def _location_of_slot(slot_id: int | None) -> int | None:
    if slot_id is None:
        return None
    return (
        Slot.objects.scoped("the location of a slot whose places change")
        .filter(pk=slot_id)
        .values_list("location_id", flat=True)
        .first()
    )


def _slot_changed(sender: Any, instance: Slot, **kwargs: Any) -> None:
    forget_availability(location_id=instance.location_id)


def _slot_services_changed(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, Slot):
        forget_availability(location_id=instance.location_id)


def _appointment_saved(sender: Any, instance: Appointment, created: bool = False, **kwargs: Any) -> None:
    slot_field = Appointment._meta.get_field("slot")
    location_id: int | None
    if slot_field.is_cached(instance):
        location_id = instance.slot.location_id
    else:
        location_id = _location_of_slot(instance.slot_id)
    fields = kwargs.get("update_fields")
    if created or (fields and set(fields) <= _IN_PLACE_FIELDS):
        forget_availability(location_id=location_id, days=[timezone.localtime(instance.starts_at).date()])
    else:
        forget_availability(location_id=location_id)


def _appointment_moving(sender: Any, instance: Appointment, **kwargs: Any) -> None:
    """Before a full save of an existing appointment: the location it may be leaving."""
    fields = kwargs.get("update_fields")
    if instance.pk and not (fields and set(fields) <= _IN_PLACE_FIELDS):
        old_slot = (
            Appointment.objects.scoped("the slot an appointment being changed leaves")
            .filter(pk=instance.pk)
            .values_list("slot_id", flat=True)
            .first()
        )
        if old_slot is not None and old_slot != instance.slot_id:
            forget_availability(location_id=_location_of_slot(old_slot))


def _appointment_deleted(sender: Any, instance: Appointment, **kwargs: Any) -> None:
    forget_availability(location_id=_location_of_slot(instance.slot_id))


def _configuration_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    organization_id: int | None
    if isinstance(instance, Organization):
        organization_id = instance.pk
    elif isinstance(instance, EligibilityQuestion):
        organization_id = (
            Service.objects.scoped("the organization of a question being saved")
            .filter(pk=instance.service_id)
            .values_list("organization_id", flat=True)
            .first()
        )
    else:
        organization_id = getattr(instance, "organization_id", None)
    forget_public_configuration(organization_id)


def _team_links_changed(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, TeamResource):
        forget_public_configuration(instance.organization_id)


post_save.connect(_slot_changed, sender=Slot, dispatch_uid="availability-slot-save")
post_delete.connect(_slot_changed, sender=Slot, dispatch_uid="availability-slot-delete")
m2m_changed.connect(
    _slot_services_changed, sender=Slot.services.through, dispatch_uid="availability-slot-services"
)
pre_save.connect(_appointment_moving, sender=Appointment, dispatch_uid="availability-appointment-moving")
post_save.connect(_appointment_saved, sender=Appointment, dispatch_uid="availability-appointment-save")
post_delete.connect(_appointment_deleted, sender=Appointment, dispatch_uid="availability-appointment-delete")
for _model in (Organization, ClinicSettings, Service, EligibilityQuestion, Location, TeamResource):
    post_save.connect(_configuration_changed, sender=_model, dispatch_uid=f"public-{_model.__name__}-save")
    post_delete.connect(
        _configuration_changed, sender=_model, dispatch_uid=f"public-{_model.__name__}-delete"
    )
for _through in (TeamResource.locations.through, TeamResource.services.through):
    m2m_changed.connect(_team_links_changed, sender=_through, dispatch_uid=f"public-{_through.__name__}")
