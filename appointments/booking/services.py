"""Booking: one place in a slot, the person's messages, and the cancellation a booking may make.

Keyword-only functions, atomic; a refusal is an ActionError, nothing saved.
"""

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.core import signing
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from appointments import roles
from appointments.models import (
    HOLDING_STATUSES,
    Appointment,
    AppointmentEvent,
    AppointmentStatus,
    Attendance,
    Dose,
    Service,
    Slot,
    SlotTime,
    person_key,
)
from appointments.schedules import services as schedules_services
from portal import dates
from portal import services as portal_services
from portal.models import Channel, User
from portal.workflow import ActionError, Transition, Workflow

# Appointments: booking, changes, status changes, communications ---------------------------------------


def _new_number() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _index in range(6))


def record_event(
    appointment: Appointment,
    /,
    *,
    actor: User | None,
    action: str,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
) -> AppointmentEvent:
    """The appointment's history row (portal.models.HistoryEntry's shape; a status change says old → new)."""
    return AppointmentEvent.objects.create(
        appointment=appointment,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        note=note[:300],
    )


def _event(appointment: Appointment, action: str, actor: User | None = None, note: str = "") -> None:
    record_event(appointment, actor=actor, action=action, note=note)


# The appointment's status changes, declared once (portal.workflow): which statuses each starts
# from, and its refusal. The services below lock the row with what the messages need, check the
# declaration, then save the status with its time (confirmed_at, cancelled_at) and the history row.
CONFIRM = Transition(
    name="confirm",
    sources=(AppointmentStatus.BOOKED,),
    target=AppointmentStatus.CONFIRMED,
    capability=roles.BOOK,
    label=gettext_lazy("Confirm"),
    history="confirmed",
    button=False,
    refused=gettext_lazy("This appointment is cancelled: it cannot be confirmed."),
)
CANCEL = Transition(
    name="cancel",
    sources=(AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED),
    target=AppointmentStatus.CANCELLED,
    capability=roles.BOOK,
    label=gettext_lazy("Cancel the appointment"),
    history="cancelled",
    button=False,
    refused=gettext_lazy("This appointment is already cancelled."),
)
APPOINTMENT_FLOW: Workflow[Appointment] = Workflow(
    model=Appointment,
    transitions=[CONFIRM, CANCEL],
    record_history=record_event,
    url_name="appointments:manage",
)


def check_transition(locked: Appointment, transition: Transition) -> None:
    """The declaration's guard on a row the caller locked: its refusal unless the status allows it."""
    if not APPOINTMENT_FLOW.allows(locked, transition.name):
        raise APPOINTMENT_FLOW.refuse(locked, transition.sources, transition)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: list[Any]
    names: list[str | None]  # per parameter: the value it takes, or None (a constant)
    compiler: Any
    converters: dict[int, Any]
    model: Any
    fields: slice  # the model's columns in a row
    init_list: list[str]
    populators: list[Any]  # select_related objects
    annotations: dict[str, int]
    db: str


class _PreparedRead:
    """A read of the booking path built and compiled by the ORM once per process and database
    connection, then run with each booking's values: no queryset built or compiled per request
    (the ORM's compile was a tenth of a booking's CPU). The rows become the same instances as the
    ORM's (select_related objects and annotations included, the database's converters applied).

    `build(**values)` returns the queryset; it is called once with `sentinels` (a value per name that
    no real read uses), which the compiled parameters are matched against (datetimes as the
    backend adapts them)."""

    def __init__(self, build: Callable[..., QuerySet[Any]], **sentinels: Any):
        self._build = build
        self._sentinels = sentinels
        self._datetimes = {name for name, value in sentinels.items() if isinstance(value, datetime)}
        self._compiled: dict[int, _Compiled] = {}

    def _compile(self) -> _Compiled:
        sentinels = self._sentinels
        queryset = self._build(**sentinels)
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        adapted = {
            (connection.ops.adapt_datetimefield_value(value) if name in self._datetimes else value): name
            for name, value in sentinels.items()
        }
        names = [adapted.get(param) if isinstance(param, int | str | datetime) else None for param in params]
        if sorted(name for name in names if name) != sorted(sentinels):
            raise AssertionError("every value of a prepared read must appear once in its parameters")
        select, klass_info = compiler.select, compiler.klass_info
        first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        return _Compiled(
            sql=sql,
            params=list(params),
            names=names,
            compiler=compiler,
            converters=compiler.get_converters([column[0] for column in select[0 : compiler.col_count]]),
            model=klass_info["model"],
            fields=slice(first, last),
            init_list=[column[0].target.attname for column in select[first:last]],
            populators=get_related_populators(klass_info, select, queryset.db),
            annotations=dict(compiler.annotation_col_map),
            db=queryset.db,
        )

    def first(self, **values: Any) -> Any:
        """The first row's instance for these values, or None."""
        if len(self._compiled) > 64:  # one per connection (thread): bounded
            self._compiled.clear()
        key = id(connections[DEFAULT_DB_ALIAS])  # the thread's connection (its ops and converters)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile()
        arguments = [
            param
            if name is None
            else connection.ops.adapt_datetimefield_value(values[name])
            if name in self._datetimes
            else values[name]
            for param, name in zip(compiled.params, compiled.names, strict=True)
        ]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, arguments)
            found = cursor.fetchone()
        if found is None:
            return None
        row = list(found)
        if compiled.converters:
            row = next(iter(compiled.compiler.apply_converters([row], compiled.converters)))
        instance = compiled.model.from_db(compiled.db, compiled.init_list, row[compiled.fields])
        for populator in compiled.populators:
            populator.populate(row, instance)
        for name, position in compiled.annotations.items():
            setattr(instance, name, row[position])
        return instance


def _build_time_row(
    *, slot_id: int, service_id: int, organization_id: int, starts_at: datetime
) -> QuerySet[SlotTime]:
    # The network's settings joined (one-to-one), not read by two subqueries: a cheaper statement
    # to build and to run; no settings row reads as closed, as before.
    settings_of = "slot__organization__appointment_settings__"
    return (
        SlotTime.objects.scoped("a booking: the slot is the service's network's (filtered below)")
        .select_related("slot", "slot__location")
        .annotate(
            offers=Exists(
                Slot.services.through.objects.filter(slot_id=OuterRef("slot_id"), service_id=service_id)
            ),
            online_open=F(f"{settings_of}online_booking_open"),
            days_shown=F(f"{settings_of}days_shown"),
        )
        .filter(slot_id=slot_id, starts_at=starts_at, slot__organization_id=organization_id)
        .order_by("pk")[:1]
    )


_NEVER = datetime(1901, 2, 3, 4, 5, 6, tzinfo=UTC)  # a sentinel instant
_TIME_ROW = _PreparedRead(
    _build_time_row,
    slot_id=-917_355_001,
    service_id=-917_355_002,
    organization_id=-917_355_003,
    starts_at=_NEVER,
)


def _time_row(*, slot_id: int, service: Service, starts_at: datetime) -> SlotTime | None:
    """The time's row with its slot and location, whether the slot offers the service, and the
    network's online-booking switch and days shown, in one statement (the version it holds goes
    with the rules it shows: a later change of the rules bumps it, and the claim sees that).
    Compiled once (_PreparedRead): the statement every booking runs."""
    row: SlotTime | None = _TIME_ROW.first(
        slot_id=slot_id, service_id=service.pk, organization_id=service.organization_id, starts_at=starts_at
    )
    if row is None and schedules_services.time_of(slot_id=slot_id, starts_at=starts_at) is not None:
        # A slot whose rows were missing (time_of builds them): read again with the annotations.
        return _time_row(slot_id=slot_id, service=service, starts_at=starts_at)
    return row


def check_bookable(
    *,
    slot_id: int,
    service: Service,
    starts_at: datetime,
    online: bool,
    not_before: datetime | None = None,
    held: bool = False,
) -> SlotTime:
    """The guards of a booking: service, time, lock, places left. No lock is taken: the time's row
    and its slot are read fresh in one statement, and the row returned (with its version) is what
    `schedules_services.claim_place` claims at the end, refused if anything changed meanwhile.

    `not_before` (a second dose's earliest moment): online, the days shown count from its day.
    `held`: a waitlist hold's place (already counted in `taken`), so a full time is no refusal."""
    time_row = _time_row(slot_id=slot_id, service=service, starts_at=starts_at)
    if time_row is None:
        if online:
            raise ActionError(_("This time is not available. Choose a time in the list."), code="time_gone")
        raise ActionError(_("This time is not one of the slot's times."), code="time_gone")
    fresh = time_row.slot
    annotated: Any = time_row  # offers, online_open, days_shown: the annotations of _time_row
    if not annotated.offers:
        raise ActionError(_("This slot does not offer this service."), code="time_gone")
    if starts_at not in fresh.interval_starts():
        raise ActionError(_("This time is not one of the slot's times."), code="time_gone")
    if starts_at <= timezone.now():
        raise ActionError(_("This time has passed. Choose another time."), code="time_gone")
    if online:
        if not annotated.online_open:
            raise ActionError(_("Online booking is closed at the moment."), code="time_gone")
        first_day = timezone.localdate()
        if not_before is not None:
            first_day = max(first_day, timezone.localdate(not_before))
        last_day = first_day + timedelta(days=annotated.days_shown)
        if fresh.is_locked or timezone.localtime(starts_at).date() > last_day or not service.is_active:
            raise ActionError(_("This time is no longer available. Choose another time."), code="time_gone")
    # Read without a lock: a full time is refused at once; the claim decides for the last places.
    if time_row.taken >= time_row.capacity and not held:
        raise ActionError(_("This time is no longer available. Choose another time."), code="time_gone")
    return time_row


def person_lock(organization_id: int, service_id: int, key: str) -> None:
    """PostgreSQL: a transaction-scoped advisory lock on (application, service, person)."""
    if key and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))",
                [f"appointments:{organization_id}:{service_id}:{key}"],
            )


def active_duplicate(
    *, organization_id: int, service: Service, key: str, exclude: Appointment | None = None
) -> Appointment | None:
    """The person's upcoming appointment for the service, if any (a past one never blocks).

    On PostgreSQL a transaction-scoped advisory lock on (application, service, person) makes two
    bookings of the same person wait for each other, so the second sees the first.
    """
    if not key:
        return None
    person_lock(organization_id, service.pk, key)
    values: dict[str, Any] = {
        "organization_id": organization_id,
        "service_id": service.pk,
        "key": key,
        "now": timezone.now(),
    }
    if exclude is None:
        found: Appointment | None = _DUPLICATE.first(**values)
        return found
    return _build_duplicate(**values).exclude(pk=exclude.pk).first()


def _build_duplicate(
    *, organization_id: int, service_id: int, key: str, now: datetime
) -> QuerySet[Appointment]:
    """The person's upcoming appointments for the service, locked, in order."""
    return Appointment.objects.select_for_update().filter(
        organization_id=organization_id,
        service_id=service_id,
        person_key=key,
        status__in=HOLDING_STATUSES,
        attendance=Attendance.UNDEFINED,
        starts_at__gt=now,
    )


# The booking's check of the person, compiled once (the first of the ordered rows, as .first()).
_DUPLICATE = _PreparedRead(
    lambda **values: _build_duplicate(**values)[:1],
    organization_id=-917_355_001,
    service_id=-917_355_002,
    key="prepared:sentinel:person",
    now=_NEVER,
)


def duplicate_error(existing: Appointment, online: bool) -> ActionError:
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


# A clash of confirmation numbers (32^6 of them) is left to the unique constraint: the booking is
# tried again with a new number, instead of a look-up before every insert.
NUMBER_ATTEMPTS = 5


def book_place(*, slot: Slot | None = None, slot_id: int | None = None, **values: Any) -> Appointment:
    """Book one place (see `_book_place`): in `slot`, or in the slot `slot_id` of the service's
    network (the public path passes the id it was given: the slot is read with its time's row)."""
    for attempt in range(NUMBER_ATTEMPTS):
        number = _new_number()
        try:
            return _book_place(slot_id=slot.pk if slot is not None else slot_id, number=number, **values)
        except IntegrityError:
            # Only a clash of numbers is tried again; anything else is a real error.
            if attempt + 1 == NUMBER_ATTEMPTS or not Appointment.objects.filter(number=number).exists():
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def _book_place(
    *,
    actor: User | None,
    slot_id: int | None,
    number: str,
    service: Service,
    location_id: int | None = None,
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
    first_dose_id: int | None = None,
    waitlist_entry_id: int | None = None,
) -> Appointment:
    """Book one place at `starts_at` in `slot`.

    Nothing locks the slot: the checks read the time's row (appointments.SlotTime) and the place is
    claimed last, with one conditional UPDATE of that row (taken + 1 while taken < capacity, on the
    rules checked), so the critical section is that statement and the commit, and bookings at other
    times never wait: never more bookings than places. One person (same names and date of birth)
    holds one active appointment per service, under an advisory lock per person; a second dose
    booked earlier than the one held replaces it in the same step (its place given back).

    `first_dose_id`: the second dose of that first dose (issue 20), never earlier than its minimum
    interval, read from the first dose locked (moved meanwhile: its new time counts).

    `waitlist_entry_id`: the booking of a waitlist offer's held place (issue 20), the entry locked
    first: the place is already counted, so nothing is claimed, and the entry says it was booked.
    """
    if slot_id is None:
        raise ActionError(_("This time is not one of the slot's times."), code="time_gone")
    hold = None
    if waitlist_entry_id is not None:
        from appointments.waitlist import offers

        hold = offers.lock_hold(
            entry_id=waitlist_entry_id, service=service, slot_id=slot_id, starts_at=starts_at
        )
    not_before = None
    if first_dose_id is not None:
        not_before = _check_second_dose(first_dose_id=first_dose_id, service=service, starts_at=starts_at)
    time_row = check_bookable(
        slot_id=slot_id,
        service=service,
        starts_at=starts_at,
        online=online,
        not_before=not_before,
        held=hold is not None,
    )
    if location_id is not None and time_row.slot.location_id != location_id:
        raise ActionError(_("This time is not available. Choose a time in the list."), code="time_gone")
    locked = time_row.slot
    key = person_key(first_name, last_name, date_of_birth, email, mobile_phone)
    existing = active_duplicate(organization_id=locked.organization_id, service=service, key=key)
    replaced = None
    released = None
    if existing is not None:
        # Online, names and a birth date are no secret: only someone who also gives the contact
        # the old appointment was booked with may replace it.
        same_contact = not online or bool(
            (email and existing.email and email.casefold() == existing.email.casefold())
            or (mobile_phone and existing.mobile_phone and mobile_phone == existing.mobile_phone)
        )
        if service.dose == Dose.SECOND and starts_at < existing.starts_at and same_contact:
            cancel_locked(
                existing,
                actor=actor,
                note=_("Replaced by an earlier second dose."),
                relaunch=False,
                release=False,
            )
            send_to_person(existing, "cancelled", key_suffix="replaced", links=False)
            replaced = existing
            released = (existing.slot_id, existing.starts_at)
        else:
            raise duplicate_error(existing, online)
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
    send_to_person(
        appointment, "confirmation", key_suffix="booked", attach=True, context=second_dose_offer(appointment)
    )
    # Last: the time's row stays locked from here to the commit (a refusal rolls all of it back).
    if hold is not None:
        offers.mark_booked(hold, appointment)
        schedules_services.claim_place(release=released)
        schedules_services.use_hold(time_row=time_row)
    else:
        schedules_services.claim_place(claim=time_row, release=released)
    setattr(appointment, "replaced", replaced)  # noqa: B010 (the page says which one it replaced)
    return appointment


# Both doses as a pair (issue 20) ----------------------------------------------------------------------

SECOND_DOSE_SALT = "appointments.second_dose"


def second_dose_service(first: Service) -> Service | None:
    """The active second-dose service of a first dose's campaign, in the same network, when the
    first dose has a minimum interval; otherwise None (no pair to offer)."""
    if first.dose != Dose.FIRST or not first.minimum_interval_days or not first.campaign:
        return None
    found: Service | None = (
        Service.objects.for_organization(first.organization_id)
        .filter(campaign__iexact=first.campaign, dose=Dose.SECOND, is_active=True)
        .order_by("position", "pk")
        .first()
    )
    return found


def second_dose_earliest(first_dose: Appointment) -> datetime | None:
    """The first moment of the second dose: the start of the local day `minimum_interval_days`
    calendar days after the first dose's local day (a first dose late in the evening, a DST change
    or a month's end never shift it). None when the first dose's service has no interval."""
    service = first_dose.service
    if service.dose != Dose.FIRST or not service.minimum_interval_days:
        return None
    day = timezone.localdate(first_dose.starts_at) + timedelta(days=service.minimum_interval_days)
    start: datetime = dates.day_bounds(day)[0]
    return start


def second_dose_token(first_dose: Appointment) -> str:
    """The signed token of the public second-dose page: the first appointment's id, signed (no name,
    no contact in the link)."""
    # Not timestamped: the same link in the email and on the page; valid while the first dose is.
    return signing.Signer(salt=SECOND_DOSE_SALT).sign_object(first_dose.pk)


def first_dose_of_token(organization_id: int, token: str) -> Appointment | None:
    """The first dose a second-dose token was given for, in this network and not cancelled."""
    try:
        pk = signing.Signer(salt=SECOND_DOSE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(pk, int):
        return None
    found: Appointment | None = (
        Appointment.objects.for_organization(organization_id)
        .select_related("service", "slot__location")
        .filter(pk=pk, status__in=HOLDING_STATUSES)
        .first()
    )
    return found


def second_dose_values(first_dose: Appointment) -> dict[str, Any]:
    """The person's details of the first dose, for `book_place` of the second (nothing retyped)."""
    return {
        "first_name": first_dose.first_name,
        "last_name": first_dose.last_name,
        "date_of_birth": first_dose.date_of_birth,
        "email": first_dose.email,
        "mobile_phone": first_dose.mobile_phone,
        "details": dict(first_dose.details or {}),
        "send_email": first_dose.send_email,
        "send_sms": first_dose.send_sms,
        "for_someone_else": first_dose.for_someone_else,
        "language": first_dose.language,
        "first_dose_id": first_dose.pk,
    }


def second_dose_offer(appointment: Appointment) -> dict[str, Any]:
    """What the confirmation (page and email) offers for the second dose: its link and first day,
    or nothing. No query unless the service is a first dose with an interval."""
    from django.utils import translation

    earliest = second_dose_earliest(appointment)
    if earliest is None or second_dose_service(appointment.service) is None:
        return {}
    path = reverse(
        "appointments:public_second_dose", args=[appointment.organization_id, second_dose_token(appointment)]
    )
    with translation.override(appointment.language):
        return {
            "second_dose_link": portal_services.absolute_url(path),
            "second_dose_path": path,
            "second_dose_from": dates.long_date(earliest, weekday=True),
        }


def _check_second_dose(*, first_dose_id: int, service: Service, starts_at: datetime) -> datetime:
    """The first dose locked (its time as it is now): the second dose's earliest moment, or the
    refusal of a time before it."""
    first = (
        Appointment.objects.for_organization(service.organization_id)
        .select_for_update(of=("self",))
        .select_related("service")
        .filter(pk=first_dose_id, status__in=HOLDING_STATUSES)
        .first()
    )
    earliest = second_dose_earliest(first) if first is not None else None
    if (
        first is None
        or earliest is None
        or getattr(second_dose_service(first.service), "pk", None) != service.pk
    ):
        raise ActionError(_("This first dose has no second dose to book."))
    if starts_at < earliest:
        days = first.service.minimum_interval_days or 0
        raise ActionError(
            ngettext(
                "The second dose cannot take place before %(date)s, %(days)d day after the first dose. "
                "Choose a later time.",
                "The second dose cannot take place before %(date)s, %(days)d days after the first dose. "
                "Choose a later time.",
                days,
            )
            % {"date": dates.long_date(earliest, weekday=True), "days": days},
            code="time_gone",
        )
    return earliest


# A coupon (the booking's, or a changed booking's) goes by email only when the person asked for it;
# the other messages go to any email given. Reminders and relaunches wait for the day (quiet hours).
COUPON_TEMPLATES = ("confirmation", "changed")
DAYTIME_TEMPLATES = ("reminder", "relaunch", "relaunch_cancelled")


def send_to_person(
    appointment: Appointment,
    template: str,
    *,
    key_suffix: str,
    attach: bool = False,
    links: bool = True,
    allowed: Iterable[str] | None = None,
    context: dict[str, Any] | None = None,
) -> list[Any]:
    """The person's coupon, change, cancellation, reminder or relaunch, by email and/or SMS as chosen
    at booking (and, for automated communications, as the rule allows: `allowed` channels). `context`
    adds to what the message shows (e.g. a changed booking's old time); `attach` joins the calendar
    file and the service's document; `links` the confirm-or-cancel link."""
    channels = []
    if appointment.email and (appointment.send_email or template not in COUPON_TEMPLATES):
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
        context={**message_context(appointment), **(context or {})},
        # Reminders and relaunches are never sent at night, even late from a queue; a reminder
        # whose appointment was cancelled meanwhile is not sent at all.
        quiet_hours=template in DAYTIME_TEMPLATES,
        send_only_if=["appointments.emails.still_booked", {"appointment_id": appointment.pk}]
        if template == "reminder"
        else None,
        link=reverse("appointments:manage", args=[appointment.token]) if links and appointment.token else "",
        attachments=attachments,
    )


def message_context(appointment: Appointment) -> dict[str, Any]:
    """What the messages show, in the person's language (JSON: the worker renders the text)."""
    from django.utils import translation

    location = appointment.slot.location
    with translation.override(appointment.language):
        moment = timezone.localtime(appointment.starts_at)
        return {
            "number": appointment.number,
            "date": dates.long_date(moment, weekday=True),
            "short_date": moment.strftime("%Y-%m-%d"),
            "time": moment.strftime("%H:%M"),
            "service": appointment.service.name,
            "instructions": appointment.service.instructions,
            "location": location.name,
            "address": location.full_address,
            "name": f"{appointment.first_name} {appointment.last_name}",
            "rebook": reverse("appointments:public_page", args=[appointment.organization_id]),
        }


def locked_appointment(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("slot", "service")
        .get(pk=appointment.pk)
    )


def cancel_locked(
    locked: Appointment, *, actor: User | None, note: str = "", relaunch: bool = True, release: bool = True
) -> None:
    """Cancel the locked appointment and give its place back (`release=False`: the caller gives it
    back together with the place it claims, in their order)."""
    previous = locked.status
    locked.status = CANCEL.target_for(locked)
    locked.cancelled_at = timezone.now()
    fields = ["status", "cancelled_at"]
    if not relaunch:
        # No "book again" message after a replacement: the person already has a new time.
        locked.relaunch_at = locked.cancelled_at
        fields.append("relaunch_at")
    locked.save(update_fields=fields)
    record_event(
        locked, actor=actor, action=CANCEL.action, from_status=previous, to_status=locked.status, note=note
    )
    if release and previous in HOLDING_STATUSES:
        schedules_services.claim_place(release=(locked.slot_id, locked.starts_at))
