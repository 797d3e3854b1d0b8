"""Billing: the bank's rates, what a service costs, and the monthly statements."""

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from interpreters.models import (
    Modality,
    Rate,
    Request,
    RequestStatus,
    Statement,
    StatementKind,
    StatementLine,
)
from interpreters.reference import RATES
from portal import dates
from portal.models import Organization, User
from portal.numbering import next_number
from portal.workflow import ActionError

RS = RequestStatus
CENTS = Decimal("0.01")


@transaction.atomic
def ensure_rates(*, bank: Organization) -> None:
    """The bank's rates, one per modality: a bank starts with the default ones (reference.RATES)."""
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


def rate_of(bank_id: int, modality: str) -> Rate | None:
    return Rate.objects.filter(bank_id=bank_id, modality=modality).first()


RATE_FIELDS = ("hourly_rate", "hourly_pay", "minimum_minutes", "travel_rate", "waiting_billable")


def rate_snapshot(bank_id: int, modality: str) -> dict[str, Any]:
    """The rate in force now, kept on the request (later rate changes never re-price it)."""
    rate = rate_of(bank_id, modality)
    if rate is None:
        raise ActionError(_("No rate is set for this modality: a coordinator must set one first."))
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
    rate = _Rate(request.rate_snapshot or rate_snapshot(request.bank_id, request.modality))
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


def billable_requests(bank: Organization, month: date, *, flagged: Sequence[int] = ()) -> QuerySet[Request]:
    """The bank's validated services and late cancellations up to the month's end that are in
    `flagged` (validated, cancelled late or corrected since the last issuing: Request.to_bill).
    Never the whole history, and not the month's services already billed: issuing a month again
    with nothing new reads nothing (issue 16)."""
    return (
        Request.objects.filter(bank=bank, date__lte=dates.month_end(month), pk__in=flagged)
        .filter(Q(status=RS.VALIDATED) | Q(status=RS.CANCELLED, late_cancellation=True))
        .select_related("completion", "interpreter__user", "cost_centre", "establishment")
        .prefetch_related("statement_lines")
        .order_by("starts_at", "pk")
    )


def _line(request: Request, kind: str) -> StatementLine | None:
    """What the request adds to a statement of this kind: what is owed minus what earlier
    statements already carried (None when nothing changed)."""
    minutes, time_amount, travel, expenses, total = amounts(request, kind)
    earlier = [line for line in request.statement_lines.all() if line.kind == kind]
    billed = sum((line.amount for line in earlier), Decimal(0))
    if total == billed:
        return None
    # Each column carries what changed, so that a correction line adds up.
    return StatementLine(
        request=request,
        kind=kind,
        minutes=minutes - sum(line.minutes for line in earlier),
        time_amount=time_amount - sum((line.time_amount for line in earlier), Decimal(0)),
        travel_amount=travel - sum((line.travel_amount for line in earlier), Decimal(0)),
        expenses=expenses - sum((line.expenses for line in earlier), Decimal(0)),
        amount=total - billed,
        is_correction=bool(earlier),
        note=str(_("Correction of an earlier statement")) if earlier else "",
    )


def _statement_number(bank: Organization, kind: str, month: date) -> str:
    """F-202601-0001 (establishments) or P-202601-0001 (pay): a counter per bank, kind and month."""
    prefix = f"{'F' if kind == StatementKind.ESTABLISHMENT else 'P'}-{month:%Y%m}-"

    def highest() -> int | None:
        numbers = Statement.objects.filter(bank=bank, number__startswith=prefix).values_list("number", flat=True)
        return max((int(number.removeprefix(prefix)) for number in numbers), default=None)

    return f"{prefix}{next_number(f'interpreters.statement.{bank.pk}.{kind}.{month:%Y%m}', floor=highest):04d}"


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
    # The services to bill: validated, cancelled late or corrected since the last issuing, of this
    # month or earlier (Request.to_bill; the month's services already billed are not read again).
    # Locked and cleared here: a correction waiting on the lock flags its request again once this
    # commits.
    flagged = Request.objects.select_for_update().filter(bank=bank, to_bill=True, date__lte=month_end)
    flagged_ids = list(flagged.values_list("pk", flat=True))
    Request.objects.filter(pk__in=flagged_ids).update(to_bill=False)
    groups: dict[tuple[StatementKind, Any], list[StatementLine]] = {}
    for request in billable_requests(bank, month, flagged=flagged_ids):
        for kind, owner in (
            (
                StatementKind.ESTABLISHMENT,
                ("establishment", request.establishment_id, request.cost_centre_id),
            ),
            (StatementKind.PAY, ("pay", request.interpreter_id, None)),
        ):
            if kind == StatementKind.PAY and request.interpreter_id is None:
                continue
            line = _line(request, kind)
            if line is not None:
                groups.setdefault((kind, owner), []).append(line)
    statements = []
    for (kind, owner), lines in groups.items():
        statement = Statement.objects.create(
            number=_statement_number(bank, kind, month),
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
