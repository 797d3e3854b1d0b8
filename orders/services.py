"""Every write of the service orders portal: one function per status change, atomic, row-locked.

Two people acting on the same summary at once: the second waits for the lock, then finds the
status changed and gets a clear message; nothing is half-done.
"""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from orders import roles
from orders.models import (
    ConfirmationCorrection,
    MonthlyConfirmation,
    Order,
    OrderSummary,
    OrderType,
    ReportKind,
    ServiceReport,
    SummaryEvent,
    SummaryStatus,
    SummaryVisit,
)
from orders.roles import CARE_COORDINATION_ROLES
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


def _latest_event_key(summary: OrderSummary) -> str:
    """Identifies the status change just recorded: one email per change, even if a task is retried."""
    return f"{summary.pk}:{summary.events.values_list('pk', flat=True).first()}"


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


def _tell_worker(
    summary: OrderSummary, *, title: Any, params: dict[str, str], key: str, purpose: str
) -> None:
    # Titles here carry record numbers only, so they may go into the email body.
    portal_services.create_task(
        assignee=summary.worker,
        organization=summary.department,
        title=title,
        params=params,
        due_date=timezone.localdate() + timedelta(days=2),
        link=reverse("orders:summary", args=[summary.pk]),
        key=key,
        record=summary,
        purpose=purpose,
        send_email=True,
        title_in_email=True,
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

SUMMARY_FLOW: Workflow[OrderSummary] = Workflow(
    model=OrderSummary,
    url_name="orders:action",
    touch=("updated_at",),
    on_change=_orders_follow,
    record_history=_record_event,
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


def _next_number(model: type[models.Model]) -> str:
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
        number=_next_number(Order),
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
        number=_next_number(OrderSummary),
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
            % {"date": formats.date_format(locked.end_date, "DATE_FORMAT")}
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
    SummaryEvent.objects.create(
        summary=summary, actor=actor, action="amended", note=created.number, to_status=summary.status
    )
    return created


@transaction.atomic
def cancel_order(*, actor: User, order: Order) -> Order:
    """Cancel one order of a summary being adjusted (Draft or Pending); the others stand."""
    summary = SUMMARY_FLOW.lock(order.summary, allowed=AMENDABLE)
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status == S.CANCELLED:
        raise ActionError(_("This order is already cancelled. Nothing was changed."))
    if not summary.orders.exclude(pk=order.pk).exclude(status=S.CANCELLED).exists():
        raise ActionError(
            _(
                "This is the summary's only remaining order: cancel the whole summary instead. Nothing was changed."
            )
        )
    order.status = S.CANCELLED
    order.save(update_fields=["status"])
    summary.save(update_fields=["updated_at"])
    SummaryEvent.objects.create(
        summary=summary, actor=actor, action="order_cancelled", note=order.number, to_status=summary.status
    )
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
    SummaryEvent.objects.create(summary=summary, actor=actor, action="edited", to_status=summary.status)
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
    SummaryEvent.objects.create(
        summary=summary,
        actor=actor,
        action="reassigned",
        note=f"{previous} → {worker}",
        to_status=summary.status,
    )
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


# Provider: answering an offer ----------------------------------------------------------------


@transaction.atomic
def accept_summary(
    *,
    actor: User,
    summary: OrderSummary,
    message: str = "",
    period_over_confirmed: bool = False,
    now: Any = None,
) -> OrderSummary:
    """Accept an offer. One whose period is already over is accepted only once the person has
    confirmed it (the confirmation page's box): otherwise refused, nothing changed."""
    summary = SUMMARY_FLOW.perform("accept", summary, actor=actor, note=message)
    if period_over(summary, now=now) and not period_over_confirmed:
        raise ActionError(
            {
                "period_over": _(
                    "This order summary's period ended on %(date)s. Confirm that you accept it anyway, "
                    "or go back."
                )
                % {"date": formats.date_format(summary.end_date, "DATE_FORMAT")}
            }
        )
    summary.provider_message = message
    summary.save(update_fields=["provider_message"])
    _tell_worker(
        summary,
        title=_("%(number)s accepted by the service provider"),
        params={"number": summary.number},
        key=f"orders:accepted:{_latest_event_key(summary)}",
        purpose="accepted",
    )
    return summary


@transaction.atomic
def decline_summary(*, actor: User, summary: OrderSummary, reason: str | None) -> OrderSummary:
    reason = (reason or "").strip()
    if not reason:
        raise ActionError({"reason": _("Give the reason for declining the request.")})
    summary = SUMMARY_FLOW.perform("decline", summary, actor=actor, note=reason)
    summary.decline_reason = reason
    summary.save(update_fields=["decline_reason"])
    _tell_worker(
        summary,
        title=_("%(number)s declined by the service provider: offer it again or cancel it"),
        params={"number": summary.number},
        key=f"orders:declined:{_latest_event_key(summary)}",
        purpose="declined",
    )
    return summary


# Provider: service reports and confirmations ---------------------------------------------------

# While Pending (a worker adjusting the order) reports are still needed; only monthly
# confirmations wait (the guide).
REPORTABLE: dict[str, tuple[str, ...]] = {
    ReportKind.INCIDENT: (S.ACTIVATED, S.PENDING),
    ReportKind.OBSERVATION: (S.ACTIVATED, S.PENDING),
    ReportKind.CHANGE: (S.ACTIVATED, S.PENDING),
    ReportKind.MISCELLANEOUS: (S.CANCELLED, S.TERMINATED, S.EXPIRED),
}
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
        ) % {"date": formats.date_format(ended, "DATE_FORMAT")}
    if summary.status == S.EXPIRED:
        return _(
            "This order summary expired on %(date)s, at the end of its period: you can still confirm "
            "the months of service delivered until then."
        ) % {"date": formats.date_format(summary.end_date, "DATE_FORMAT")}
    if summary.status in CONFIRMABLE:
        return ""
    return str(CONFIRM_NOTICES.get(summary.status, ""))


def allowed_report_kinds(summary: OrderSummary) -> list[str]:
    """The report kinds this summary's status and service allow, in the guide's order."""
    kinds = [kind for kind, statuses in REPORTABLE.items() if summary.status in statuses]
    if not summary.service.allows_incident:
        kinds = [k for k in kinds if k != ReportKind.INCIDENT]
    if not summary.service.allows_observation:
        kinds = [k for k in kinds if k != ReportKind.OBSERVATION]
    return kinds


def _check_reportable(summary: OrderSummary, kind: str) -> None:
    if kind not in allowed_report_kinds(summary):
        if summary.status in REPORTABLE[kind]:
            raise ActionError(_("This service does not take this kind of report. Nothing was recorded."))
        raise SUMMARY_FLOW.refuse(summary, REPORTABLE[kind])


def review_report(*, order: Order, kind: str) -> None:
    """The status check of log_report, before a review page (nothing written, nothing locked)."""
    _check_reportable(order.summary, kind)


@transaction.atomic
def log_report(
    *, actor: User, order: Order, kind: str, types: Any = (), measures: Any = (), **fields: Any
) -> ServiceReport:
    """Record a service report; the assigned worker gets a task and an email."""
    summary = SUMMARY_FLOW.lock(order.summary)
    _check_reportable(summary, kind)
    occurred_on = fields.get("occurred_on")
    if occurred_on and occurred_on < summary.start_date:
        raise ActionError({"occurred_on": _("This date is before the service started.")})
    report = ServiceReport.objects.create(
        number=_next_number(ServiceReport),
        kind=kind,
        order=order,
        summary=summary,
        created_by=actor,
        **fields,
    )
    report.types.set(types)
    report.measures.set(measures)
    portal_services.create_task(
        assignee=summary.worker,
        organization=summary.department,
        title=_("New service report %(report)s on %(number)s"),
        params={"report": report.number, "number": summary.number},
        due_date=timezone.localdate() + timedelta(days=1 if kind == ReportKind.INCIDENT else 5),
        link=reverse("orders:report", args=[report.pk]),
        key=f"orders:report:{report.pk}",
        record=report,
        purpose="report",
        send_email=True,
        title_in_email=True,
    )
    return report


@transaction.atomic
def acknowledge_report(*, actor: User, report: ServiceReport) -> ServiceReport:
    report = ServiceReport.objects.select_for_update().get(pk=report.pk)
    if report.acknowledged_at is None:
        report.acknowledged_at = timezone.now()
        report.acknowledged_by = actor
        report.save(update_fields=["acknowledged_at", "acknowledged_by"])
    # The worker's "New service report …" task is done once the report is taken into account,
    # whoever acknowledged it (the task may have been handed over to a colleague).
    portal_services.complete_tasks(record=report, purpose="report")
    return report


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
                    % {"date": formats.date_format(ended, "DATE_FORMAT")}
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
        ) % {"date": formats.date_format(timezone.localdate(confirmation.acknowledged_at), "DATE_FORMAT")}
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
    SummaryEvent.objects.create(
        summary=summary,
        actor=actor,
        action="month_corrected",
        note=f"{confirmation.month:%Y-%m}",
        to_status=summary.status,
    )
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
