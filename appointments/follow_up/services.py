"""Follow-up: confirmation, cancellation, attendance, reminders and relaunches (by hand and
automated), staff changes and batch actions.

Keyword-only functions, atomic; a refusal is an ActionError, nothing saved.
"""

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments.booking.services import (
    CANCEL,
    CONFIRM,
    active_duplicate,
    cancel_locked,
    check_bookable,
    check_transition,
    duplicate_error,
    locked_appointment,
    message_context,
    person_lock,
    record_event,
    send_to_person,
)
from appointments.models import (
    HOLDING_STATUSES,
    Appointment,
    AppointmentStatus,
    Attendance,
    CommunicationKind,
    CommunicationRule,
    PersonalField,
    Service,
    Slot,
    SlotTime,
    person_key,
)
from appointments.schedules import services as schedules_services
from portal import dates
from portal.models import Channel, User
from portal.workflow import ActionError

# Quiet hours: the guide's hint (2.5), enforced: nothing goes out between 21:00 and 8:00.
RELAUNCH_WINDOW = timedelta(days=7)


@transaction.atomic
def cancel_appointment(
    *,
    actor: User | None,
    appointment: Appointment,
    by_person: bool = False,
    note: str = "",
    notice_channels: Iterable[str] | None = None,
) -> Appointment:
    """Cancels and sends the person the cancellation notice, on the channels chosen at booking
    (only those of `notice_channels` when given: an SMS reply already answers by SMS)."""
    locked = locked_appointment(appointment)
    check_transition(locked, CANCEL)
    if by_person and locked.starts_at <= timezone.now():
        raise ActionError(_("This appointment has passed: it can no longer be cancelled online."))
    if locked.attendance != Attendance.UNDEFINED:
        raise ActionError(
            _("The person's presence is already recorded: this appointment cannot be cancelled.")
        )
    cancel_locked(locked, actor=actor, note=note or (_("Cancelled by the person.") if by_person else ""))
    send_to_person(locked, "cancelled", key_suffix="cancelled", links=False, allowed=notice_channels)
    return locked


@transaction.atomic
def confirm_appointment(*, actor: User | None, appointment: Appointment, note: str = "") -> Appointment:
    locked = locked_appointment(appointment)
    if locked.status == CONFIRM.target_for(locked):
        return locked  # confirming twice (the link clicked again) changes nothing
    check_transition(locked, CONFIRM)
    if locked.starts_at <= timezone.now():
        raise ActionError(_("This appointment has passed: it can no longer be confirmed."))
    previous = locked.status
    locked.status, locked.confirmed_at = CONFIRM.target_for(locked), timezone.now()
    locked.save(update_fields=["status", "confirmed_at"])
    record_event(
        locked, actor=actor, action=CONFIRM.action, from_status=previous, to_status=locked.status, note=note
    )
    return locked


@transaction.atomic
def mark_attendance(*, actor: User, appointment: Appointment, attendance: str) -> Appointment:
    """Present, absent or not eligible (guide 6.7 to 6.9); an absence triggers the relaunch later."""
    if attendance not in Attendance.values:
        raise ActionError(_("Choose present, absent or not eligible."))
    locked = locked_appointment(appointment)
    if locked.status == AppointmentStatus.CANCELLED:
        raise ActionError(_("This appointment is cancelled: the person's status cannot change."))
    if locked.attendance == attendance:
        return locked
    # Back to "not defined" (a mis-click, guide 6.9) clears the time it was recorded.
    locked.attendance = attendance
    locked.attendance_at = None if attendance == Attendance.UNDEFINED else timezone.now()
    locked.save(update_fields=["attendance", "attendance_at"])
    record_event(locked, actor=actor, action=f"attendance:{attendance}")
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
    locked = locked_appointment(appointment)
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
    sent = send_to_person(
        locked, "reminder", key_suffix=f"reminder:{which}:{locked.reminders + 1}", allowed=channels
    )
    if which == "manual" and not sent:
        raise ActionError(_("This person gave no email or mobile phone for messages: nothing was sent."))
    if sent:
        # The list's "Reminder (n)" counts reminders that went out, not attempts.
        locked.reminders += 1
        fields.append("reminders")
    if fields:
        locked.save(update_fields=fields)
    record_event(locked, actor=actor, action=f"reminder:{which}")
    return sent


def _send_relaunch(appointment: Appointment, *, key_suffix: str, allowed: Iterable[str] | None) -> list[Any]:
    """The invitation to book again, worded for what happened (guide 2.5): after an absence the
    appointment "did not take place"; after a cancellation it was cancelled."""
    cancelled = appointment.status == AppointmentStatus.CANCELLED
    return send_to_person(
        appointment,
        "relaunch_cancelled" if cancelled else "relaunch",
        key_suffix=key_suffix,
        links=False,
        allowed=allowed,
    )


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
    locked = locked_appointment(appointment)
    if automatic and locked.relaunch_at is not None:
        return None
    if not (locked.status == AppointmentStatus.CANCELLED or locked.attendance == Attendance.ABSENT):
        raise ActionError(_("A follow-up reminder goes to people who were absent or whose appointment was cancelled."))
    if not automatic:
        _check_daytime()
    locked.relaunch_at = now
    fields = ["relaunch_at"]
    sent = None
    if not (automatic and _has_booked_again(locked)):
        # Nobody is asked to book again after they already did.
        sent = _send_relaunch(locked, key_suffix=f"relaunch:{locked.relaunches + 1}", allowed=channels)
        if not automatic and not sent:
            raise ActionError(_("This person gave no email or mobile phone for messages: nothing was sent."))
        if sent:
            locked.relaunches += 1
            fields.append("relaunches")
    locked.save(update_fields=fields)
    record_event(locked, actor=actor, action="relaunch")
    return sent


@transaction.atomic
def update_appointment(
    *,
    actor: User | None,
    appointment: Appointment,
    details: dict[str, Any],
    slot: Slot | None = None,
    service: Service | None = None,
    starts_at: datetime | None = None,
    online: bool = False,
) -> Appointment:
    """Staff change an appointment (guide 4.5): an upcoming one may move (service, location, date,
    time) and change its comment and personal details; a past or cancelled one only the latter.
    `online`: the person moves it from their link (actor None; issue 20), under online booking's
    rules for the new time (open, within the days shown, not locked); their old place is kept until
    the new one is claimed, in the same commit (never two, never none).

    Locks in the order booking takes them (person, appointment, then the time rows: the new place
    claimed and the old one given back last, schedules_services.claim_place), so that the two never
    wait for each other.
    """
    current = Appointment.objects.get(pk=appointment.pk)
    moving = slot is not None and (
        slot.pk != current.slot_id
        or starts_at != current.starts_at
        or getattr(service, "pk", None) != current.service_id
    )
    person_lock(current.organization_id, current.service_id, current.person_key)
    locked = locked_appointment(appointment)
    claim: SlotTime | None = None
    left: tuple[int, datetime] | None = None
    if (locked.slot_id, locked.starts_at, locked.service_id, locked.status) != (
        current.slot_id,
        current.starts_at,
        current.service_id,
        current.status,
    ):
        raise ActionError(_("Someone changed this appointment at the same moment: check it and try again."))
    if moving:
        # A move names its slot, its service and its time together.
        assert slot is not None and service is not None and starts_at is not None
        if locked.status == AppointmentStatus.CANCELLED or locked.starts_at <= timezone.now():
            raise ActionError(
                _(
                    "A past or cancelled appointment keeps its service, place and time: only the comment and details change."
                )
            )
        # The place being left does not count against the new time in the same slot.
        if not (slot.pk == locked.slot_id and starts_at == locked.starts_at):
            claim = check_bookable(slot_id=slot.pk, service=service, starts_at=starts_at, online=online)
            new_slot, left = claim.slot, (locked.slot_id, locked.starts_at)
        elif not locked.slot.services.filter(pk=service.pk).exists():
            # Same place and time, another service: the slot must still offer it.
            raise ActionError(_("This slot does not offer this service."), code="time_gone")
        else:
            new_slot = locked.slot
        locked.slot, locked.service, locked.starts_at = new_slot, service, starts_at
        locked.first_reminder_at = locked.second_reminder_at = None
    if "details" in details and locked.person_comment:
        # Staff's form has its own comment field, not the person's: what they typed booking online
        # stays with their details (shown under "Comment" with staff's).
        details = {
            **details,
            "details": {PersonalField.COMMENT: locked.person_comment, **(details["details"] or {})},
        }
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
        existing = active_duplicate(
            organization_id=locked.organization_id,
            service=locked.service,
            key=locked.person_key,
            exclude=locked,
        )
        if existing is not None:
            raise duplicate_error(existing, online=False)
    locked.save()
    record_event(locked, actor=actor, action="changed")
    if moving:
        # The person's new coupon says what changed (old → new), not "your appointment is booked".
        before = {f"old_{key}": value for key, value in message_context(current).items()}
        send_to_person(
            locked, "changed", key_suffix=f"moved:{secrets.token_hex(6)}", context=before, attach=True
        )
    if claim is not None:
        # Last, as in booking: the new place claimed, the old one given back, in the same commit.
        schedules_services.claim_place(claim=claim, release=left)
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


def _due(queryset: QuerySet[Appointment], field: str) -> list[int]:
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
            for pk in _due(due, f"{which}_reminder_at"):
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
            for pk in _due(due, "relaunch_at"):
                try:
                    if send_relaunch(
                        actor=None, appointment=Appointment(pk=pk), automatic=True, channels=channels, now=now
                    ):
                        sent += 1
                except ActionError:
                    continue
    return sent
