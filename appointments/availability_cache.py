"""The cache side of the public availability (appointments.availability): versioned keys and
their invalidation.

The public configuration and the open times live in the cache (Redis in production) under
*versioned* keys: a change does not delete an entry, it gives its (organization) or its
(location, day) a new version once the change is committed, so a visitor who read the database just
before the commit stores what it read under a version nobody asks for any more. Entries also expire
on their own (a safety net for a change made outside the ORM's signals and the inventory's services:
SQL by hand).

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
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import timezone

from appointments.models import (
    Appointment,
    ClinicSettings,
    EligibilityQuestion,
    Location,
    Service,
    Slot,
    TeamResource,
)
from appointments.schedules import services as schedules_services
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


def _config_version_key(organization_id: int) -> str:
    return f"appointments:public:v:{organization_id}"


def forget_public_configuration(organization_id: int | None) -> None:
    """The public pages read the organization's configuration again (after this transaction)."""
    if organization_id:
        _bump(_config_version_key(organization_id))


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
