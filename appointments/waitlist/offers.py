"""Waitlist offers (issue 20): when places open, the people waiting are offered them in order, each
with a time-limited hold that really reserves the place.

- **A hold is a place taken.** Offering a place claims it in the booking inventory with the same
  conditional UPDATE as a booking (SlotTime.taken + 1 while taken < capacity), so the public never
  sees or books a held place and a hold and a booking never share the last one. The recount
  (manage.py check_inventory, a slot's edit) counts holds with the appointments. Confirming books
  through booking.services.book_place, which converts the hold (nothing claimed twice); declining
  or expiry gives the place back and the next person is offered it.
- **Who is offered a place**: the service's waiting people whose area (postal-code FSA) is the
  location's come first, in order of sign-up; when nobody of that area waits, the others, in order
  of sign-up. One person, one offer at a time; one offer per free place.
- **Which places**: those the public could book online (booking open, slot unlocked, within the
  days shown, the service active) and that start after the hold's end (a place nobody could still
  confirm is not offered).
- **Quiet hours**: the offer goes through notify with the reminders' quiet hours (portal.dates); an
  offer made at night is sent at 8:00 and its hold counts from then, so everybody gets the whole
  hold awake.
- **Order of locks**, as booking: the entry row, then the time row.

Tasks (appointments.tasks) call `offer_places` after the commit of any change of places and every
five minutes with `expire_holds`. The one clock is timezone.now(), passed down as `now`.
"""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core import signing
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from appointments.models import (
    Appointment,
    ClinicSettings,
    Service,
    Slot,
    SlotTime,
    WaitlistEntry,
    WaitlistStatus,
)
from appointments.schedules import services as schedules_services
from appointments.waitlist.services import area_of, leave_token
from portal import dates
from portal import services as portal_services
from portal.models import Channel
from portal.workflow import ActionError

logger = logging.getLogger(__name__)

OFFER_SALT = "appointments.waitlist.offer"
DEFAULT_HOLD_HOURS = 2


# Holds -------------------------------------------------------------------------------------------------


def hold_hours(organization_id: int) -> int:
    value = (
        ClinicSettings.objects.for_organization(organization_id)
        .values_list("waitlist_hold_hours", flat=True)
        .first()
    )
    return int(value or DEFAULT_HOLD_HOURS)


def hold_end(*, organization_id: int, now: datetime) -> datetime:
    """The end of a hold offered at `now`: the hold's hours from when its message may go out (at
    night, 8:00; portal.dates.next_sending_time), counted in real elapsed time (a DST night too)."""
    start = dates.next_sending_time(now)
    result: datetime = dates.add_minutes(start, hold_hours(organization_id) * 60)
    return result


def _offerable_times(*, service_ids: Iterable[int], slot_ids: Iterable[int] | None, now: datetime):
    """The free times the public could book, of slots offering one of these services, earliest first."""
    rows = (
        SlotTime.objects.scoped("waitlist offers: the slots of the services' own networks")
        .select_related("slot", "slot__location")
        .filter(
            taken__lt=F("capacity"),
            starts_at__gt=now,
            slot__is_locked=False,
            slot__organization__appointment_settings__online_booking_open=True,
        )
        .annotate(
            offers=Exists(
                Slot.services.through.objects.filter(slot_id=OuterRef("slot_id"), service_id__in=service_ids)
            )
        )
        .filter(offers=True)
        .order_by("starts_at", "slot_id")
    )
    # No network shows more than 120 days (ClinicSettings.days_shown): later times are not read.
    rows = rows.filter(starts_at__lte=now + timedelta(days=122))
    if slot_ids is not None:
        rows = rows.filter(slot_id__in=list(slot_ids))
    return rows


def offer_places(*, slot_ids: Iterable[int] | None = None, now: datetime | None = None) -> int:
    """Offer the free places of these slots (None: every slot) to the people waiting; returns how
    many offers were made. Safe to run twice at once: each entry and each place is taken under a lock."""
    now = now or timezone.now()
    waiting_services = set(
        WaitlistEntry.objects.scoped("waitlist offers: every network's waiting people")
        .filter(status=WaitlistStatus.WAITING, service__is_active=True)
        .values_list("service_id", flat=True)
        .distinct()
    )
    if not waiting_services:
        return 0
    made = 0
    ends: dict[int, datetime] = {}
    days_shown: dict[int, int] = {}
    for row in _offerable_times(service_ids=waiting_services, slot_ids=slot_ids, now=now):
        organization_id = row.slot.organization_id
        if organization_id not in ends:
            ends[organization_id] = hold_end(organization_id=organization_id, now=now)
            days_shown[organization_id] = (
                ClinicSettings.objects.for_organization(organization_id)
                .values_list("days_shown", flat=True)
                .first()
                or 0
            )
        end = ends[organization_id]
        last_day = timezone.localdate(now) + timedelta(days=days_shown[organization_id])
        if row.starts_at <= end or timezone.localtime(row.starts_at).date() > last_day:
            continue
        service_ids = [
            pk
            for pk in Slot.services.through.objects.filter(slot_id=row.slot_id).values_list(
                "service_id", flat=True
            )
            if pk in waiting_services
        ]
        for _place in range(row.capacity - row.taken):
            entry = _offer_one(row=row, service_ids=service_ids, expires_at=end, now=now)
            if entry is NOBODY:
                # Nobody left on these services' lists: their other times are not looked at.
                waiting_services.difference_update(service_ids)
            if not isinstance(entry, WaitlistEntry):
                break
            made += 1
        if not waiting_services:
            break
    return made


NOBODY = "nobody"


@transaction.atomic
def _offer_one(
    *, row: SlotTime, service_ids: list[int], expires_at: datetime, now: datetime
) -> WaitlistEntry | str | None:
    """Hold one place of `row` for the next person waiting; NOBODY when nobody waits (or all are
    being offered a place by another run), None when the place is gone."""
    if not service_ids:
        return None
    area = area_of(row.slot.location.postal_code)
    waiting = (
        WaitlistEntry.objects.for_organization(row.slot.organization_id)
        .filter(service_id__in=service_ids, status=WaitlistStatus.WAITING)
        .select_for_update(skip_locked=True)
    )
    # Same area first, each in order of sign-up (two queries keep the lock simple: no ordering on
    # an expression under FOR UPDATE).
    entry = waiting.filter(area=area).order_by("created_at", "pk").first()
    if entry is None:
        entry = waiting.order_by("created_at", "pk").first()
    if entry is None:
        return NOBODY
    fresh = SlotTime.objects.filter(pk=row.pk).only("pk", "slot_id", "starts_at", "version").first()
    if fresh is None:
        return None
    try:
        # The same claim as a booking: refused when the time is full (a booking or a hold was first).
        schedules_services.claim_place(claim=fresh)
    except ActionError:
        transaction.set_rollback(True)
        return None
    entry.status = WaitlistStatus.OFFERED
    entry.offered_time = row
    entry.offer_expires_at = expires_at
    entry.save(update_fields=["status", "offered_time", "offer_expires_at"])
    send_offer(entry, row=row, now=now)
    return entry


def lock_hold(*, entry_id: int, service: Service, slot_id: int, starts_at: datetime) -> WaitlistEntry:
    """The entry of a hold being booked, locked; a clear refusal when it is no longer held."""
    entry = (
        WaitlistEntry.objects.for_organization(service.organization_id)
        .select_for_update(of=("self",))
        .select_related("offered_time")
        .filter(pk=entry_id, service=service)
        .first()
    )
    if (
        entry is None
        or entry.status != WaitlistStatus.OFFERED
        or entry.offered_time is None
        or entry.offered_time.slot_id != slot_id
        or entry.offered_time.starts_at != starts_at
        or entry.offer_expires_at is None
        or entry.offer_expires_at <= timezone.now()
    ):
        raise ActionError(
            _("This offer has expired or the place was given to someone else."), code="hold_gone"
        )
    return entry


def mark_booked(entry: WaitlistEntry, appointment: Appointment) -> None:
    """The locked hold's entry was booked (in the booking's transaction)."""
    entry.status = WaitlistStatus.BOOKED
    entry.appointment = appointment
    entry.offer_expires_at = None
    entry.save(update_fields=["status", "appointment", "offer_expires_at"])


@transaction.atomic
def release_hold(
    *, entry_id: int, status: str, now: datetime | None = None, only_expired: bool = False
) -> bool:
    """End an offer (declined: LEFT, or EXPIRED) and give its place back; False when it was no
    longer held (confirmed, declined or expired meanwhile). The place goes to the next person
    after the commit (the inventory's listener queues the offer task)."""
    now = now or timezone.now()
    held = (
        WaitlistEntry.objects.scoped("a hold, by its id")
        .select_for_update(of=("self",))
        .filter(pk=entry_id, status=WaitlistStatus.OFFERED)
    )
    if only_expired:
        held = held.filter(offer_expires_at__lte=now)
    entry = held.select_related("offered_time").first()
    if entry is None:
        return False
    time_row = entry.offered_time
    entry.status = status
    entry.offer_expires_at = None
    fields = ["status", "offer_expires_at"]
    if status == WaitlistStatus.LEFT:
        entry.left_at = now
        fields.append("left_at")
    entry.save(update_fields=fields)
    if time_row is not None:
        schedules_services.claim_place(release=(time_row.slot_id, time_row.starts_at))
    return True


def decline(entry: WaitlistEntry) -> bool:
    """The person declines the offer: off the list, the place to the next person."""
    return release_hold(entry_id=entry.pk, status=WaitlistStatus.LEFT)


def expire_holds(*, now: datetime | None = None) -> int:
    """End the holds past their time (their places go to the next people); returns how many."""
    now = now or timezone.now()
    due = list(
        WaitlistEntry.objects.scoped("expiry: every network's holds")
        .filter(status=WaitlistStatus.OFFERED, offer_expires_at__lte=now)
        .values_list("pk", flat=True)
    )
    return sum(
        release_hold(entry_id=pk, status=WaitlistStatus.EXPIRED, now=now, only_expired=True) for pk in due
    )


# The offer's link and message ---------------------------------------------------------------------------


def offer_token(entry: WaitlistEntry) -> str:
    """The signed token of the offer's link: the entry's id and the time it holds (nothing personal);
    a later offer to the same person has another token."""
    return signing.Signer(salt=OFFER_SALT).sign_object([entry.pk, entry.offered_time_id])


def entry_of_offer_token(organization_id: int, token: str) -> WaitlistEntry | None:
    """The entry an offer link names, in this organization; None for a bad, foreign or stale token."""
    try:
        value = signing.Signer(salt=OFFER_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(item, int) for item in value)):
        return None
    pk, time_id = value
    found: WaitlistEntry | None = (
        WaitlistEntry.objects.for_organization(organization_id)
        .select_related("service", "offered_time__slot__location")
        .filter(pk=pk)
        .filter(Q(offered_time_id=time_id) | ~Q(status=WaitlistStatus.OFFERED))
        .first()
    )
    return found


def still_held(entry_id: int) -> bool:
    """Asked by the worker just before sending an offer (a message kept for the morning)."""
    return (
        WaitlistEntry.objects.scoped("the worker's check of one offer")
        .filter(pk=entry_id, status=WaitlistStatus.OFFERED, offer_expires_at__gt=timezone.now())
        .exists()
    )


def send_offer(entry: WaitlistEntry, *, row: SlotTime, now: datetime) -> None:
    channels = [
        channel
        for channel, address in ((Channel.EMAIL, entry.email), (Channel.SMS, entry.mobile_phone))
        if address
    ]
    location = row.slot.location
    language = entry.language if entry.language in ("fr", "en") else "fr"
    with translation.override(language):
        moment = timezone.localtime(row.starts_at)
        until = timezone.localtime(entry.offer_expires_at)
        context: dict[str, Any] = {
            "service": entry.service.name,
            "location": location.name,
            "address": location.full_address,
            "date": dates.long_date(moment, weekday=True),
            "short_date": moment.strftime("%Y-%m-%d"),
            "time": moment.strftime("%H:%M"),
            "until": dates.moment(until),
            # The SMS writes its dates as the other appointment SMS do (short, never ambiguous).
            "until_short": until.strftime("%Y-%m-%d %H:%M"),
            "leave": reverse(
                "appointments:public_waitlist_leave", args=[entry.organization_id, leave_token(entry)]
            ),
        }
    portal_services.notify(
        key=f"appointments:waitlist:{entry.pk}:offer:{row.pk}",
        template="appointments/emails/waitlist_offer",
        email=entry.email,
        phone=entry.mobile_phone,
        language=language,
        channels=channels,
        context=context,
        quiet_hours=True,
        send_only_if=["appointments.waitlist.offers.still_held", {"entry_id": entry.pk}],
        link=reverse("appointments:public_waitlist_offer", args=[entry.organization_id, offer_token(entry)]),
    )


# After the commit of any change of places (a cancellation, new slots, more places, a hold given
# back): the places are offered to the people waiting, by a task (appointments.tasks.offer_waitlist_places).


def _places_opened(slot_ids: set[int]) -> None:
    from django.conf import settings

    from appointments.tasks import offer_waitlist_places
    from portal import queue

    if settings.APPOINTMENTS_WAITLIST:
        # The task itself, not its name: registered even where appointments.tasks was not imported.
        queue.publish(offer_waitlist_places, sorted(slot_ids))


schedules_services.on_places_changed(_places_opened)
