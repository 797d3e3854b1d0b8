"""Interpreter requests: creation, the workflow (assignment, answer, confirmation, completion,
validation, cancellation). Keyword-only, atomic. What people are told (emails, SMS, in-app
notices, the offer task), the request's messages and the reminders are in requests/notices.py.

Every status change is one transition of REQUEST_FLOW (portal.workflow): its guard (row lock,
current status, the one refusal), history row, notices and buttons follow from that declaration.
The same interpreter can never hold two overlapping requests: assigning locks the interpreter's
row, then checks for an overlap, inside one transaction (two coordinators assigning at once: one
wins, the other is told).
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from interpreters import roles, selectors
from interpreters.billing.services import ensure_rates, rate_of, rate_snapshot
from interpreters.models import (
    HOLDING_STATUSES,
    QUEUE_STATUSES,
    Completion,
    InterpreterProfile,
    Modality,
    Request,
    RequestEvent,
    RequestStatus,
)
from interpreters.requests import notices
from portal.dates import LocalTimeError
from portal.models import Organization, User
from portal.numbering import next_number
from portal.workflow import ActionError, Transition, Workflow

RS = RequestStatus
MAX_SERIES = 52
MAX_SERVICE = timedelta(hours=12)

# A request still to happen: its details may change, it may be (re)assigned or cancelled.
OPEN = (*QUEUE_STATUSES, RS.ASSIGNED, RS.ACCEPTED, RS.CONFIRMED)
# Accepted and not yet done: in the interpreter's calendar, and recorded once it has started.
HELD = (RS.ACCEPTED, RS.CONFIRMED)
# A recorded service a coordinator may correct (statements already issued keep their lines).
CORRECTABLE = (RS.COMPLETED, RS.VALIDATED)


# The life of a request, declared once ----------------------------------------------------------


def _record_event(
    request: Request, *, actor: User | None, action: str, from_status: str, to_status: str, note: str
) -> RequestEvent:
    return RequestEvent.objects.create(
        request=request, actor=actor, action=action, from_status=from_status, to_status=to_status, note=note
    )


def _release(request: Request, event: RequestEvent) -> None:
    """A declined offer goes back to the queue without its interpreter."""
    request.interpreter = None
    request.save(update_fields=["interpreter"])


def _price(request: Request, event: RequestEvent) -> None:
    """A validated service keeps the rate in force now (later rate changes never re-price it)."""
    request.rate_snapshot = rate_snapshot(request.bank_id, request.modality)
    request.to_bill = True  # the next issuing bills it, whatever its month (billing.services)
    request.save(update_fields=["rate_snapshot", "to_bill"])


REQUEST_FLOW: Workflow[Request] = Workflow(
    model=Request,
    # requests/<pk>/<transition>/ (the URL name of the coordinators' first buttons).
    url_name="interpreters:coordinator_action",
    record_history=_record_event,
    on_change=notices.offer_settled,
    refused=_("This request is now %(status)s: this action needs it to be %(allowed)s. Nothing was changed."),
    # In the order of the buttons on the request's page.
    transitions=[
        # Offered to an interpreter of the bank, from the queue or instead of the current one.
        Transition(
            name="assign",
            sources=OPEN,
            target=RS.ASSIGNED,
            capability=roles.ASSIGN,
            label=_("Assign an interpreter"),
            notify=notices.offer,
            button=False,
        ),
        Transition(
            name="accept",
            sources=(RS.ASSIGNED,),
            target=RS.ACCEPTED,
            capability=roles.PERFORM,
            label=_("Accept"),
            done=_("You accepted request %(number)s."),
            notify=notices.tell_coordinators(_("Request %(number)s was accepted: confirm it"), "accepted"),
        ),
        Transition(
            name="decline",
            sources=(RS.ASSIGNED,),
            target=RS.DECLINED,
            capability=roles.PERFORM,
            label=_("Decline"),
            effect=_release,
            notify=notices.tell_coordinators(_("Request %(number)s was declined: assign it again"), "declined"),
            button=False,
        ),
        Transition(
            name="confirm",
            sources=(RS.ACCEPTED,),
            target=RS.CONFIRMED,
            capability=roles.ASSIGN,
            label=_("Confirm to the requester"),
            done=_("Request %(number)s is now %(status)s."),
            notify=notices.confirmed,
        ),
        Transition(
            name="complete",
            sources=HELD,
            target=RS.COMPLETED,
            capability=roles.PERFORM,
            label=_("Record the service"),
            notify=notices.tell_coordinators(_("Request %(number)s was completed: validate it"), "completed"),
            button=False,
        ),
        Transition(
            name="validate",
            sources=(RS.COMPLETED,),
            target=RS.VALIDATED,
            capability=roles.ASSIGN,
            label=_("Validate the completion"),
            done=_("Request %(number)s is now %(status)s."),
            effect=_price,
        ),
        # By the requester, or by a coordinator (the cancel page asks for either capability).
        Transition(
            name="cancel",
            sources=OPEN,
            target=RS.CANCELLED,
            capability=roles.REQUEST,
            label=_("Cancel the request"),
            notify=notices.cancelled,
            button=False,
        ),
    ],
)


def change_status(*, actor: User, request: Request, action: str) -> Request:
    """One of the request page's buttons (interpreters:coordinator_action), by its name. Atomic."""
    return REQUEST_FLOW.perform(action, request, actor=actor)


# Creating and changing a request ---------------------------------------------------------------


def _next_number() -> str:
    """IR-000101, IR-000102…: one counter, started after the highest number already given."""

    def highest() -> int:
        top = Request.objects.aggregate(top=Max("number"))["top"]
        return int(top.split("-")[1]) if top else 100

    return f"IR-{next_number('interpreters.request', floor=highest):06d}"


def _check_request(establishment: Organization, fields: dict[str, Any]) -> None:
    errors = {}
    request = Request(**{name: value for name, value in fields.items() if name != "repeat_until"})
    try:
        request.compute_times()
    except LocalTimeError as error:
        # The clocks skip or repeat this time that day: refused rather than an hour off.
        raise ActionError({"start_time": error.message}) from error
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
        raise ActionError(errors)


def _series(first: date, repeat_until: date | None) -> list[date]:
    """The dates of a weekly series (each its own request), or the one date."""
    if repeat_until is not None and repeat_until < first:
        raise ActionError({"repeat_until": _("The series cannot end before its first date.")})
    days = [first]
    while repeat_until is not None and days[-1] + timedelta(days=7) <= repeat_until:
        days.append(days[-1] + timedelta(days=7))
    if len(days) > MAX_SERIES:
        raise ActionError({"repeat_until": _("A series holds at most 52 dates.")})
    return days


@transaction.atomic
def create_request(
    *, actor: User, establishment: Organization, repeat_until: date | None = None, **fields: Any
) -> list[Request]:
    """A request, or a weekly series until `repeat_until` (each date is its own request), for the
    bank that serves the establishment."""
    bank = selectors.bank_of(establishment)
    if bank is None:
        raise ActionError(
            _("No interpreter bank serves your establishment yet: ask your administrator. Nothing was sent.")
        )
    ensure_rates(bank=bank)
    _check_request(establishment, fields)
    created: list[Request] = []
    for day in _series(fields["date"], repeat_until):
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
        except LocalTimeError as error:
            # A later date of a weekly series may fall on a change of the clocks.
            raise ActionError(
                {"start_time": _("On %(date)s: %(problem)s") % {"date": day.isoformat(), "problem": error.message}}
            ) from error
        request.save()
        _record_event(request, actor=actor, action="created", from_status="", to_status=RS.SUBMITTED, note="")
        created.append(request)
    notices.notify_in_app(
        selectors.coordinators(bank), created[0], _("New interpreter request %(number)s"), actor, "submitted"
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


def _detail_label(name: str) -> str:
    """A detail's name as the request's page shows it ("Room", "Local"), in the active language."""
    field = Request._meta.get_field(name)
    return str(capfirst(field.verbose_name)) if isinstance(field, models.Field) else name


@transaction.atomic
def change_request(*, actor: User, request: Request, **fields: Any) -> Request:
    locked = REQUEST_FLOW.lock(request, allowed=OPEN)
    changed = []
    for name, value in fields.items():
        if name not in DETAIL_FIELDS:
            raise ValueError(name)
        if getattr(locked, name) != value:
            changed.append(name)
        setattr(locked, name, value)
    if locked.modality == Modality.IN_PERSON and not locked.address:
        raise ActionError({"address": _("Give the address where the interpreter must go.")})
    if locked.modality != Modality.IN_PERSON and not locked.remote_details:
        raise ActionError({"remote_details": _("Give the phone number or the video link.")})
    locked.save(update_fields=list(fields))
    _record_event(
        locked,
        actor=actor,
        action="details_changed",
        from_status=locked.status,
        to_status=locked.status,
        note=str(_("Details changed")),
    )
    if locked.interpreter is not None and changed:
        # Which details changed (their names, not their values: a context may be personal).
        labels = notices.in_each_language(
            lambda: ", ".join(_detail_label(name) for name in changed)
        )
        notices.tell(
            locked.interpreter.user,
            locked,
            "change",
            sms=True,
            suffix=notices.stamp(),
            changed=labels,
            **notices.decision_details(locked),
        )
    return locked


@transaction.atomic
def cancel_request(*, actor: User, request: Request, reason: str) -> Request:
    """Cancelled by the requester or a coordinator; inside the late-cancellation window, with an
    interpreter already committed, it is billable by the rate rules."""
    if not reason.strip():
        raise ActionError({"reason": _("Give the reason for cancelling.")})
    current = REQUEST_FLOW.lock(request)
    if current.starts_at <= timezone.now():
        raise ActionError(_("The service has started: it can no longer be cancelled. Nothing was changed."))
    late = False
    rate = rate_of(current.bank_id, current.modality)
    if current.status in (RS.ACCEPTED, RS.CONFIRMED) and rate is not None:
        late = current.starts_at - timezone.now() < timedelta(hours=rate.late_cancellation_hours)
    current.cancellation_reason = reason.strip()
    current.late_cancellation = late
    current.rate_snapshot = rate_snapshot(current.bank_id, current.modality) if late else None
    current.to_bill = current.to_bill or late
    # Written with the status change below, in this transaction (a refused one writes nothing).
    current.save(update_fields=["cancellation_reason", "late_cancellation", "rate_snapshot", "to_bill"])
    return REQUEST_FLOW.perform("cancel", current, actor=actor, note=reason.strip())


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
        raise ActionError({"interpreter": _("This interpreter is not in the bank's pool.")})
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
        raise ActionError({"interpreter": errors})


@transaction.atomic
def assign_interpreter(*, actor: User, request: Request, interpreter: InterpreterProfile) -> Request:
    """Offer the request to an interpreter (from the queue, or instead of the current one)."""
    # Lock the interpreter first: two coordinators giving them overlapping requests wait in line.
    interpreter = InterpreterProfile.objects.select_for_update().get(pk=interpreter.pk)
    current = REQUEST_FLOW.lock(request, allowed=OPEN)
    if current.starts_at <= timezone.now():
        raise ActionError(_("The service has started: it can no longer be assigned. Nothing was changed."))
    if current.interpreter_id == interpreter.pk and current.status not in QUEUE_STATUSES:
        return current
    _check_interpreter(interpreter, current)
    previous = current.interpreter
    current.interpreter = interpreter
    # Written with the status change below, in this transaction; the new interpreter is told.
    current.save(update_fields=["interpreter"])
    locked = REQUEST_FLOW.perform("assign", current, actor=actor, note=str(interpreter))
    if previous is not None and previous != interpreter:
        # The request is no longer theirs (its page is closed to them): the notice says it was given
        # to another interpreter and opens their assignments.
        notices.tell(
            previous.user, locked, "transferred", sms=True, suffix=notices.stamp(), link=reverse("interpreters:my_work")
        )
    return locked


def series_to_come(request: Request) -> QuerySet[Request]:
    """The dates of the request's weekly series (itself included) still open and to come, in order."""
    first = request.series_id or request.pk
    return (
        Request.objects.for_organization(request.bank_id)
        .filter(models.Q(pk=first) | models.Q(series_id=first), status__in=OPEN, starts_at__gt=timezone.now())
        .order_by("starts_at", "pk")
    )


@transaction.atomic
def assign_series(*, actor: User, request: Request, interpreter: InterpreterProfile) -> list[Request]:
    """One interpreter for every date of the weekly series still to come, all or none: a date they
    cannot take is named and nothing is offered."""
    assigned = []
    for occurrence in series_to_come(request):
        try:
            assigned.append(assign_interpreter(actor=actor, request=occurrence, interpreter=interpreter))
        except ActionError as error:
            problem = " ".join(str(message) for message in error.messages)
            raise ActionError(
                {"interpreter": _("On %(date)s: %(problem)s") % {"date": occurrence.date.isoformat(), "problem": problem}}
            ) from error
    return assigned


def accept_offer(*, actor: User, request: Request) -> Request:
    return REQUEST_FLOW.perform("accept", request, actor=actor)


@transaction.atomic
def decline_offer(*, actor: User, request: Request, reason: str) -> Request:
    """Back to the coordinators, with the reason."""
    if not reason.strip():
        raise ActionError({"reason": _("Give the reason for declining.")})
    return REQUEST_FLOW.perform("decline", request, actor=actor, note=reason.strip())


def confirm_request(*, actor: User, request: Request) -> Request:
    return REQUEST_FLOW.perform("confirm", request, actor=actor)


# Completion ------------------------------------------------------------------------------------


def _check_times(request: Request, actual_start: datetime, actual_end: datetime) -> None:
    """Actual times close to the planned ones, both in the past, and at most 12 hours long."""
    if actual_end <= actual_start:
        raise ActionError({"actual_end": _("The end cannot be before the start.")})
    if actual_start > timezone.now():
        raise ActionError({"actual_start": _("A service is recorded once it has started.")})
    if actual_end > timezone.now():
        # Recorded once it is over: a planned end still to come is not what happened.
        raise ActionError({"actual_end": _("The end cannot be in the future.")})
    if abs(actual_start - request.starts_at) > MAX_SERVICE:
        raise ActionError({"actual_start": _("The actual start must be within 12 hours of the planned start.")})
    if actual_end - actual_start > MAX_SERVICE:
        raise ActionError({"actual_end": _("A service lasts at most 12 hours.")})


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
    current = REQUEST_FLOW.lock(request)
    if current.starts_at > timezone.now():
        raise ActionError(_("A service is recorded once it has started."))
    _check_times(current, actual_start, actual_end)
    locked = REQUEST_FLOW.perform("complete", current, actor=actor)
    Completion.objects.create(
        request=locked,
        actual_start=actual_start,
        actual_end=actual_end,
        travel_km=travel_km,
        waiting_minutes=waiting_minutes,
        expenses=expenses,
        notes=notes,
    )
    return locked


def validate_completion(*, actor: User, request: Request) -> Request:
    return REQUEST_FLOW.perform("validate", request, actor=actor)


@transaction.atomic
def correct_completion(*, actor: User, request: Request, **fields: Any) -> Completion:
    """A coordinator corrects a recorded service; statements already issued keep their lines and the
    next statement carries the difference as a correction line."""
    locked = REQUEST_FLOW.lock(request, allowed=CORRECTABLE)
    _check_times(locked, fields["actual_start"], fields["actual_end"])
    completion = locked.completion
    for name, value in fields.items():
        setattr(completion, name, value)
    completion.save()
    # The next issuing carries the difference, even when the service's month is over.
    locked.to_bill = True
    locked.save(update_fields=["to_bill"])
    _record_event(
        locked,
        actor=actor,
        action="completion_corrected",
        from_status=locked.status,
        to_status=locked.status,
        note=str(_("Completion corrected")),
    )
    return completion
