"""Monthly service confirmations: what may be confirmed in the summary's status, the review,
the record, the provider's correction until the department acknowledges the month. Keyword-only,
atomic, row-locked.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.models import (
    ConfirmationCorrection,
    MonthlyConfirmation,
    Order,
    OrderSummary,
    SummaryEvent,
    SummaryStatus,
)
from orders.summaries.services import SUMMARY_FLOW, record_change
from portal import dates
from portal.models import User
from portal.workflow import ActionError

S = SummaryStatus

# A terminated order stays billable for the services delivered before its termination (guide:
# "toujours en mesure de facturer les services rendus").
# An expired one too, for the months of its period.
CONFIRMABLE = (S.ACTIVATED, S.TERMINATED, S.EXPIRED)

# Why "Confirm a month of service" is not offered, said where the button would be (order page).
CONFIRM_NOTICES: dict[str, Any] = {
    S.OFFERED: _("Months of service can be confirmed once this order summary is accepted."),
    S.PENDING: _(
        "“Confirm a month of service” is not offered while this order is Pending: a Social Development "
        "worker is adjusting it. You can confirm months once it is activated again."
    ),
    S.CANCELLED: _(
        "Months of service cannot be confirmed on a cancelled order summary: it is as if it had never "
        "been offered."
    ),
}


def termination_date(summary: OrderSummary) -> date | None:
    """The day a terminated summary was terminated (in local time), from its history."""
    event = (
        SummaryEvent.objects.scoped("a terminated summary's termination date")
        .filter(summary=summary, to_status=S.TERMINATED)
        .order_by("-at", "-pk")
        .first()
    )
    return timezone.localdate(event.at) if event else None


def confirm_notice(summary: OrderSummary) -> str:
    """What the order page says instead of (or, once terminated, beside) the confirmation button."""
    if summary.status == S.TERMINATED:
        ended = termination_date(summary)
        if ended is None:
            return ""
        return _(
            "This order summary is terminated: you can still confirm the months of service delivered "
            "before its termination on %(date)s."
        ) % {"date": dates.long_date(ended)}
    if summary.status == S.EXPIRED:
        return _(
            "This order summary expired on %(date)s, at the end of its period: you can still confirm "
            "the months of service delivered until then."
        ) % {"date": dates.long_date(summary.end_date)}
    if summary.status in CONFIRMABLE:
        return ""
    return str(CONFIRM_NOTICES.get(summary.status, ""))


def _refuse_unconfirmable(summary: OrderSummary) -> None:
    if summary.status not in CONFIRMABLE:
        if summary.status == S.PENDING:
            raise ActionError(
                _(
                    "This order is Pending: a department worker is adjusting it. Confirm the month once it is "
                    "activated again. Nothing was recorded."
                )
            )
        raise SUMMARY_FLOW.refuse(summary, CONFIRMABLE)


def _check_month(summary: OrderSummary, order: Order, month: date) -> date:
    """The first day of the month, once it may be confirmed on this order; refused next to the
    month field otherwise."""
    _refuse_unconfirmable(summary)
    month = month.replace(day=1)
    if not (summary.start_date.replace(day=1) <= month <= summary.end_date):
        raise ActionError({"month": _("Choose a month within the order summary's dates.")})
    if month < order.effective_date.replace(day=1):
        raise ActionError(
            {"month": _("This order takes effect later: choose a month from its effective date.")}
        )
    if month > timezone.localdate():
        raise ActionError({"month": _("A month can be confirmed once it has started.")})
    if summary.status == S.TERMINATED:
        ended = termination_date(summary)
        if ended is not None and month > ended:
            raise ActionError(
                {
                    "month": _(
                        "This order summary was terminated on %(date)s: only months of service delivered "
                        "before then can be confirmed."
                    )
                    % {"date": dates.long_date(ended)}
                }
            )
    if MonthlyConfirmation.objects.filter(order=order, month=month).exists():
        raise ActionError({"month": _("This month is already confirmed for this order.")})
    return month


def review_month(*, order: Order, month: date) -> date:
    """The checks of confirm_month, before its review page (nothing written, nothing locked)."""
    return _check_month(order.summary, order, month)


@transaction.atomic
def confirm_month(
    *, actor: User, order: Order, month: date, units_delivered: Decimal, km_delivered: Decimal
) -> MonthlyConfirmation:
    """Monthly service confirmation: on an Activated order, or a Terminated or Expired one for the
    months of its service; once per order and month."""
    summary = SUMMARY_FLOW.lock(order.summary)
    month = _check_month(summary, order, month)
    return MonthlyConfirmation.objects.create(
        order=order, month=month, units_delivered=units_delivered, km_delivered=km_delivered, created_by=actor
    )


def correction_refusal(confirmation: MonthlyConfirmation) -> str:
    """Why the provider can no longer correct this month ("" while it may be corrected)."""
    if confirmation.acknowledged_at is not None:
        return _(
            "Social Development acknowledged this month on %(date)s: it can no longer be corrected. "
            "Nothing was changed."
        ) % {"date": dates.long_date(timezone.localdate(confirmation.acknowledged_at))}
    return ""


def correctable(confirmation: MonthlyConfirmation) -> bool:
    """May the provider still correct this month (not yet acknowledged, the summary billable)?"""
    return not correction_refusal(confirmation) and confirmation.order.summary.status in CONFIRMABLE


@transaction.atomic
def correct_confirmation(
    *,
    actor: User,
    confirmation: MonthlyConfirmation,
    units_delivered: Decimal,
    km_delivered: Decimal,
) -> MonthlyConfirmation:
    """The provider corrects a recorded month, until the department has acknowledged it: the
    correction's row (before → after), a history row on the summary, and the audit entry."""
    summary = SUMMARY_FLOW.lock(confirmation.order.summary)
    _refuse_unconfirmable(summary)
    confirmation = MonthlyConfirmation.objects.select_for_update().get(pk=confirmation.pk)
    refused = correction_refusal(confirmation)
    if refused:
        raise ActionError(refused)
    before = (confirmation.units_delivered, confirmation.km_delivered)
    if before == (units_delivered, km_delivered):
        return confirmation
    confirmation.units_delivered = units_delivered
    confirmation.km_delivered = km_delivered
    confirmation.save(update_fields=["units_delivered", "km_delivered"])
    ConfirmationCorrection.objects.create(
        confirmation=confirmation,
        actor=actor,
        units_before=before[0],
        units_after=units_delivered,
        km_before=before[1],
        km_after=km_delivered,
    )
    record_change(summary, actor=actor, action="month_corrected", note=f"{confirmation.month:%Y-%m}")
    return confirmation


@transaction.atomic
def acknowledge_confirmation(*, actor: User, confirmation: MonthlyConfirmation) -> MonthlyConfirmation:
    """The department takes the month into account: from now on the provider cannot correct it."""
    confirmation = MonthlyConfirmation.objects.select_for_update().get(pk=confirmation.pk)
    if confirmation.acknowledged_at is None:
        confirmation.acknowledged_at = timezone.now()
        confirmation.acknowledged_by = actor
        confirmation.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return confirmation
