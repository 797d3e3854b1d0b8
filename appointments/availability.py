"""What a person booking online sees, read once and cached: the public configuration of a clinic
network (two queries) and the open times of each (location, day), read from the booking inventory
(appointments.SlotTime: the rows a booking claims) in one query for any number of locations and days.

Both live in the cache (Redis in production) under *versioned* keys: a change does not delete an
entry, it gives its (organization) or its (location, day) a new version once the change is
committed, so a visitor who read the database just before the commit stores what it read under
a version nobody asks for any more. Entries also expire on their own (a safety net for a change
made outside the ORM's signals and the inventory's services: SQL by hand).

A (location, day) has two entries: a summary per service (last open time, places left: the list of
days and the search page) and its times (the day's page and the check of a chosen time).

Invalidation, to call wherever places or the public configuration change:

- `forget_availability(location_id=..., days=[...])`: the open times of those days at that location
  (every service: a slot's places are shared by its services); without `days`, all its days.
  Saving or deleting a Slot or an Appointment, or changing a slot's services, calls it by itself
  (receivers below), and so does every change of the inventory's rows after its commit
  (schedules.services.on_places_changed: bookings, cancellations, moves, slot edits, locks, clones,
  deletions, `check_inventory --fix`). Calling twice is harmless.
- `forget_public_configuration(organization_id)`: the organization, its clinic settings, services,
  questions, locations and teams as the public pages show them (receivers below as well).

With Redis away the cache misses (portal.cache.TolerantRedisCache): every page is computed from
the database, nothing fails.
"""

import uuid
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from django.core.cache import cache
from django.db import transaction
from django.db.models import Case, DateTimeField, Exists, F, IntegerField, Max, OuterRef, Q, Sum, Value, When
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.http import Http404
from django.utils import timezone

from appointments.models import (
    Appointment,
    ClinicSettings,
    EligibilityQuestion,
    Location,
    Service,
    Slot,
    SlotTime,
    TeamResource,
)
from appointments.schedules import services as schedules_services
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
    # The services that ask eligibility questions (the questions themselves: public_questions()).
    with_questions: set[int] = field(default_factory=set)
    # Per service, the active locations with an active team offering it, in the pilot's order.
    locations: dict[int, list[Location]] = field(default_factory=dict)
    version: str = ""

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
    """Two queries: the active services with their organization and its clinic settings (joined),
    then the active locations joined to the teams and the services they offer."""
    found = list(
        Service.objects.for_organization(organization_id)
        .filter(is_active=True, organization__kind="clinic_network", organization__is_active=True)
        .select_related("organization", "organization__appointment_settings")
        .annotate(
            asks=Exists(
                EligibilityQuestion.objects.filter(service_id=OuterRef("pk")).scoped("the service's own")
            )
        )
    )
    if found:
        organization = found[0].organization
    else:
        # No active service (nothing to book): the organization alone, for the pages that say so.
        organization = (
            Organization.objects.filter(kind="clinic_network", is_active=True, pk=organization_id)
            .select_related("appointment_settings")
            .first()
        )
        if organization is None:
            raise Http404
    try:
        clinic = organization.appointment_settings
    except ClinicSettings.DoesNotExist:
        clinic = ClinicSettings(organization=organization)
    services = {service.pk: service for service in found}
    with_questions = {service.pk for service in found if service.asks}
    # One row per (location, team, service); a team's flag and services read from the same join.
    locations: dict[int, list[Location]] = {service_id: [] for service_id in services}
    seen: set[tuple[int, int]] = set()
    for location in (
        Location.objects.for_organization(organization_id)
        .filter(is_active=True)
        .annotate(team_active=F("resources__is_active"), offered=F("resources__services"))
        .order_by("position", "pk")
    ):
        pair = (location.offered, location.pk)
        if location.team_active and location.offered in locations and pair not in seen:
            seen.add(pair)
            locations[location.offered].append(location)
    return PublicSite(
        organization=organization,
        clinic=clinic,
        services=services,
        with_questions=with_questions,
        locations=locations,
    )


def public_site(organization_id: int) -> PublicSite:
    """The clinic network's public configuration: from the cache, else read in two queries.

    A clinic network that does not exist or is not active answers 404.
    """
    version_key = _config_version_key(organization_id)
    version = _versions([version_key])[version_key]
    key = f"appointments:public:{organization_id}:{version}"
    site = cache.get(key)
    if site is None:
        site = _read_public_site(organization_id)
        site.version = version
        cache.set(key, site, timeout=ENTRY_SECONDS)
    return site


def public_questions(site: PublicSite, service: Service) -> list[EligibilityQuestion]:
    """The eligibility questions of a service, in order: cached with the configuration's version
    (only the eligibility step reads them; the other steps know whether there are any)."""
    if service.pk not in site.with_questions:
        return []
    key = f"appointments:public:questions:{site.organization.pk}:{service.pk}:{site.version}"
    questions = cache.get(key)
    if questions is None:
        questions = list(
            EligibilityQuestion.objects.for_organization(site.organization).filter(service_id=service.pk)
        )
        questions.sort(key=lambda question: (question.position, question.pk))
        cache.set(key, questions, timeout=ENTRY_SECONDS)
    return questions


# Open times, read from the inventory ---------------------------------------------------------------


class OpenTime(NamedTuple):
    """A time a service can be booked at: the places left in all its slots, and the slot offered."""

    ts: int  # POSIX seconds
    left: int
    slot_id: int
    slot_ids: tuple[int, ...]  # every slot with a place left at this time


# A day's times for a service, as the cache holds them: columns, fast to pickle and unpickle (a day
# of 10 teams' 5-minute times is 1,440 offers): (timestamps, places left, slot offered, slots with
# places), sorted by time.
Times = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], tuple[tuple[int, ...], ...]]
NO_TIMES: Times = ((), (), (), ())


class Summary(NamedTuple):
    """What the list of days and the search page need of a (location, day, service): its last
    time with a place left and the places left (POSIX seconds; times after the entry's moment)."""

    last: int
    left: int


NO_SUMMARY = Summary(0, 0)


@dataclass
class Availability:
    """The open times online of some locations and days, as read (from the cache or the inventory)
    at `now`: a summary of every (location, day) per service, and the times of the days asked in
    detail."""

    now: datetime
    summaries: dict[tuple[int, date], dict[int, Summary]]
    times: dict[tuple[int, date], dict[int, Times]]

    def summary(self, location_id: int, day: date, service_id: int) -> Summary:
        return self.summaries.get((location_id, day), {}).get(service_id, NO_SUMMARY)

    def open_days(self, location_id: int, service_id: int, days: Iterable[date]) -> list[date]:
        """The days with a time after `now`, in order."""
        moment = self.now.timestamp()
        return [day for day in days if self.summary(location_id, day, service_id).last > moment]

    def places_left(self, location_id: int, service_id: int, days: Iterable[date]) -> int:
        return sum(
            self.summary(location_id, day, service_id).left
            for day in self.open_days(location_id, service_id, days)
        )

    def day_times(self, location_id: int, day: date, service_id: int) -> Times:
        return self.times.get((location_id, day), {}).get(service_id, NO_TIMES)


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


Offer = tuple[int, int, int, int]  # (ts, -places left, team position, slot id): sorts best first


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


def _ranges(days: Iterable[date]) -> Q:
    """The instants of these local days, consecutive days as one range (DST-safe bounds)."""
    condition = Q()
    run: list[date] = []
    for day in sorted(set(days)):
        if run and day != run[-1] + timedelta(days=1):
            condition |= Q(
                starts_at__gte=dates.day_bounds(run[0])[0], starts_at__lt=dates.day_bounds(run[-1])[1]
            )
            run = []
        run.append(day)
    if run:
        condition |= Q(starts_at__gte=dates.day_bounds(run[0])[0], starts_at__lt=dates.day_bounds(run[-1])[1])
    return condition


def _read_inventory(
    *, organization_id: int, location_ids: list[int], days: list[date], detailed: set[date], now: datetime
) -> tuple[dict[tuple[int, date], dict[int, Summary]], dict[tuple[int, date], dict[int, Times]]]:
    """The places left after `now` in the time rows (appointments.SlotTime) of open slots, per
    location, day and service, in one query: grouped by day in the database, time by time for the
    `detailed` days. The same rows the booking claims, so what a booker sees is what they can get."""
    days = sorted(set(days))
    number = Case(
        *[
            When(starts_at__gte=start, starts_at__lt=end, then=Value(index))
            for index, (start, end) in enumerate(dates.day_bounds(day) for day in days)
        ],
        output_field=IntegerField(),
    )
    detail = _ranges(detailed) if detailed else None
    rows = (
        SlotTime.objects.for_organization(organization_id)
        .filter(_ranges(days), slot__location_id__in=location_ids, slot__is_locked=False, starts_at__gt=now)
        .filter(taken__lt=F("capacity"))
        .annotate(
            place=F("slot__location_id"),
            service=F("slot__services"),
            number=number,
            at=Case(When(detail, then=F("starts_at")), output_field=DateTimeField())
            if detail
            else Value(None, output_field=DateTimeField()),
            one=Case(When(detail, then=F("slot_id")), output_field=IntegerField())
            if detail
            else Value(None, output_field=IntegerField()),
        )
        .values("place", "service", "number", "at", "one")
        .annotate(
            places=Sum(F("capacity") - F("taken"), output_field=IntegerField()),
            latest=Max("starts_at"),
            position=Max("slot__resource__position"),
        )
        .values_list("place", "service", "number", "at", "one", "places", "latest", "position")
        .order_by()
    )
    summaries: dict[tuple[int, date], dict[int, Summary]] = {
        (location_id, day): {} for location_id in location_ids for day in days
    }
    offers: dict[tuple[int, date, int], list[Offer]] = {}
    for place, service_id, index, at, slot_id, places, latest, position in rows:
        if service_id is None or index is None:
            continue
        day = days[index]
        if at is None:
            summaries[(place, day)][service_id] = Summary(int(latest.timestamp()), places)
        else:
            offers.setdefault((place, day, service_id), []).append(
                (int(at.timestamp()), -places, position, slot_id)
            )
    times: dict[tuple[int, date], dict[int, Times]] = {
        (location_id, day): {} for location_id in location_ids for day in detailed
    }
    for (place, day, service_id), found in offers.items():
        columns = _columns(found)
        times[(place, day)][service_id] = columns
        summaries[(place, day)][service_id] = Summary(columns[0][-1], sum(columns[1]))
    return summaries, times


def availability(
    *,
    organization_id: int,
    location_ids: Iterable[int],
    days: Iterable[date],
    detailed: Iterable[date] = (),
    now: datetime | None = None,
) -> Availability:
    """The open times online of these locations and days, per service, as at `now`: a summary of
    every (location, day) and the times of the `detailed` days. From the cache (two round trips);
    what is missing is read from the inventory in one query and stored.

    Entries are stored per (location, day) under its versions, a summary and the times apart (the
    list of days unpickles 29 small summaries, not 29 days of times). An entry holds the times after
    the moment it was read: a reader from an earlier moment (a clock set back) reads again."""
    now = now or timezone.now()
    moment = int(now.timestamp())
    location_ids = sorted(set(location_ids))
    days = sorted(set(days))
    detailed = set(detailed) & set(days)
    result = Availability(now=now, summaries={}, times={})
    if not location_ids or not days:
        return result
    version_keys = {location_id: _location_version_key(location_id) for location_id in location_ids}
    day_keys = {
        (location_id, day): _day_version_key(location_id, day) for location_id in location_ids for day in days
    }
    versions = _versions([*version_keys.values(), *day_keys.values()])

    def entry_key(kind: str, location_id: int, day: date) -> str:
        location_version = versions[version_keys[location_id]]
        day_version = versions[day_keys[(location_id, day)]]
        return f"appointments:availability:{kind}:{location_id}:{day.isoformat()}:{location_version}:{day_version}"

    wanted = {("sum", location_id, day): entry_key("sum", location_id, day) for location_id, day in day_keys}
    wanted.update(
        {
            ("times", location_id, day): entry_key("times", location_id, day)
            for location_id in location_ids
            for day in detailed
        }
    )
    cached = cache.get_many(list(wanted.values()))
    missing: set[tuple[str, int, date]] = set()
    for what, key in wanted.items():
        entry = cached.get(key)
        if entry is None or entry[0] > moment:
            missing.add(what)
            continue
        kind, location_id, day = what
        (result.summaries if kind == "sum" else result.times)[(location_id, day)] = entry[1]
    if missing:
        summaries, times = _read_inventory(
            organization_id=organization_id,
            location_ids=sorted({location_id for _kind, location_id, _day in missing}),
            days=sorted({day for _kind, _location_id, day in missing}),
            detailed={day for kind, _location_id, day in missing if kind == "times"},
            now=now,
        )
        store = {}
        for what in missing:
            kind, location_id, day = what
            found = (summaries if kind == "sum" else times).get((location_id, day), {})
            (result.summaries if kind == "sum" else result.times)[(location_id, day)] = found
            store[wanted[what]] = (moment, found)
        cache.set_many(store, timeout=ENTRY_SECONDS)
    return result


def cached_day_times(
    *, location_id: int, day: date, service_id: int, now: datetime | None = None
) -> Times | None:
    """The day's times of a service as cached (two round trips, no query), or None when they are
    not cached under the current versions: the caller checks its one time instead of reading the
    whole day (after a booking, the day's times are read again only by a page that shows them)."""
    now = now or timezone.now()
    location_key, day_key = _location_version_key(location_id), _day_version_key(location_id, day)
    versions = _versions([location_key, day_key])
    entry = cache.get(
        f"appointments:availability:times:{location_id}:{day.isoformat()}:"
        f"{versions[location_key]}:{versions[day_key]}"
    )
    if entry is None or entry[0] > int(now.timestamp()):
        return None
    return entry[1].get(service_id, NO_TIMES)


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


# Slot -> (location, its local days), as the receivers last saw it: lets the inventory's listener
# below forget the right days after a booking without a query. Bounded; a stale entry only makes it
# forget other days too (the receivers forget the right ones).
_SLOT_DAYS: dict[int, tuple[int, tuple[date, ...]]] = {}
_SLOT_DAYS_MAX = 20000


def _remember_slot(slot: Slot) -> None:
    if slot.pk is None or slot.starts_at is None or slot.ends_at is None:
        return
    if len(_SLOT_DAYS) >= _SLOT_DAYS_MAX:
        _SLOT_DAYS.clear()
    first, last = timezone.localdate(slot.starts_at), timezone.localdate(slot.ends_at)
    days = tuple(first + timedelta(days=offset) for offset in range(min((last - first).days, 31) + 1))
    _SLOT_DAYS[slot.pk] = (slot.location_id, days)


def _inventory_changed(slot_ids: set[int]) -> None:
    """After the commit of any change of places in the inventory (schedules.services.on_places_changed):
    the days of those slots are read again. Bookings, cancellations and slot edits are already
    forgotten by the receivers below; this covers the changes the ORM's signals do not see (a day
    locked or cloned by update/bulk_create, a recount by `check_inventory --fix`)."""
    unknown = [pk for pk in slot_ids if pk not in _SLOT_DAYS]
    if unknown:
        for slot in (
            Slot.objects.scoped("the slots whose places changed")
            .filter(pk__in=unknown)
            .only("pk", "location_id", "starts_at", "ends_at")
        ):
            _remember_slot(slot)
    for pk in slot_ids:
        if pk in _SLOT_DAYS:
            location_id, days = _SLOT_DAYS[pk]
            forget_availability(location_id=location_id, days=days)


def _slot_changed(sender: Any, instance: Slot, **kwargs: Any) -> None:
    _remember_slot(instance)
    forget_availability(location_id=instance.location_id)


def _slot_services_changed(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, Slot):
        forget_availability(location_id=instance.location_id)


def _commit_hooks_run() -> bool:
    """Will this transaction's commit hooks run? Not inside a test case's own transaction
    (django.test.TestCase, pytest-django's `db`), where nothing is ever committed."""
    return not any(
        getattr(block, "_from_testcase", False) for block in transaction.get_connection().atomic_blocks
    )


def _appointment_saved(sender: Any, instance: Appointment, created: bool = False, **kwargs: Any) -> None:
    slot_field = Appointment._meta.get_field("slot")
    if slot_field.is_cached(instance):
        _remember_slot(instance.slot)
    fields = kwargs.get("update_fields")
    if created or (fields and set(fields) <= _IN_PLACE_FIELDS):
        # A booking or a status change: the open times come from the inventory's rows, and every
        # change of them is heard after its commit (_inventory_changed): that one bump of the day's
        # version is enough (a booking made one, not three). Only where commit hooks never run (a
        # test case's transaction) is the day forgotten here, at once.
        if not _commit_hooks_run():
            forget_availability(
                location_id=_location_id(instance), days=[timezone.localtime(instance.starts_at).date()]
            )
    else:
        forget_availability(location_id=_location_id(instance))


def _location_id(instance: Appointment) -> int | None:
    if Appointment._meta.get_field("slot").is_cached(instance):
        return instance.slot.location_id
    return _location_of_slot(instance.slot_id)


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

# The inventory's own changes (time rows updated or bulk-created, which send no signal).
schedules_services.on_places_changed(_inventory_changed)
