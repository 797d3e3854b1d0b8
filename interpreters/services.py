"""Every write of the interpreter bank: keyword-only, atomic, one function per status change.

The same interpreter can never hold two overlapping requests: assigning locks the interpreter's
row, then checks for an overlap, inside one transaction (two coordinators assigning at once: one
wins, the other is told).
"""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from interpreters import selectors
from interpreters.models import (
    HOLDING_STATUSES,
    QUEUE_STATUSES,
    Availability,
    Completion,
    InterpreterProfile,
    Message,
    Modality,
    Rate,
    Registration,
    RegistrationStatus,
    Request,
    RequestEvent,
    RequestStatus,
    Statement,
    StatementKind,
    StatementLine,
    Unavailability,
)
from portal import dates
from portal import services as portal_services
from portal.dates import LocalTimeError
from portal.models import Channel, Membership, Organization, User
from portal.selectors import members_with_roles
from portal.services import StrOrPromise

RS = RequestStatus
CENTS = Decimal("0.01")
MAX_SERIES = 52


class RequestActionError(ValidationError):
    """An action the current status does not allow, or bad input: nothing was changed."""


def _status_error(request: Request, allowed: Iterable[str]) -> RequestActionError:
    return RequestActionError(
        _("This request is now %(status)s: this action needs it to be %(allowed)s. Nothing was changed.")
        % {
            "status": request.get_status_display(),
            "allowed": str(_(" or ")).join(str(RS(value).label) for value in allowed),
        }
    )


def _locked(request: Request) -> Request:
    return (
        Request.objects.select_for_update(of=("self",))
        .select_related("interpreter__user", "requester", "establishment", "bank", "language")
        .get(pk=request.pk)
    )


def _change_status(
    request: Request, *, actor: User, allowed: Iterable[str], to: str, note: str = "", **fields: Any
) -> Request:
    """Lock, check, change, record. The caller is inside a transaction."""
    locked = _locked(request)
    if locked.status not in allowed:
        raise _status_error(locked, allowed)
    previous = locked.status
    locked.status = to
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save(update_fields=["status", *fields])
    RequestEvent.objects.create(request=locked, from_status=previous, to_status=to, actor=actor, note=note)
    return locked


# Messages to people ----------------------------------------------------------------------------


def _tell(
    person: User | None,
    request: Request,
    event: str,
    *,
    sms: bool = False,
    suffix: str = "",
    quiet_hours: bool = False,
) -> None:
    """An email (and SMS) about a request: its number, date and a link; never the person served.
    With `quiet_hours`, the worker holds it between 21:00 and 8:00 (a reminder late from a queue)."""
    if person is None:
        return
    portal_services.notify(
        key=f"interpreters:{request.pk}:{event}:{person.pk}{suffix}",
        template="interpreters/emails/request_update",
        quiet_hours=quiet_hours,
        recipient=person,
        channels=(Channel.EMAIL, Channel.SMS) if sms else (Channel.EMAIL,),
        link=reverse("interpreters:request", args=[request.pk]),
        context={
            "event": event,
            "number": request.number,
            "date": request.date.isoformat(),
            "time": request.start_time.strftime("%H:%M"),
        },
    )


def _coordinators(bank: Organization | None) -> list[User]:
    """The coordinators of the bank a request or a registration belongs to (no other bank's)."""
    return list(members_with_roles(bank, ["interpreters.coordinator"])) if bank else []


def _notify_in_app(
    people: Iterable[User | None], request: Request, title: StrOrPromise, actor: User | None, key: str
) -> None:
    for person in people:
        if person is None or person == actor:
            continue
        portal_services.create_notification(
            recipient=person,
            title=title,
            params={"number": request.number},
            link=reverse("interpreters:request", args=[request.pk]),
            key=f"interpreters.{request.pk}.{key}",
            record_number=request.number,
            record_link=reverse("interpreters:request", args=[request.pk]),
            created_by=actor,
        )


# Registrations ---------------------------------------------------------------------------------


@transaction.atomic
def register_requester(**fields: Any) -> Registration:
    """A sign-up, decided by the coordinators of the bank that serves the establishment."""
    bank = selectors.bank_of(fields["establishment"])
    if bank is None:
        raise RequestActionError({"establishment": _("No interpreter bank serves this establishment.")})
    registration = Registration.objects.create(bank=bank, **fields)
    for coordinator in _coordinators(bank):
        portal_services.create_notification(
            recipient=coordinator,
            title=_("A requester registration is waiting for approval"),
            link=reverse("interpreters:registrations"),
            key=f"interpreters.registration.{registration.pk}",
        )
    return registration


def _locked_registration(registration: Registration) -> Registration:
    locked = Registration.objects.select_for_update().get(pk=registration.pk)
    if locked.status != RegistrationStatus.PENDING:
        raise RequestActionError(_("This registration was already decided. Nothing was changed."))
    return locked


@transaction.atomic
def approve_registration(*, actor: User, registration: Registration) -> Registration:
    """An account for the requester, in their establishment; they choose their password by email."""
    locked = _locked_registration(registration)
    user = User.objects.filter(email__iexact=locked.email).first()
    if user is None:
        user = User.objects.create_user(
            email=locked.email,
            password=None,
            first_name=locked.first_name,
            last_name=locked.last_name,
            preferred_language=locked.preferred_language,
        )
    membership, created = Membership.objects.get_or_create(
        user=user,
        organization=locked.establishment,
        role="interpreters.requester",
        defaults={"valid_from": timezone.localdate()},
    )
    if not created and membership.valid_to is not None and membership.valid_to < timezone.localdate():
        # An old, ended access to the same establishment: open it again from today.
        membership.valid_from, membership.valid_to = timezone.localdate(), None
        membership.save(update_fields=["valid_from", "valid_to"])
    locked.status = RegistrationStatus.APPROVED
    locked.decided_by, locked.decided_at = actor, timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    portal_services.notify(
        key=f"interpreters:registration:{locked.pk}:approved",
        template="interpreters/emails/registration",
        recipient=user,
        link=reverse("account_reset_password"),
        context={"approved": True},
    )
    return locked


@transaction.atomic
def refuse_registration(*, actor: User, registration: Registration, reason: str) -> Registration:
    if not reason.strip():
        raise RequestActionError({"reason": _("Give the reason for refusing the registration.")})
    locked = _locked_registration(registration)
    locked.status = RegistrationStatus.REFUSED
    locked.decided_by, locked.decided_at, locked.decision_reason = actor, timezone.now(), reason.strip()
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    portal_services.notify(
        key=f"interpreters:registration:{locked.pk}:refused",
        template="interpreters/emails/registration",
        email=locked.email,
        language=locked.preferred_language,
        context={"approved": False, "reason": locked.decision_reason},
    )
    return locked


# Requests --------------------------------------------------------------------------------------


def _next_number() -> str:
    top = Request.objects.aggregate(top=Max("number"))["top"]
    return f"IR-{(int(top.split('-')[1]) if top else 100) + 1:06d}"


def _check_request(establishment: Organization, fields: dict[str, Any]) -> None:
    errors = {}
    request = Request(**{name: value for name, value in fields.items() if name != "repeat_until"})
    try:
        request.compute_times()
    except LocalTimeError as error:
        # The clocks skip or repeat this time that day: refused rather than an hour off.
        raise RequestActionError({"start_time": error.message}) from error
    if request.starts_at <= timezone.now():
        errors["date"] = _("The request must be for a moment in the future.")
    if not fields["language"].is_active:
        errors["language"] = _("This language is not offered by the bank.")
    if fields["cost_centre"].establishment_id != establishment.pk:
        errors["cost_centre"] = _("Choose a cost centre of your establishment.")
    if fields["modality"] == Modality.IN_PERSON and not fields.get("address"):
        errors["address"] = _("Give the address where the interpreter must go.")
    if fields["modality"] != Modality.IN_PERSON and not fields.get("remote_details"):
        errors["remote_details"] = _("Give the phone number or the video link.")
    if fields.get("gender_preference") and not fields.get("preference_reason"):
        errors["preference_reason"] = _("Give the reason for the preference.")
    if errors:
        raise RequestActionError(errors)


@transaction.atomic
def create_request(
    *, actor: User, establishment: Organization, repeat_until: date | None = None, **fields: Any
) -> list[Request]:
    """A request, or a weekly series until `repeat_until` (each date is its own request), for the
    bank that serves the establishment."""
    bank = selectors.bank_of(establishment)
    if bank is None:
        raise RequestActionError(
            _("No interpreter bank serves your establishment yet: ask your administrator. Nothing was sent.")
        )
    ensure_rates(bank=bank)
    _check_request(establishment, fields)
    if repeat_until is not None and repeat_until < fields["date"]:
        raise RequestActionError({"repeat_until": _("The series cannot end before its first date.")})
    dates = [fields["date"]]
    while repeat_until is not None and dates[-1] + timedelta(days=7) <= repeat_until:
        dates.append(dates[-1] + timedelta(days=7))
    if len(dates) > MAX_SERIES:
        raise RequestActionError({"repeat_until": _("A series holds at most 52 dates.")})
    created: list[Request] = []
    for day in dates:
        for _attempt in range(5):
            request = Request(
                establishment=establishment,
                bank=bank,
                requester=actor,
                number=_next_number(),
                **{**fields, "date": day},
            )
            request.series = created[0] if created else None
            try:
                request.compute_times()
            except LocalTimeError as error:  # (`dates` here is the series' list of days)
                # A later date of a weekly series may fall on a change of the clocks.
                raise RequestActionError(
                    {"start_time": _("On %(date)s: %(problem)s") % {"date": day.isoformat(), "problem": error.message}}
                ) from error
            try:
                with transaction.atomic():
                    request.save()
                break
            except IntegrityError:
                if Request.objects.filter(number=request.number).exists():
                    continue  # someone took this number at the same moment: take the next one
                raise  # any other broken rule is a bug to see, not a numbering problem
        else:
            raise RequestActionError(_("The request could not be numbered. Please try again."))
        RequestEvent.objects.create(request=request, from_status="", to_status=RS.SUBMITTED, actor=actor)
        created.append(request)
    _notify_in_app(
        _coordinators(bank), created[0], _("New interpreter request %(number)s"), actor, "submitted"
    )
    return created


# What a requester may still change once an interpreter holds the request (not the time).
DETAIL_FIELDS = (
    "site_name",
    "address",
    "postal_code",
    "room",
    "remote_details",
    "context",
    "instructions",
    "contact_name",
    "contact_phone",
)


@transaction.atomic
def change_request(*, actor: User, request: Request, **fields: Any) -> Request:
    locked = _locked(request)
    allowed = (*QUEUE_STATUSES, RS.ASSIGNED, RS.ACCEPTED, RS.CONFIRMED)
    if locked.status not in allowed:
        raise _status_error(locked, allowed)
    for name, value in fields.items():
        if name not in DETAIL_FIELDS:
            raise ValueError(name)
        setattr(locked, name, value)
    if locked.modality == Modality.IN_PERSON and not locked.address:
        raise RequestActionError({"address": _("Give the address where the interpreter must go.")})
    if locked.modality != Modality.IN_PERSON and not locked.remote_details:
        raise RequestActionError({"remote_details": _("Give the phone number or the video link.")})
    locked.save(update_fields=list(fields))
    RequestEvent.objects.create(
        request=locked,
        from_status=locked.status,
        to_status=locked.status,
        actor=actor,
        note=str(_("Details changed")),
    )
    if locked.interpreter is not None:
        _tell(locked.interpreter.user, locked, "change", sms=True, suffix=f":{timezone.now():%Y%m%d%H%M%S}")
    return locked


def _rate(bank_id: int, modality: str) -> Rate | None:
    return Rate.objects.filter(bank_id=bank_id, modality=modality).first()


@transaction.atomic
def cancel_request(*, actor: User, request: Request, reason: str) -> Request:
    """Cancelled by the requester or a coordinator; inside the late-cancellation window, with an
    interpreter already committed, it is billable by the rate rules."""
    if not reason.strip():
        raise RequestActionError({"reason": _("Give the reason for cancelling.")})
    current = _locked(request)
    if current.starts_at <= timezone.now():
        raise RequestActionError(
            _("The service has started: it can no longer be cancelled. Nothing was changed.")
        )
    late = False
    rate = _rate(current.bank_id, current.modality)
    if current.status in (RS.ACCEPTED, RS.CONFIRMED) and rate is not None:
        late = current.starts_at - timezone.now() < timedelta(hours=rate.late_cancellation_hours)
    allowed = (*QUEUE_STATUSES, RS.ASSIGNED, RS.ACCEPTED, RS.CONFIRMED)
    locked = _change_status(
        current,
        actor=actor,
        allowed=allowed,
        to=RS.CANCELLED,
        note=reason.strip(),
        cancellation_reason=reason.strip(),
        late_cancellation=late,
        rate_snapshot=_rate_snapshot(current.bank_id, current.modality) if late else None,
    )
    if locked.interpreter is not None:
        _tell(locked.interpreter.user, locked, "cancelled", sms=True)
    _tell(locked.requester, locked, "cancelled")
    return locked


# Assignment ------------------------------------------------------------------------------------


def overlapping(
    interpreter: InterpreterProfile, request: Request, *, exclude_pk: int | None = None
) -> QuerySet[Request]:
    """The requests this interpreter already holds at the same time."""
    queryset = Request.objects.filter(
        interpreter=interpreter,
        status__in=HOLDING_STATUSES,
        starts_at__lt=request.ends_at,
        ends_at__gt=request.starts_at,
    )
    return queryset.exclude(pk=exclude_pk or request.pk)


def _check_interpreter(interpreter: InterpreterProfile, request: Request) -> None:
    errors = []
    if interpreter.bank_id != request.bank_id:
        # A request is offered only to an interpreter of its own bank.
        raise RequestActionError({"interpreter": _("This interpreter is not in the bank's pool.")})
    if not interpreter.is_active:
        errors.append(_("This interpreter is not active."))
    if not interpreter.languages.filter(pk=request.language_id).exists():
        errors.append(_("This interpreter does not interpret this language."))
    if request.modality not in interpreter.modalities:
        errors.append(_("This interpreter does not accept this modality."))
    if interpreter.unavailabilities.filter(
        starts_at__lt=request.ends_at, ends_at__gt=request.starts_at
    ).exists():
        errors.append(_("This interpreter is unavailable at that time."))
    if overlapping(interpreter, request).exists():
        errors.append(_("This interpreter already holds an assignment at that time."))
    if errors:
        raise RequestActionError({"interpreter": errors})


@transaction.atomic
def assign_interpreter(*, actor: User, request: Request, interpreter: InterpreterProfile) -> Request:
    """Offer the request to an interpreter (from the queue, or instead of the current one)."""
    # Lock the interpreter first: two coordinators giving them overlapping requests wait in line.
    interpreter = InterpreterProfile.objects.select_for_update().get(pk=interpreter.pk)
    current = _locked(request)
    allowed = (*QUEUE_STATUSES, RS.ASSIGNED, RS.ACCEPTED, RS.CONFIRMED)
    if current.status not in allowed:
        raise _status_error(current, allowed)
    if current.starts_at <= timezone.now():
        raise RequestActionError(
            _("The service has started: it can no longer be assigned. Nothing was changed.")
        )
    if current.interpreter_id == interpreter.pk and current.status not in QUEUE_STATUSES:
        return current
    _check_interpreter(interpreter, current)
    previous = current.interpreter
    locked = _change_status(
        current,
        actor=actor,
        allowed=allowed,
        to=RS.ASSIGNED,
        note=str(interpreter),
        interpreter=interpreter,
    )
    if previous is not None and previous != interpreter:
        _tell(previous.user, locked, "cancelled", sms=True, suffix=f":{timezone.now():%Y%m%d%H%M%S}")
    _tell(interpreter.user, locked, "offer", sms=True, suffix=f":{timezone.now():%Y%m%d%H%M%S}")
    return locked


@transaction.atomic
def accept_offer(*, actor: User, request: Request) -> Request:
    locked = _change_status(request, actor=actor, allowed=[RS.ASSIGNED], to=RS.ACCEPTED)
    _notify_in_app(
        _coordinators(locked.bank),
        locked,
        _("Request %(number)s was accepted: confirm it"),
        actor,
        f"accepted.{locked.events.count()}",
    )
    return locked


@transaction.atomic
def decline_offer(*, actor: User, request: Request, reason: str) -> Request:
    """Back to the coordinators, with the reason."""
    if not reason.strip():
        raise RequestActionError({"reason": _("Give the reason for declining.")})
    locked = _change_status(
        request, actor=actor, allowed=[RS.ASSIGNED], to=RS.DECLINED, note=reason.strip(), interpreter=None
    )
    _notify_in_app(
        _coordinators(locked.bank),
        locked,
        _("Request %(number)s was declined: assign it again"),
        actor,
        f"declined.{locked.events.count()}",
    )
    return locked


@transaction.atomic
def confirm_request(*, actor: User, request: Request) -> Request:
    locked = _change_status(request, actor=actor, allowed=[RS.ACCEPTED], to=RS.CONFIRMED)
    _tell(locked.requester, locked, "confirmed", suffix=f":{locked.events.count()}")
    return locked


@transaction.atomic
def record_completion(
    *,
    actor: User,
    request: Request,
    actual_start: datetime,
    actual_end: datetime,
    travel_km: Decimal | int,
    waiting_minutes: int,
    expenses: Decimal | int,
    notes: str,
) -> Request:
    current = _locked(request)
    if current.starts_at > timezone.now():
        raise RequestActionError(_("A service is recorded once it has started."))
    _check_times(current, actual_start, actual_end)
    locked = _change_status(current, actor=actor, allowed=[RS.CONFIRMED, RS.ACCEPTED], to=RS.COMPLETED)
    Completion.objects.create(
        request=locked,
        actual_start=actual_start,
        actual_end=actual_end,
        travel_km=travel_km,
        waiting_minutes=waiting_minutes,
        expenses=expenses,
        notes=notes,
    )
    _notify_in_app(
        _coordinators(locked.bank),
        locked,
        _("Request %(number)s was completed: validate it"),
        actor,
        f"completed.{locked.events.count()}",
    )
    return locked


MAX_SERVICE = timedelta(hours=12)


def _check_times(request: Request, actual_start: datetime, actual_end: datetime) -> None:
    """Actual times close to the planned ones, in the past, and at most 12 hours long."""
    if actual_end <= actual_start:
        raise RequestActionError({"actual_end": _("The end cannot be before the start.")})
    if actual_start > timezone.now():
        raise RequestActionError({"actual_start": _("A service is recorded once it has started.")})
    if abs(actual_start - request.starts_at) > MAX_SERVICE:
        raise RequestActionError(
            {"actual_start": _("The actual start must be within 12 hours of the planned start.")}
        )
    if actual_end - actual_start > MAX_SERVICE:
        raise RequestActionError({"actual_end": _("A service lasts at most 12 hours.")})


@transaction.atomic
def validate_completion(*, actor: User, request: Request) -> Request:
    return _change_status(
        request,
        actor=actor,
        allowed=[RS.COMPLETED],
        to=RS.VALIDATED,
        rate_snapshot=_rate_snapshot(request.bank_id, request.modality),
    )


@transaction.atomic
def correct_completion(*, actor: User, request: Request, **fields: Any) -> Completion:
    """A coordinator corrects a recorded service; statements already issued keep their lines and the
    next statement carries the difference as a correction line."""
    locked = _locked(request)
    if locked.status not in (RS.COMPLETED, RS.VALIDATED):
        raise _status_error(locked, [RS.COMPLETED, RS.VALIDATED])
    _check_times(locked, fields["actual_start"], fields["actual_end"])
    completion = locked.completion
    for name, value in fields.items():
        setattr(completion, name, value)
    completion.save()
    RequestEvent.objects.create(
        request=locked,
        from_status=locked.status,
        to_status=locked.status,
        actor=actor,
        note=str(_("Completion corrected")),
    )
    return completion


@transaction.atomic
def post_message(*, actor: User, request: Request, text: str) -> Message:
    message = Message.objects.create(request=request, author=actor, text=text)
    people = {request.requester, *(_coordinators(request.bank))}
    if request.interpreter is not None:
        people.add(request.interpreter.user)
    _notify_in_app(people, request, _("New message on request %(number)s"), actor, f"message.{message.pk}")
    return message


# Interpreter's availability --------------------------------------------------------------------


@transaction.atomic
def add_availability(
    *, interpreter: InterpreterProfile, weekday: int, start_time: time, end_time: time
) -> Availability:
    if end_time <= start_time:
        raise RequestActionError({"end_time": _("The end cannot be before the start.")})
    return Availability.objects.create(
        interpreter=interpreter, weekday=weekday, start_time=start_time, end_time=end_time
    )


@transaction.atomic
def add_unavailability(
    *, interpreter: InterpreterProfile, starts_at: datetime, ends_at: datetime, reason: str = ""
) -> Unavailability:
    if ends_at <= starts_at:
        raise RequestActionError({"ends_at": _("The end cannot be before the start.")})
    return Unavailability.objects.create(
        interpreter=interpreter, starts_at=starts_at, ends_at=ends_at, reason=reason
    )


@transaction.atomic
def remove_availability(*, interpreter: InterpreterProfile, pk: int, weekly: bool) -> None:
    model = Availability if weekly else Unavailability
    model.objects.filter(interpreter=interpreter, pk=pk).delete()


@transaction.atomic
def create_interpreter_profile(*, user: User, bank: Organization) -> InterpreterProfile:
    """The profile of a bank member with the interpreter role (completed by a coordinator next)."""
    profile, _created = InterpreterProfile.objects.get_or_create(
        user=user, defaults={"bank": bank, "modalities": [], "home_postal_code": "", "is_active": False}
    )
    return profile


@transaction.atomic
def save_interpreter(*, profile: InterpreterProfile, languages: Iterable[Any], **fields: Any) -> InterpreterProfile:
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.save()
    profile.languages.set(languages)
    return profile


@transaction.atomic
def ensure_rates(*, bank: Organization) -> None:
    """The bank's rates, one per modality: a bank starts with the default ones (reference.RATES)."""
    from interpreters.reference import RATES

    for modality, rate, pay, minimum, travel, window in RATES:
        Rate.objects.get_or_create(
            bank=bank,
            modality=modality,
            defaults={
                "hourly_rate": rate,
                "hourly_pay": pay,
                "minimum_minutes": minimum,
                "travel_rate": travel,
                "late_cancellation_hours": window,
            },
        )


@transaction.atomic
def save_rate(*, rate: Rate, **fields: Any) -> Rate:
    for name, value in fields.items():
        setattr(rate, name, value)
    rate.save()
    return rate


# Reminders -------------------------------------------------------------------------------------


def send_reminders(now: datetime | None = None) -> int:
    """The day before, between 8:00 and 21:00 local time: a reminder to each confirmed interpreter."""
    now = timezone.localtime(now or timezone.now())
    if dates.is_quiet(now):
        return 0
    tomorrow = now.date() + timedelta(days=1)
    count = 0
    for request in Request.objects.filter(
        status=RS.CONFIRMED, date=tomorrow, reminded_at__isnull=True
    ).select_related("interpreter__user"):
        with transaction.atomic():
            locked = (
                Request.objects.select_for_update(of=("self",))
                .select_related("interpreter__user")
                .get(pk=request.pk)
            )
            if locked.reminded_at is not None or locked.status != RS.CONFIRMED or locked.interpreter is None:
                continue
            _tell(locked.interpreter.user, locked, "reminder", sms=True, quiet_hours=True)
            locked.reminded_at = now
            locked.save(update_fields=["reminded_at"])
            count += 1
    return count


# Billing ---------------------------------------------------------------------------------------


RATE_FIELDS = ("hourly_rate", "hourly_pay", "minimum_minutes", "travel_rate", "waiting_billable")


def _rate_snapshot(bank_id: int, modality: str) -> dict[str, Any]:
    rate = _rate(bank_id, modality)
    if rate is None:
        raise RequestActionError(_("No rate is set for this modality: a coordinator must set one first."))
    return {
        name: str(getattr(rate, name)) if name != "waiting_billable" else rate.waiting_billable
        for name in RATE_FIELDS
    }


class _Rate:
    """The rate a request was priced with (its snapshot), read like a Rate."""

    def __init__(self, snapshot: dict[str, Any]) -> None:
        self.hourly_rate = Decimal(snapshot["hourly_rate"])
        self.hourly_pay = Decimal(snapshot["hourly_pay"])
        self.minimum_minutes = int(snapshot["minimum_minutes"])
        self.travel_rate = Decimal(snapshot["travel_rate"])
        self.waiting_billable = bool(snapshot["waiting_billable"])


def amounts(request: Request, kind: str) -> tuple[int, Decimal, Decimal, Decimal, Decimal]:
    """(minutes, time $, travel $, expenses $, total $) owed for a request, by the rate rules.

    Establishments are billed at the hourly rate, interpreters paid at the hourly pay; at least the
    minimum billable time; waiting time counts when the rate says so; travel for in-person work;
    a late cancellation counts the minimum time and nothing else. The rate is the one in force when
    the service was validated (or cancelled late).
    """
    rate = _Rate(request.rate_snapshot or _rate_snapshot(request.bank_id, request.modality))
    hourly = rate.hourly_rate if kind == StatementKind.ESTABLISHMENT else rate.hourly_pay
    if request.status == RS.CANCELLED:
        minutes, travel, expenses = (
            (rate.minimum_minutes if request.late_cancellation else 0),
            Decimal(0),
            Decimal(0),
        )
    else:
        completion = request.completion
        minutes = completion.minutes + (completion.waiting_minutes if rate.waiting_billable else 0)
        minutes = max(minutes, rate.minimum_minutes)
        travel = (
            completion.travel_km * rate.travel_rate if request.modality == Modality.IN_PERSON else Decimal(0)
        )
        expenses = completion.expenses
    time_amount = (Decimal(minutes) * hourly / 60).quantize(CENTS, ROUND_HALF_UP)
    travel = Decimal(travel).quantize(CENTS, ROUND_HALF_UP)
    return minutes, time_amount, travel, expenses, time_amount + travel + expenses


def billable_requests(bank: Organization, month_end: date) -> QuerySet[Request]:
    """The bank's validated services and late cancellations up to the end of the month."""
    return (
        Request.objects.filter(bank=bank, date__lte=month_end)
        .filter(Q(status=RS.VALIDATED) | Q(status=RS.CANCELLED, late_cancellation=True))
        .select_related("completion", "interpreter__user", "cost_centre", "establishment")
        .prefetch_related("statement_lines")
        .order_by("starts_at", "pk")
    )


@transaction.atomic
def issue_statements(*, actor: User, bank: Organization, month: date) -> list[Statement]:
    """Issue the bank's statements of the month: one per establishment and cost centre, one pay
    statement per interpreter. Each line is what is owed minus what earlier statements already
    carried, so an issued statement never changes and a later correction appears as a new line."""
    month = dates.month_start(month)
    month_end = dates.month_end(month)
    # One issuing at a time per bank: the bank's rate rows serve as the lock.
    ensure_rates(bank=bank)
    list(Rate.objects.select_for_update().filter(bank=bank))
    groups: dict[tuple[StatementKind, Any], list[StatementLine]] = {}
    for request in billable_requests(bank, month_end):
        for kind, owner in (
            (
                StatementKind.ESTABLISHMENT,
                ("establishment", request.establishment_id, request.cost_centre_id),
            ),
            (StatementKind.PAY, ("pay", request.interpreter_id, None)),
        ):
            if kind == StatementKind.PAY and request.interpreter_id is None:
                continue
            minutes, time_amount, travel, expenses, total = amounts(request, kind)
            earlier_lines = [line for line in request.statement_lines.all() if line.kind == kind]
            billed = sum((line.amount for line in earlier_lines), Decimal(0))
            if total == billed:
                continue
            earlier = bool(earlier_lines)
            # Each column carries what changed, so that a correction line adds up.
            groups.setdefault((kind, owner), []).append(
                StatementLine(
                    request=request,
                    kind=kind,
                    minutes=minutes - sum(line.minutes for line in earlier_lines),
                    time_amount=time_amount - sum((line.time_amount for line in earlier_lines), Decimal(0)),
                    travel_amount=travel - sum((line.travel_amount for line in earlier_lines), Decimal(0)),
                    expenses=expenses - sum((line.expenses for line in earlier_lines), Decimal(0)),
                    amount=total - billed,
                    is_correction=earlier,
                    note=str(_("Correction of an earlier statement")) if earlier else "",
                )
            )
    statements = []
    sequence = Statement.objects.filter(bank=bank, month=month).count()
    for (kind, owner), lines in groups.items():
        sequence += 1
        statement = Statement.objects.create(
            number=f"{'F' if kind == StatementKind.ESTABLISHMENT else 'P'}-{month:%Y%m}-{sequence:04d}",
            bank=bank,
            kind=kind,
            month=month,
            establishment_id=owner[1] if kind == StatementKind.ESTABLISHMENT else None,
            cost_centre_id=owner[2],
            interpreter_id=owner[1] if kind == StatementKind.PAY else None,
            issued_by=actor,
            total=sum((line.amount for line in lines), Decimal(0)),
        )
        for line in lines:
            line.statement = statement
        StatementLine.objects.bulk_create(lines)
        statements.append(statement)
    return statements
