"""Order summaries: the life of a summary declared once (SUMMARY_FLOW), the department's
creation, amendments, corrections and reassignment, the provider's visits, and the expiry at the
end date. Keyword-only, atomic, row-locked.

Two people acting on the same summary at once: the second waits for the lock, then finds the
status changed and gets a clear message; nothing is half-done.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders import roles
from orders.models import (
    Order,
    OrderSummary,
    OrderType,
    ServiceReport,
    SummaryEvent,
    SummaryStatus,
    SummaryVisit,
)
from orders.roles import CARE_COORDINATION_ROLES
from portal import dates
from portal import services as portal_services
from portal.db import fold
from portal.models import Organization, User
from portal.numbering import next_number
from portal.selectors import members_with_roles
from portal.workflow import ActionError, Transition, Workflow

S = SummaryStatus


def normalize_name(name: str | None) -> str:
    """Lower case, no accents: "Mélissa" and "MELISSA" both become "melissa" (portal.db's rule)."""
    return fold(name or "").strip()


# Emails to the provider ----------------------------------------------------------------------

STATUS_EMAILS: dict[str, str] = {
    S.OFFERED: "orders/emails/offered",
    S.ACTIVATED: "orders/emails/activated",
    S.REVOKED: "orders/emails/revoked",
    S.CANCELLED: "orders/emails/cancelled",
    S.TERMINATED: "orders/emails/terminated",
}


# Emails that follow a transition rather than the status reached (Activated again is not new).
ACTION_EMAILS: dict[str, str] = {
    "reactivated": "orders/emails/reactivated",
}


def _email_provider(summary: OrderSummary, event: SummaryEvent) -> None:
    """The status email to the provider's care coordination people, each in their language.

    Only the summary number travels: no client name or personal detail. No link when revoked.
    Recorded in the change's transaction (SUMMARY_FLOW): a change that rolled back sends nothing.
    """
    template = ACTION_EMAILS.get(event.action) or STATUS_EMAILS[summary.status]
    link = "" if summary.status == S.REVOKED else reverse("orders:summary", args=[summary.pk])
    for user in members_with_roles(summary.provider, CARE_COORDINATION_ROLES):
        portal_services.notify(
            key=f"orders:{summary.pk}:{event.pk}:{user.pk}",
            template=template,
            recipient=user,
            link=link,
            context={"number": summary.number},
        )


# The life of a summary, declared once -----------------------------------------------------------
#
# Each transition's guard (row lock, current status), history row, notices on commit and button
# on the summary page (department actions) follow from this declaration (portal.workflow).


def _record_event(
    summary: OrderSummary, *, actor: User | None, action: str, from_status: str, to_status: str, note: str
) -> SummaryEvent:
    return SummaryEvent.objects.create(
        summary=summary, actor=actor, action=action, from_status=from_status, to_status=to_status, note=note
    )


def record_change(summary: OrderSummary, *, actor: User | None, action: str, note: str = "") -> SummaryEvent:
    """A change that keeps the summary's status (amended, edited, reassigned, an order cancelled, a
    month corrected): its history row, with the status the summary stays in."""
    return SummaryEvent.objects.create(
        summary=summary, actor=actor, action=action, note=note, to_status=summary.status
    )


def _orders_follow(summary: OrderSummary, previous: str) -> None:
    """The summary's orders take its status, except the ones cancelled on their own."""
    summary.orders.exclude(status=S.CANCELLED).update(status=summary.status)


def _offered_status(summary: OrderSummary) -> str:
    """Services that need no acceptance (e.g. transport) arrive Activated."""
    return S.ACTIVATED if summary.service.auto_activate else S.OFFERED


def _mark_sent(summary: OrderSummary, event: SummaryEvent | None = None) -> None:
    """When the provider received it: "new orders" on the dashboard count from this day."""
    summary.sent_at = timezone.now()
    summary.save(update_fields=["sent_at"])


# Where the department may offer or activate a summary from: one the provider does not hold.
UNSENT = (S.DRAFT, S.DECLINED, S.REVOKED)

# How pages mark a summary's or an order's status: Pending (being adjusted) stands out, not by colour alone.
STATUS_KINDS: dict[str, str] = {S.PENDING: "pending"}

SUMMARY_FLOW: Workflow[OrderSummary] = Workflow(
    model=OrderSummary,
    url_name="orders:action",
    touch=("updated_at",),
    on_change=_orders_follow,
    record_history=_record_event,
    kinds=STATUS_KINDS,
    refused=_(
        "This order summary is now %(status)s: this action needs it to be %(allowed)s. Nothing was changed."
    ),
    # In the order of the buttons on the summary page.
    transitions=[
        Transition(
            name="offer",
            sources=UNSENT,
            target=_offered_status,
            capability=roles.MANAGE,
            label=_("Offer to the provider"),
            done=_("Order summary %(number)s sent to the provider."),
            history="offered",
            effect=_mark_sent,
            notify=_email_provider,
        ),
        Transition(
            name="activate",
            sources=UNSENT,
            target=S.ACTIVATED,
            capability=roles.MANAGE,
            label=_("Activate directly"),
            done=_("Order summary %(number)s activated."),
            history="activated",
            effect=_mark_sent,
            notify=_email_provider,
        ),
        Transition(
            name="pending",
            sources=(S.ACTIVATED,),
            target=S.PENDING,
            capability=roles.MANAGE,
            label=_("Set to Pending to adjust"),
            done=_("Order summary %(number)s is now Pending while you adjust it."),
        ),
        Transition(
            name="reactivate",
            sources=(S.PENDING,),
            target=S.ACTIVATED,
            capability=roles.MANAGE,
            label=_("Activate again"),
            done=_("Order summary %(number)s activated again."),
            history="reactivated",
            # The provider is told, and its page shows what changed since their last visit.
            notify=_email_provider,
        ),
        Transition(
            name="revoke",
            sources=(S.OFFERED,),
            target=S.REVOKED,
            capability=roles.MANAGE,
            label=_("Revoke the offer"),
            confirm=True,
            done=_("The offer %(number)s has been revoked."),
            history="revoked",
            notify=_email_provider,
        ),
        Transition(
            name="terminate",
            sources=(S.ACTIVATED, S.PENDING),
            target=S.TERMINATED,
            capability=roles.MANAGE,
            label=_("Terminate the order summary"),
            confirm=True,
            done=_("Order summary %(number)s terminated."),
            history="terminated",
            notify=_email_provider,
        ),
        Transition(
            name="cancel",
            sources=(S.OFFERED, S.ACTIVATED, S.PENDING),
            target=S.CANCELLED,
            capability=roles.MANAGE,
            label=_("Cancel the order summary"),
            confirm=True,
            done=_("Order summary %(number)s cancelled."),
            history="cancelled",
            notify=_email_provider,
        ),
        # The provider answers on a page of its own (a message, or the reason for declining).
        Transition(
            name="accept",
            sources=(S.OFFERED,),
            target=S.ACTIVATED,
            capability=roles.RESPOND,
            label=_("Accept the request"),
            history="accepted",
            button=False,
        ),
        Transition(
            name="decline",
            sources=(S.OFFERED,),
            target=S.DECLINED,
            capability=roles.RESPOND,
            label=_("Decline the request"),
            history="declined",
            button=False,
        ),
        # Past its end date a summary is no longer active: the scheduled job (expire_summary).
        Transition(
            name="expire",
            sources=(S.ACTIVATED, S.PENDING),
            target=S.EXPIRED,
            capability=roles.MANAGE,
            label=_("Expire at the end date"),
            history="expired",
            button=False,
        ),
    ],
)


def change_status(*, actor: User, summary: OrderSummary, action: str) -> OrderSummary:
    """One of the department's buttons (orders:action), by its transition's name. Atomic."""
    return SUMMARY_FLOW.perform(action, summary, actor=actor)


# Department: creating and changing a summary -------------------------------------------------


# Record numbers (portal.numbering): one counter per kind, in the creating transaction. The first
# number a counter gives follows the highest one already given (numbers were once the row's id).
NUMBERS: dict[type[models.Model], tuple[str, str, int]] = {
    # model: (counter, prefix, digits): OS-0000042, 00000042, SR-0000042
    OrderSummary: ("orders.summary", "OS-", 7),
    Order: ("orders.order", "", 8),
    ServiceReport: ("orders.report", "SR-", 7),
}


def _highest_number(model: type[models.Model], prefix: str, digits: int) -> int | None:
    top = model._default_manager.filter(number__regex=rf"^{prefix}[0-9]{{{digits}}}$").aggregate(
        top=Max("number")
    )["top"]
    return int(top[len(prefix) :]) if top else None


def next_record_number(model: type[models.Model]) -> str:
    counter, prefix, digits = NUMBERS[model]
    number = next_number(counter, floor=lambda: _highest_number(model, prefix, digits))
    return f"{prefix}{number:0{digits}d}"


def _create_order(
    *,
    summary: OrderSummary,
    order_type: str,
    status: str,
    effective_date: date,
    per: str,
    base_units: Decimal,
    base_rate: Decimal,
    km_units: Decimal,
    other_monthly_cost: Decimal,
    client_contribution: Decimal,
) -> Order:
    order = Order.objects.create(
        summary=summary,
        number=next_record_number(Order),
        order_type=order_type,
        status=status,
        effective_date=effective_date,
        per=per,
        base_units=base_units,
        base_rate=base_rate,
        km_units=km_units,
        other_monthly_cost=other_monthly_cost,
        client_contribution=client_contribution,
    )
    return order


@transaction.atomic
def create_summary(
    *,
    actor: User,
    department: Organization,
    provider: Organization,
    client_name: str,
    service: Any,
    zone: Any,
    service_centre: Any,
    start_date: date,
    end_date: date,
    worker: User,
    notes_for_provider: str = "",
    order: dict[str, Any],
) -> OrderSummary:
    """A new summary in Draft, with its first order. `order` holds the order's fields."""
    if end_date < start_date:
        raise ActionError({"end_date": _("The end date cannot be before the start date.")})
    summary = OrderSummary.objects.create(
        number=next_record_number(OrderSummary),
        client_name=client_name,
        client_name_search=normalize_name(client_name),
        service=service,
        zone=zone,
        service_centre=service_centre,
        start_date=start_date,
        end_date=end_date,
        department=department,
        provider=provider,
        worker=worker,
        notes_for_provider=notes_for_provider,
    )
    _create_order(summary=summary, order_type=OrderType.SERVICE, status=S.DRAFT, **order)
    SummaryEvent.objects.create(summary=summary, actor=actor, action="created", to_status=S.DRAFT)
    return summary


# The department's status changes: each is one transition of SUMMARY_FLOW (atomic, row-locked).


def offer_summary(*, actor: User, summary: OrderSummary) -> OrderSummary:
    """Send to the provider. Services that need no acceptance (e.g. transport) arrive Activated."""
    return SUMMARY_FLOW.perform("offer", summary, actor=actor)


def set_pending(*, actor: User, summary: OrderSummary) -> OrderSummary:
    """A worker is adjusting the order: confirmations are refused until it is re-activated."""
    return SUMMARY_FLOW.perform("pending", summary, actor=actor)


def reactivate_summary(*, actor: User, summary: OrderSummary) -> OrderSummary:
    return SUMMARY_FLOW.perform("reactivate", summary, actor=actor)


def revoke_offer(*, actor: User, summary: OrderSummary) -> OrderSummary:
    """Take back an offer: it disappears from the provider's lists (they get an email, no link)."""
    return SUMMARY_FLOW.perform("revoke", summary, actor=actor)


def cancel_summary(*, actor: User, summary: OrderSummary) -> OrderSummary:
    return SUMMARY_FLOW.perform("cancel", summary, actor=actor)


def terminate_summary(*, actor: User, summary: OrderSummary) -> OrderSummary:
    return SUMMARY_FLOW.perform("terminate", summary, actor=actor)


# Ended periods -------------------------------------------------------------------------------


def period_over(summary: OrderSummary, *, now: Any = None) -> bool:
    """Is the summary's last day (its end date, in local time) behind us?"""
    return summary.end_date < timezone.localdate(now)


@transaction.atomic
def expire_summary(*, summary: OrderSummary, now: Any = None) -> OrderSummary:
    """Activated or Pending → Expired once its end date has passed (no one acts: no actor)."""
    locked = SUMMARY_FLOW.lock(summary)
    if not period_over(locked, now=now):
        raise ActionError(
            _("This order summary's period is not over yet: it ends on %(date)s. Nothing was changed.")
            % {"date": dates.long_date(locked.end_date)}
        )
    return SUMMARY_FLOW.perform("expire", locked, actor=None)


def expire_ended_summaries(*, now: Any = None) -> int:
    """What Celery beat runs (orders.tasks.expire_ended_summaries): every active summary past its
    end date expires, each in its own transaction. Returns how many expired; running it again
    changes nothing."""
    today = timezone.localdate(now)
    transition = SUMMARY_FLOW.get("expire")
    assert transition is not None
    ended = (
        OrderSummary.objects.scoped("the scheduled expiry reads every organization's summaries")
        .filter(status__in=transition.sources, end_date__lt=today)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    expired = 0
    for pk in list(ended):
        try:
            expire_summary(summary=OrderSummary(pk=pk), now=now)
        except ActionError:
            continue  # terminated or cancelled meanwhile: nothing left to do
        expired += 1
    return expired


AMENDABLE = (S.DRAFT, S.PENDING)


@transaction.atomic
def amend_summary(*, actor: User, summary: OrderSummary, order: dict[str, Any]) -> Order:
    """An amendment adds an order to the same summary (while Draft, or Pending during adjustment)."""
    summary = SUMMARY_FLOW.lock(summary, allowed=AMENDABLE)
    created = _create_order(summary=summary, order_type=OrderType.AMENDMENT, status=summary.status, **order)
    summary.save(update_fields=["updated_at"])
    record_change(summary, actor=actor, action="amended", note=created.number)
    return created


# One order of a summary: it follows its summary's status (_orders_follow), except when the
# department cancels it alone, on its "are you sure?" page (orders:order_cancel).


def _record_order_event(
    order: Order, *, actor: User | None, action: str, from_status: str, to_status: str, note: str
) -> SummaryEvent:
    """An order's change is a line of its summary's history: the order's number, the summary's status."""
    return record_change(order.summary, actor=actor, action=action, note=order.number)


CANCEL_ORDER = Transition(
    name="cancel",
    sources=tuple(value for value in S.values if value != S.CANCELLED),
    target=S.CANCELLED,
    capability=roles.MANAGE,
    label=_("Cancel this order"),
    confirm=True,
    history="order_cancelled",
    button=False,
    refused=_("This order is already cancelled. Nothing was changed."),
)

ORDER_FLOW: Workflow[Order] = Workflow(
    model=Order,
    url_name="orders:order_cancel",
    url=lambda order, transition: reverse("orders:order_cancel", args=[order.pk]),
    record_history=_record_order_event,
    kinds=STATUS_KINDS,
    transitions=[CANCEL_ORDER],
)


ONLY_REMAINING_ORDER = _(
    "This is the summary's only remaining order: cancel the whole summary instead. Nothing was changed."
)


def _others_remain(order: Order) -> bool:
    """Does the summary keep another order that is not cancelled?"""
    return order.summary.orders.exclude(pk=order.pk).exclude(status=S.CANCELLED).exists()


def order_cancel_state(*, user: User, order: Order) -> str:
    """"allowed" when this person may cancel this order alone now (its summary being adjusted, the
    order not cancelled, another order remaining); "only" when it is the summary's last remaining
    order (the summary is cancelled instead); "" otherwise."""
    if not (order.summary.status in AMENDABLE and ORDER_FLOW.can(order, CANCEL_ORDER.name, user)):
        return ""
    return "allowed" if _others_remain(order) else "only"


def can_cancel_order(*, user: User, order: Order) -> bool:
    """May this person cancel this order alone now?"""
    return order_cancel_state(user=user, order=order) == "allowed"


@transaction.atomic
def cancel_order(*, actor: User, order: Order) -> Order:
    """Cancel one order of a summary being adjusted (Draft or Pending); the others stand."""
    summary = SUMMARY_FLOW.lock(order.summary, allowed=AMENDABLE)
    ORDER_FLOW.lock(order, allowed=CANCEL_ORDER.sources, transition=CANCEL_ORDER)
    if not _others_remain(order):
        raise ActionError(ONLY_REMAINING_ORDER)
    order = ORDER_FLOW.perform(CANCEL_ORDER.name, order, actor=actor)
    summary.save(update_fields=["updated_at"])
    return order


EDITABLE = UNSENT
SUMMARY_FIELDS = (
    "provider",
    "client_name",
    "service",
    "zone",
    "service_centre",
    "start_date",
    "end_date",
    "notes_for_provider",
)


@transaction.atomic
def edit_summary(*, actor: User, summary: OrderSummary, **fields: Any) -> OrderSummary:
    """Correct a summary the provider does not hold (a draft, or one declined or revoked) before
    offering it again, possibly to another provider."""
    summary = SUMMARY_FLOW.lock(summary, allowed=EDITABLE)
    if fields["end_date"] < fields["start_date"]:
        raise ActionError({"end_date": _("The end date cannot be before the start date.")})
    outside = summary.orders.exclude(status=S.CANCELLED).exclude(
        effective_date__range=(fields["start_date"], fields["end_date"])
    )
    if outside.exists():
        raise ActionError(
            {
                "start_date": _(
                    "An order of this summary takes effect outside these dates: keep the dates around it."
                )
            }
        )
    changed = [name for name in SUMMARY_FIELDS if getattr(summary, name) != fields[name]]
    if not changed:
        return summary
    for name in changed:
        setattr(summary, name, fields[name])
    summary.client_name_search = normalize_name(summary.client_name)
    summary.save(update_fields=[*changed, "client_name_search", "updated_at"])
    record_change(summary, actor=actor, action="edited")
    return summary


@transaction.atomic
def reassign_worker(*, actor: User, summary: OrderSummary, worker: User) -> OrderSummary:
    """The new worker takes over the summary and its open tasks (answers and reports to read)."""
    summary = SUMMARY_FLOW.lock(summary)
    if summary.worker_id == worker.pk:
        return summary
    previous = summary.worker
    summary.worker = worker
    summary.save(update_fields=["worker", "updated_at"])
    portal_services.reassign_open_tasks(
        records=[summary, *summary.reports.only("pk")], from_user=previous, to_user=worker
    )
    record_change(summary, actor=actor, action="reassigned", note=f"{previous} → {worker}")
    return summary


@transaction.atomic
def record_visit(*, user: User, summary: OrderSummary, now: Any = None) -> SummaryVisit | None:
    """Remember when a provider's person opened the summary; returns their previous visit.

    The page shows what changed since that previous visit (selectors.changes_since)."""
    now = now or timezone.now()
    visit = SummaryVisit.objects.select_for_update().filter(summary=summary, user=user).first()
    if visit is None:
        SummaryVisit.objects.create(summary=summary, user=user, seen_at=now)
        return None
    previous = SummaryVisit(summary=summary, user=user, seen_at=visit.seen_at)
    visit.seen_at = now
    visit.save(update_fields=["seen_at"])
    return previous
