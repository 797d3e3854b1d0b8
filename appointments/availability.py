"""What a person booking online sees, read once and cached: the public configuration of a clinic
network (two queries) and the open times of each (location, day), read from the booking inventory
(appointments.SlotTime: the rows a booking claims) in one query for any number of locations and days.

Both live in the cache under versioned keys (appointments.availability_cache: the versions, their
invalidation by `forget_availability` / `forget_public_configuration`, and the receivers that call
them). A (location, day) has two entries: a summary per service (last open time, places left: the
list of days and the search page) and its times (the day's page and the check of a chosen time).
"""

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from time import monotonic
from typing import NamedTuple

from django.core.cache import cache
from django.db import connection
from django.db.models import Case, DateTimeField, Exists, F, IntegerField, Max, OuterRef, Q, Sum, Value, When
from django.http import Http404
from django.utils import timezone

# The cache's versions and invalidation (forget_* re-exported: callers import them from here too).
from appointments.availability_cache import (  # noqa: F401
    ENTRY_SECONDS,
    _config_version_key,
    _day_version_key,
    _location_version_key,
    _versions,
    forget_availability,
    forget_public_configuration,
)
from appointments.models import (
    ClinicSettings,
    EligibilityQuestion,
    Location,
    Service,
    SlotTime,
)
from portal import dates
from portal.models import Organization

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

    def offered_services(self) -> list[Service]:
        """The services a person can choose: those at least one active location offers (issue 20)."""
        return [service for pk, service in self.services.items() if self.locations.get(pk)]

    def location(self, service: Service, pk: int) -> Location:
        for location in self.locations.get(service.pk, []):
            if location.pk == pk:
                return location
        raise Http404


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


# The configuration each process last used, per clinic network: (version, until, site). A booking
# step reads the version (one round trip) and reuses the site it already has under that version
# rather than fetching and unpickling it again; kept no longer than the cache keeps its entry.
_SITES: dict[int, tuple[str, float, PublicSite]] = {}
_SITES_MAX = 256


def public_site(organization_id: int) -> PublicSite:
    """The clinic network's public configuration: from the cache, else read in two queries.

    A clinic network that does not exist or is not active answers 404.
    """
    version_key = _config_version_key(organization_id)
    version = _versions([version_key])[version_key]
    held = _SITES.get(organization_id)
    if held is not None and held[0] == version and held[1] > monotonic():
        return held[2]
    key = f"appointments:public:{organization_id}:{version}"
    site = cache.get(key)
    if site is None:
        site = _read_public_site(organization_id)
        site.version = version
        cache.set(key, site, timeout=ENTRY_SECONDS)
    if len(_SITES) >= _SITES_MAX:
        _SITES.clear()
    _SITES[organization_id] = (version, monotonic() + ENTRY_SECONDS, site)
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


Inventory = tuple[dict[tuple[int, date], dict[int, Summary]], dict[tuple[int, date], dict[int, Times]]]

# The open time rows of a clinic network's open slots at some locations, between two instants and
# after `now`, as (slot, start, places left): the rows a booking claims. Raw SQL scoped by the
# slot's organization in the query (as SlotTime.objects.for_organization does).
_OPEN_ROWS = """
    SELECT t.slot_id, t.starts_at AS ts, t.capacity - t.taken AS places
    FROM appointments_slottime t
    WHERE t.starts_at >= %s AND t.starts_at < %s AND t.starts_at > %s AND t.taken < t.capacity
      AND t.slot_id IN (
        SELECT id FROM appointments_slot
        WHERE organization_id = %s AND NOT is_locked AND location_id IN ({locations}))
"""
# One statement: each open slot's places left, first and last open time (grouped by slot before
# anything is joined), with its location, team position and services; then, for the detailed days,
# every open time of those slots (kind 1).
_BY_SLOT = """
    SELECT 0, s.id, s.location_id, ss.service_id, r.position, agg.places, {first}, {last}
    FROM (
        SELECT slot_id, SUM(places) AS places, MIN(ts) AS first, MAX(ts) AS last
        FROM ({rows}) open_rows GROUP BY slot_id
    ) agg
    JOIN appointments_slot s ON s.id = agg.slot_id
    LEFT JOIN appointments_teamresource r ON r.id = s.resource_id
    LEFT JOIN appointments_slot_services ss ON ss.slot_id = s.id
"""
_TIMES = """
    SELECT 1, open_rows.slot_id, NULL, NULL, NULL, open_rows.places, {ts}, NULL
    FROM ({rows}) open_rows
"""


def _epoch(column: str) -> str:
    """POSIX seconds of a timestamp column, in SQL (computed after grouping: 280 values, not 40,000)."""
    if connection.vendor == "postgresql":
        return f"FLOOR(EXTRACT(EPOCH FROM {column}))::bigint"
    return f"CAST(strftime('%%s', {column}) AS INTEGER)"  # SQLite: stored in UTC


def _read_inventory(
    *, organization_id: int, location_ids: list[int], days: list[date], detailed: set[date], now: datetime
) -> Inventory:
    """The places left after `now` in the time rows (appointments.SlotTime) of open slots, per
    location, day and service, in one statement: grouped by slot in the database (a slot starts
    and ends on one day, schedules.services), time by time for the `detailed` days; each slot's day
    and each time as POSIX seconds compared with the days' bounds (no local time computed per time,
    no model instance). The same rows the booking claims, so what a booker sees is what they can
    get. A slot whose open times lie on two local days (none is saved so) is read day by day
    (_read_inventory_by_day)."""
    days = sorted(set(days))
    if not location_ids or not days:
        return {}, {}
    bounds = [dates.day_bounds(day) for day in days]
    starts = [int(start.timestamp()) for start, _end in bounds]
    ends = [int(end.timestamp()) for _start, end in bounds]
    locations = ", ".join(["%s"] * len(location_ids))
    rows_sql = _OPEN_ROWS.format(locations=locations)
    adapt = connection.ops.adapt_datetimefield_value

    def row_params(start: datetime, end: datetime) -> list[object]:
        return [adapt(start), adapt(end), adapt(now), organization_id, *location_ids]

    # The days' range (consecutive days as one range: the page asks for consecutive days).
    sql = _BY_SLOT.format(rows=rows_sql, first=_epoch("agg.first"), last=_epoch("agg.last"))
    params = row_params(bounds[0][0], bounds[-1][1])
    for day in sorted(detailed):
        start, end = dates.day_bounds(day)
        sql += " UNION ALL " + _TIMES.format(rows=rows_sql, ts=_epoch("open_rows.ts"))
        params += row_params(start, end)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()

    def day_of(ts: int) -> int | None:
        index = bisect_right(starts, ts) - 1
        return index if index >= 0 and ts < ends[index] else None

    summaries: dict[tuple[int, date], dict[int, Summary]] = {
        (location_id, day): {} for location_id in location_ids for day in days
    }
    slots: dict[int, tuple[int, int, int, list[int]]] = {}  # slot: (location, day, position, services)
    detail_rows = []
    for kind, slot_id, place, service_id, position, places, first, last in found:
        if kind:
            detail_rows.append((slot_id, first, places))
            continue
        index = day_of(first)
        if (
            index is None
            and day_of(last) is None
            and bisect_right(starts, first) == bisect_right(starts, last)
        ):
            continue  # between two days asked (days that are not consecutive)
        if index is None or day_of(last) != index:
            return _read_inventory_by_day(
                organization_id=organization_id,
                location_ids=location_ids,
                days=days,
                detailed=detailed,
                now=now,
            )
        known = slots.setdefault(slot_id, (place, index, position, []))
        if service_id is None:
            continue
        known[3].append(service_id)
        summary = summaries[(place, days[index])].get(service_id, NO_SUMMARY)
        summaries[(place, days[index])][service_id] = Summary(max(summary.last, last), summary.left + places)
    offers: dict[tuple[int, date, int], list[Offer]] = {}
    for slot_id, ts, places in detail_rows:
        place, index, position, service_ids = slots[slot_id]
        for service_id in service_ids:
            offers.setdefault((place, days[index], service_id), []).append((ts, -places, position, slot_id))
    times: dict[tuple[int, date], dict[int, Times]] = {
        (location_id, day): {} for location_id in location_ids for day in detailed
    }
    for (place, day, service_id), offered in offers.items():
        columns = _columns(offered)
        times[(place, day)][service_id] = columns
        summaries[(place, day)][service_id] = Summary(columns[0][-1], sum(columns[1]))
    return summaries, times


def _read_inventory_by_day(
    *, organization_id: int, location_ids: list[int], days: list[date], detailed: set[date], now: datetime
) -> Inventory:
    """As _read_inventory, the day of each time computed in the database (a CASE of the days'
    bounds): right for a slot over two days, and the reference its tests compare with."""
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
