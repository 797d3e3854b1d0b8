"""Schedule writes: slots (capacity, locks) and cloning a typical day (guide 3).

Keyword-only functions, atomic; a refusal is an ActionError, nothing saved.
"""

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments.models import (
    HOLDING_STATUSES,
    Appointment,
    Location,
    Service,
    Slot,
    SlotTime,
    TeamResource,
    WaitlistEntry,
    WaitlistStatus,
)
from portal import dates
from portal.models import Organization, User
from portal.workflow import ActionError

logger = logging.getLogger(__name__)

# The booking inventory: a row per (slot, time), appointments.models.SlotTime ---------------------------
#
# A booking claims its place last, with one conditional UPDATE of its time's row (claim_place), so
# bookings at the same time wait for each other only for that statement and the commit, and bookings
# at other times of the slot never do. A cancellation or a move gives the place back in the same
# transaction as the status change. Every change of a slot's rules (places, times, services, lock,
# deletion) locks the slot's time rows first, then the slot, and bumps their version: a booking
# checked against the old rules is refused ("no longer available"), never saved against the new ones.
#
# Lock order, everywhere: the person (advisory lock) → the appointment row → time rows in the order of
# (slot, time) → the slot row. A booking's commit checks its appointment's slot key (PostgreSQL's
# deferred foreign key takes KEY SHARE on the slot then), which is why editors take the time rows
# before the slot row: the other way round, the two would wait for each other.

_listeners: list[Callable[[set[int]], None]] = []


def on_places_changed(callback: Callable[[set[int]], None]) -> Callable[[set[int]], None]:
    """Register `callback(slot_ids)`, called after the commit of every change of places (bookings,
    cancellations, moves, slot edits, locks, clones, deletions, fixes): the availability cache's
    invalidation. Usable as a decorator; registering twice is harmless."""
    if callback not in _listeners:
        _listeners.append(callback)
    return callback


def _places_changed(slot_ids: Iterable[int]) -> None:
    ids = set(slot_ids)
    if not ids or not _listeners:
        return

    def tell() -> None:
        for callback in list(_listeners):
            try:
                callback(ids)
            except Exception:  # a cache away must not turn a committed booking into an error page
                logger.exception("places-changed listener failed")

    transaction.on_commit(tell)


def _rules_changed(slot_ids: list[int]) -> None:
    """These slots' rules changed: a booking checked against the old ones is refused (their time
    rows' version), and the listeners hear of it after the commit."""
    SlotTime.objects.filter(slot_id__in=slot_ids).update(version=F("version") + 1)
    _places_changed(slot_ids)


def _build_times(slots: Iterable[Slot]) -> None:
    """The time rows of new slots: every interval, all places free."""
    SlotTime.objects.bulk_create(
        [
            SlotTime(slot_id=slot.pk, starts_at=moment, capacity=slot.per_interval)
            for slot in slots
            for moment in slot.interval_starts()
        ],
        batch_size=2000,
    )


def _expected_times(slot: Slot, booked: Counter[datetime]) -> dict[datetime, tuple[int, int]]:
    """{time: (capacity, taken)} as the appointments say: every interval with the slot's places, and
    any time still holding appointments (a time the slot no longer has: its places are those held)."""
    expected = {moment: (slot.per_interval, 0) for moment in slot.interval_starts()}
    for moment, count in booked.items():
        capacity = expected.get(moment, (0, 0))[0]
        expected[moment] = (max(capacity, count), count)
    return expected


def _sync_times(slot: Slot, booked: Counter[datetime], *, bump: bool = True) -> int:
    """Make the slot's time rows say what its rules and appointments say (under its locks).
    Returns how many rows were created, changed or deleted."""
    expected = _expected_times(slot, booked)
    rows = {row.starts_at: row for row in SlotTime.objects.filter(slot_id=slot.pk)}
    extra = [row.pk for moment, row in rows.items() if moment not in expected]
    if extra:
        SlotTime.objects.filter(pk__in=extra).delete()
    missing = [
        SlotTime(slot_id=slot.pk, starts_at=moment, capacity=capacity, taken=taken)
        for moment, (capacity, taken) in expected.items()
        if moment not in rows
    ]
    SlotTime.objects.bulk_create(missing)
    changed = 0
    for moment, row in rows.items():
        if moment in expected and (row.capacity, row.taken) != expected[moment]:
            capacity, taken = expected[moment]
            SlotTime.objects.filter(pk=row.pk).update(capacity=capacity, taken=taken)
            changed += 1
    if bump:
        _rules_changed([slot.pk])
    else:
        _places_changed([slot.pk])
    return len(extra) + len(missing) + changed


def _ensure_times(slot_id: int) -> None:
    """Time rows for a slot made without these services (a bulk insert, an older fixture), counted
    from its appointments; two bookings doing it at once insert them once (ignore_conflicts)."""
    slot = Slot.objects.filter(pk=slot_id).first()
    if slot is None or slot.interval_minutes <= 0:
        return
    expected = _expected_times(slot, _booked_by_time(slot))
    SlotTime.objects.bulk_create(
        [
            SlotTime(slot_id=slot_id, starts_at=moment, capacity=capacity, taken=taken)
            for moment, (capacity, taken) in expected.items()
        ],
        ignore_conflicts=True,
    )


def time_of(*, slot_id: int, starts_at: datetime) -> SlotTime | None:
    """The row of one time, with its slot and location, read in one statement: the version it holds
    goes with the rules it shows (a later change of the rules bumps it, and the claim sees that)."""
    rows = SlotTime.objects.select_related("slot", "slot__location")
    row = rows.filter(slot_id=slot_id, starts_at=starts_at).first()
    if row is None and not SlotTime.objects.filter(slot_id=slot_id).exists():
        _ensure_times(slot_id)
        row = rows.filter(slot_id=slot_id, starts_at=starts_at).first()
    return row


def claim_place(*, claim: SlotTime | None = None, release: tuple[int, datetime] | None = None) -> None:
    """Take one place at `claim` (the row a booking checked) and/or give one back at `release`
    ((slot id, time)), in the order of their (slot, time) so that two moves never wait in a circle.

    The claim is one conditional UPDATE: refused ("no longer available") when the time is full or
    its slot's rules changed since the row was read. Call it last in the transaction: the row stays
    locked until the commit.
    """
    steps: list[tuple[tuple[int, datetime], str]] = []
    if claim is not None:
        steps.append(((claim.slot_id, claim.starts_at), "claim"))
    if release is not None:
        steps.append((release, "release"))
    for (slot_id, moment), kind in sorted(steps):
        if kind == "release":
            SlotTime.objects.filter(slot_id=slot_id, starts_at=moment, taken__gt=0).update(
                taken=F("taken") - 1
            )
            continue
        assert claim is not None
        done = SlotTime.objects.filter(pk=claim.pk, version=claim.version, taken__lt=F("capacity")).update(
            taken=F("taken") + 1
        )
        if not done:
            raise ActionError(_("This time is no longer available. Choose another time."), code="time_gone")
    _places_changed(slot_id for (slot_id, _moment), _kind in steps)


def use_hold(*, time_row: SlotTime) -> None:
    """A waitlist hold becomes a booking (issue 20): its place is already counted in `taken`, so
    nothing is claimed; the row is locked to the commit (an edit of the slot recounts after it) and
    refused, like a claim, when the slot's rules changed since the booking checked them."""
    done = SlotTime.objects.filter(pk=time_row.pk, version=time_row.version).update(version=F("version"))
    if not done:
        raise ActionError(_("This time is no longer available. Choose another time."), code="time_gone")
    _places_changed([time_row.slot_id])


def _lock_times(slot_ids: Iterable[int]) -> None:
    """Lock the time rows of these slots, in (slot, time) order (see the lock order above)."""
    list(
        SlotTime.objects.select_for_update()
        .filter(slot_id__in=list(slot_ids))
        .order_by("slot_id", "starts_at")
        .values_list("pk", flat=True)
    )


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
    return durations.pop() if durations else 0


def _check_slot(
    *,
    organization_id: int,
    resource: TeamResource,
    location: Location,
    services: list[Service],
    starts_at: datetime,
    ends_at: datetime,
    per_interval: int,
) -> int:
    """The interval of a slot with these rules (its services' duration), or the rules' refusal."""
    interval = _interval_for(services)
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
    return interval


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
    interval = _check_slot(
        organization_id=organization.pk,
        resource=resource,
        location=location,
        services=services,
        starts_at=starts_at,
        ends_at=ends_at,
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
    _build_times([slot])
    _places_changed([slot.pk])
    return slot


def _locked_slot(slot: Slot) -> Slot:
    """The slot, locked for a change of its rules: its time rows first, then its row."""
    _lock_times([slot.pk])
    return Slot.objects.select_for_update(of=("self",)).select_related("resource", "location").get(pk=slot.pk)


def _booked_by_time(slot: Slot) -> Counter[datetime]:
    """{time: places taken}: its booked and confirmed appointments and its waitlist holds."""
    booked = Counter(
        dict(
            slot.appointments.filter(status__in=HOLDING_STATUSES)
            .values_list("starts_at")
            .annotate(count=Count("pk"))
            .values_list("starts_at", "count")
        )
    )
    for _slot_id, moment in _holds_of([slot.pk]):
        booked[moment] += 1
    return booked


def _holds_of(slot_ids: list[int]) -> list[tuple[int, datetime]]:
    """(slot id, time) of each waitlist offer holding a place in these slots (issue 20): a hold takes
    its place like a booking until it is confirmed (then the appointment holds it), declined or expired."""
    return list(
        WaitlistEntry.objects.scoped("the inventory's recount: every hold of these slots")
        .filter(status=WaitlistStatus.OFFERED, offered_time__slot_id__in=slot_ids)
        .values_list("offered_time__slot_id", "offered_time__starts_at")
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
    interval = _check_slot(
        organization_id=locked.organization_id,
        resource=resource,
        location=locked.location,
        services=services,
        starts_at=starts_at,
        ends_at=ends_at,
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
    _sync_times(locked, booked)
    return locked


@transaction.atomic
def delete_slot(*, slot: Slot) -> None:
    locked = _locked_slot(slot)
    if locked.appointments.filter(status__in=HOLDING_STATUSES).exists():
        raise ActionError(_("Appointments are booked in this slot: it cannot be deleted."))
    if locked.appointments.exists():
        # Cancelled appointments keep their history and their place in the statistics.
        raise ActionError(_("This slot holds cancelled appointments: lock it instead of deleting it."))
    pk = locked.pk
    locked.delete()  # its time rows go with it (CASCADE)
    _places_changed([pk])


@transaction.atomic
def set_slot_lock(*, slot: Slot, locked: bool) -> Slot:
    row = _locked_slot(slot)
    if row.is_locked == locked:
        return row
    row.is_locked = locked
    row.save(update_fields=["is_locked"])
    _rules_changed([row.pk])
    return row


@transaction.atomic
def set_day_lock(*, slots: QuerySet[Slot], locked: bool) -> int:
    """Lock or unlock every slot of a day (the slots the person may edit, given by the view)."""
    ids = list(slots.exclude(is_locked=locked).values_list("pk", flat=True))
    if not ids:
        return 0
    _lock_times(ids)
    changed = Slot.objects.filter(pk__in=ids).exclude(is_locked=locked).update(is_locked=locked)
    _rules_changed(ids)
    return changed


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
    _build_times(created)
    _places_changed(slot.pk for slot in created)
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


# Recount (manage.py check_inventory) -----------------------------------------------------------------


@dataclass(frozen=True)
class Drift:
    """One time whose row does not say what the appointments say (None: no row, or no such time)."""

    slot_id: int
    starts_at: datetime
    found: tuple[int, int] | None  # (capacity, taken) in the row
    expected: tuple[int, int] | None  # (capacity, taken) from the slot and its appointments


def _drift_of(slot_ids: list[int]) -> list[Drift]:
    slots = Slot.objects.filter(pk__in=slot_ids).only(
        "pk", "starts_at", "ends_at", "interval_minutes", "per_interval"
    )
    counts: dict[int, Counter[datetime]] = {}
    for slot_id, moment in Appointment.objects.filter(
        slot_id__in=slot_ids, status__in=HOLDING_STATUSES
    ).values_list("slot_id", "starts_at"):
        counts.setdefault(slot_id, Counter())[moment] += 1
    for slot_id, moment in _holds_of(slot_ids):
        counts.setdefault(slot_id, Counter())[moment] += 1
    rows: dict[int, dict[datetime, tuple[int, int]]] = {}
    for slot_id, moment, capacity, taken in SlotTime.objects.filter(slot_id__in=slot_ids).values_list(
        "slot_id", "starts_at", "capacity", "taken"
    ):
        rows.setdefault(slot_id, {})[moment] = (capacity, taken)
    drift = []
    for slot in slots:
        expected = _expected_times(slot, counts.get(slot.pk, Counter()))
        found = rows.get(slot.pk, {})
        for moment in sorted(set(expected) | set(found)):
            if expected.get(moment) != found.get(moment):
                drift.append(Drift(slot.pk, moment, found.get(moment), expected.get(moment)))
    return drift


def recount_inventory(
    *, fix: bool = False, organization_id: int | None = None, chunk: int = 500
) -> tuple[int, int, list[Drift]]:
    """Recount every slot's places from its appointments: (slots, times, drift found).

    A first pass reads without locks; a slot that seems to drift is read again under its locks
    (bookings in flight have committed by then), so a booking at that moment is no false alarm.
    With `fix`, those slots' rows are rewritten from the appointments, in the same transaction.
    """
    slots = Slot.objects.order_by("pk")
    if organization_id is not None:
        slots = slots.filter(organization_id=organization_id)
    ids = list(slots.values_list("pk", flat=True))
    times = SlotTime.objects.filter(slot_id__in=slots.values("pk")).count()
    found: list[Drift] = []
    for start in range(0, len(ids), chunk):
        suspects = sorted({drift.slot_id for drift in _drift_of(ids[start : start + chunk])})
        for slot_id in suspects:
            with transaction.atomic():
                _lock_times([slot_id])
                drift = _drift_of([slot_id])
                if drift and fix:
                    slot = Slot.objects.select_for_update(of=("self",)).get(pk=slot_id)
                    _sync_times(slot, _booked_by_time(slot), bump=False)
            found.extend(drift)
    return len(ids), times, found
