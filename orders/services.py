"""Every write of the service orders portal: one function per status change, atomic, row-locked.

Two people acting on the same summary at once: the second waits for the lock, then finds the
status changed and gets a clear message; nothing is half-done.
"""

from datetime import timedelta
from uuid import uuid4

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.models import (
    MonthlyConfirmation,
    Order,
    OrderSummary,
    OrderType,
    ReportKind,
    ServiceReport,
    SummaryEvent,
    SummaryStatus,
)
from orders.roles import CARE_COORDINATION_ROLES
from portal import services as portal_services
from portal.db import fold
from portal.selectors import members_with_roles

S = SummaryStatus


class OrderActionError(ValidationError):
    """An action the current status does not allow, or bad input: nothing was changed."""


def normalize_name(name):
    """Lower case, no accents: "Mélissa" and "MELISSA" both become "melissa" (portal.db's rule)."""
    return fold(name or "").strip()


def _status_error(summary, allowed):
    return OrderActionError(
        _(
            "This order summary is now %(status)s: this action needs it to be %(allowed)s. Nothing was changed."
        )
        % {
            "status": summary.get_status_display(),
            "allowed": _(" or ").join(str(S(value).label) for value in allowed),
        }
    )


def _locked(summary):
    return OrderSummary.objects.select_for_update().get(pk=summary.pk)


def _change_status(summary, *, actor, allowed, to, action, note=""):
    """Lock, check, change, record. The caller is inside a transaction."""
    locked = _locked(summary)
    if locked.status not in allowed:
        raise _status_error(locked, allowed)
    previous = locked.status
    locked.status = to
    locked.save(update_fields=["status", "updated_at"])
    locked.orders.exclude(status=S.CANCELLED).update(status=to)
    SummaryEvent.objects.create(
        summary=locked, actor=actor, action=action, from_status=previous, to_status=to, note=note
    )
    return locked


# Emails to the provider ----------------------------------------------------------------------

STATUS_EMAILS = {
    S.OFFERED: "orders/emails/offered",
    S.ACTIVATED: "orders/emails/activated",
    S.REVOKED: "orders/emails/revoked",
    S.CANCELLED: "orders/emails/cancelled",
    S.TERMINATED: "orders/emails/terminated",
}


def _latest_event_key(summary):
    """Identifies the status change just recorded: one email per change, even if a task is retried."""
    return f"{summary.pk}:{summary.events.values_list('pk', flat=True).first()}"


def _email_provider(summary):
    """The status email to the provider's care coordination people, each in their language.

    Only the summary number travels: no client name or personal detail. No link when revoked.
    """
    template = STATUS_EMAILS[summary.status]
    link = "" if summary.status == S.REVOKED else reverse("orders:summary", args=[summary.pk])
    event_key = _latest_event_key(summary)
    for user in members_with_roles(summary.provider, CARE_COORDINATION_ROLES):
        portal_services.notify(
            key=f"orders:{event_key}:{user.pk}",
            template=template,
            recipient=user,
            link=link,
            context={"number": summary.number},
        )


def _tell_worker(summary, *, title, params, key, send_email=False):
    # Titles here carry record numbers only, so they may go into the email body.
    portal_services.create_task(
        assignee=summary.worker,
        organization=summary.department,
        title=title,
        params=params,
        due_date=timezone.localdate() + timedelta(days=2),
        link=reverse("orders:summary", args=[summary.pk]),
        key=key,
        send_email=send_email,
        title_in_email=True,
    )


# Department: creating and changing a summary -------------------------------------------------


def _next_number(model, instance, pattern):
    # Through save(), so that the audit log records the real number (searchable), not the placeholder.
    instance.number = pattern % instance.pk
    instance.save(update_fields=["number"])


def _create_order(
    *,
    summary,
    order_type,
    status,
    effective_date,
    per,
    base_units,
    base_rate,
    km_units,
    other_monthly_cost,
    client_contribution,
):
    order = Order.objects.create(
        summary=summary,
        number=f"tmp-{uuid4().hex[:16]}",
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
    _next_number(Order, order, "%08d")
    return order


def _mark_sent(summary):
    """When the provider received it: "new orders" on the dashboard count from this day."""
    summary.sent_at = timezone.now()
    summary.save(update_fields=["sent_at"])


@transaction.atomic
def create_summary(
    *,
    actor,
    department,
    provider,
    client_name,
    service,
    zone,
    service_centre,
    start_date,
    end_date,
    worker,
    notes_for_provider="",
    order,
):
    """A new summary in Draft, with its first order. `order` holds the order's fields."""
    if end_date < start_date:
        raise OrderActionError({"end_date": _("The end date cannot be before the start date.")})
    summary = OrderSummary.objects.create(
        number=f"tmp-{uuid4().hex[:16]}",
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
    _next_number(OrderSummary, summary, "OS-%07d")
    _create_order(summary=summary, order_type=OrderType.SERVICE, status=S.DRAFT, **order)
    SummaryEvent.objects.create(summary=summary, actor=actor, action="created", to_status=S.DRAFT)
    return summary


@transaction.atomic
def offer_summary(*, actor, summary):
    """Send to the provider. Services that need no acceptance (e.g. transport) arrive Activated."""
    to = S.ACTIVATED if summary.service.auto_activate else S.OFFERED
    summary = _change_status(
        summary, actor=actor, allowed=(S.DRAFT, S.DECLINED, S.REVOKED), to=to, action="offered"
    )
    _mark_sent(summary)
    _email_provider(summary)
    return summary


@transaction.atomic
def activate_summary(*, actor, summary):
    """The department activates directly, without an offer."""
    summary = _change_status(
        summary, actor=actor, allowed=(S.DRAFT, S.DECLINED, S.REVOKED), to=S.ACTIVATED, action="activated"
    )
    _mark_sent(summary)
    _email_provider(summary)
    return summary


@transaction.atomic
def set_pending(*, actor, summary):
    """A worker is adjusting the order: confirmations are refused until it is re-activated."""
    return _change_status(summary, actor=actor, allowed=(S.ACTIVATED,), to=S.PENDING, action="pending")


@transaction.atomic
def reactivate_summary(*, actor, summary):
    return _change_status(summary, actor=actor, allowed=(S.PENDING,), to=S.ACTIVATED, action="reactivated")


@transaction.atomic
def revoke_offer(*, actor, summary):
    """Take back an offer: it disappears from the provider's lists (they get an email, no link)."""
    summary = _change_status(summary, actor=actor, allowed=(S.OFFERED,), to=S.REVOKED, action="revoked")
    _email_provider(summary)
    return summary


@transaction.atomic
def cancel_summary(*, actor, summary):
    summary = _change_status(
        summary, actor=actor, allowed=(S.OFFERED, S.ACTIVATED, S.PENDING), to=S.CANCELLED, action="cancelled"
    )
    _email_provider(summary)
    return summary


@transaction.atomic
def terminate_summary(*, actor, summary):
    summary = _change_status(
        summary, actor=actor, allowed=(S.ACTIVATED, S.PENDING), to=S.TERMINATED, action="terminated"
    )
    _email_provider(summary)
    return summary


AMENDABLE = (S.DRAFT, S.PENDING)


@transaction.atomic
def amend_summary(*, actor, summary, order):
    """An amendment adds an order to the same summary (while Draft, or Pending during adjustment)."""
    summary = _locked(summary)
    if summary.status not in AMENDABLE:
        raise _status_error(summary, AMENDABLE)
    created = _create_order(summary=summary, order_type=OrderType.AMENDMENT, status=summary.status, **order)
    summary.save(update_fields=["updated_at"])
    SummaryEvent.objects.create(
        summary=summary, actor=actor, action="amended", note=created.number, to_status=summary.status
    )
    return created


@transaction.atomic
def cancel_order(*, actor, order):
    """Cancel one order of a summary being adjusted (Draft or Pending); the others stand."""
    summary = _locked(order.summary)
    if summary.status not in AMENDABLE:
        raise _status_error(summary, AMENDABLE)
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status == S.CANCELLED:
        raise OrderActionError(_("This order is already cancelled. Nothing was changed."))
    if not summary.orders.exclude(pk=order.pk).exclude(status=S.CANCELLED).exists():
        raise OrderActionError(
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


EDITABLE = (S.DRAFT, S.DECLINED, S.REVOKED)
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
def edit_summary(*, actor, summary, **fields):
    """Correct a summary the provider does not hold (a draft, or one declined or revoked) before
    offering it again, possibly to another provider."""
    summary = _locked(summary)
    if summary.status not in EDITABLE:
        raise _status_error(summary, EDITABLE)
    if fields["end_date"] < fields["start_date"]:
        raise OrderActionError({"end_date": _("The end date cannot be before the start date.")})
    outside = summary.orders.exclude(status=S.CANCELLED).exclude(
        effective_date__range=(fields["start_date"], fields["end_date"])
    )
    if outside.exists():
        raise OrderActionError(
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
def reassign_worker(*, actor, summary, worker):
    """The new worker takes over the summary and its open tasks (answers and reports to read)."""
    summary = _locked(summary)
    if summary.worker_id == worker.pk:
        return summary
    previous = summary.worker
    summary.worker = worker
    summary.save(update_fields=["worker", "updated_at"])
    links = [reverse("orders:summary", args=[summary.pk])] + [
        reverse("orders:report", args=[pk]) for pk in summary.reports.values_list("pk", flat=True)
    ]
    portal_services.reassign_open_tasks(links=links, from_user=previous, to_user=worker)
    SummaryEvent.objects.create(
        summary=summary,
        actor=actor,
        action="reassigned",
        note=f"{previous} → {worker}",
        to_status=summary.status,
    )
    return summary
    previous = summary.worker
    summary.worker = worker
    summary.save(update_fields=["worker", "updated_at"])
    SummaryEvent.objects.create(
        summary=summary,
        actor=actor,
        action="reassigned",
        note=f"{previous} → {worker}",
        to_status=summary.status,
    )
    return summary


# Provider: answering an offer ----------------------------------------------------------------


@transaction.atomic
def accept_summary(*, actor, summary, message=""):
    summary = _change_status(
        summary, actor=actor, allowed=(S.OFFERED,), to=S.ACTIVATED, action="accepted", note=message
    )
    summary.provider_message = message
    summary.save(update_fields=["provider_message"])
    _tell_worker(
        summary,
        title=_("%(number)s accepted by the service provider"),
        params={"number": summary.number},
        key=f"orders:accepted:{_latest_event_key(summary)}",
        send_email=True,
    )
    return summary


@transaction.atomic
def decline_summary(*, actor, summary, reason):
    reason = (reason or "").strip()
    if not reason:
        raise OrderActionError({"reason": _("Give the reason for declining the request.")})
    summary = _change_status(
        summary, actor=actor, allowed=(S.OFFERED,), to=S.DECLINED, action="declined", note=reason
    )
    summary.decline_reason = reason
    summary.save(update_fields=["decline_reason"])
    _tell_worker(
        summary,
        title=_("%(number)s declined by the service provider: offer it again or cancel it"),
        params={"number": summary.number},
        key=f"orders:declined:{_latest_event_key(summary)}",
        send_email=True,
    )
    return summary


# Provider: service reports and confirmations ---------------------------------------------------

# While Pending (a worker adjusting the order) reports are still needed; only monthly
# confirmations wait (the guide).
REPORTABLE = {
    ReportKind.INCIDENT: (S.ACTIVATED, S.PENDING),
    ReportKind.OBSERVATION: (S.ACTIVATED, S.PENDING),
    ReportKind.CHANGE: (S.ACTIVATED, S.PENDING),
    ReportKind.MISCELLANEOUS: (S.CANCELLED, S.TERMINATED),
}


def allowed_report_kinds(summary):
    """The report kinds this summary's status and service allow, in the guide's order."""
    kinds = [kind for kind, statuses in REPORTABLE.items() if summary.status in statuses]
    if not summary.service.allows_incident:
        kinds = [k for k in kinds if k != ReportKind.INCIDENT]
    if not summary.service.allows_observation:
        kinds = [k for k in kinds if k != ReportKind.OBSERVATION]
    return kinds


@transaction.atomic
def log_report(*, actor, order, kind, types=(), measures=(), **fields):
    """Record a service report; the assigned worker gets a task and an email."""
    summary = _locked(order.summary)
    if kind not in allowed_report_kinds(summary):
        if summary.status in REPORTABLE[kind]:
            raise OrderActionError(_("This service does not take this kind of report. Nothing was recorded."))
        raise _status_error(summary, REPORTABLE[kind])
    occurred_on = fields.get("occurred_on")
    if occurred_on and occurred_on < summary.start_date:
        raise OrderActionError({"occurred_on": _("This date is before the service started.")})
    report = ServiceReport.objects.create(
        number=f"tmp-{uuid4().hex[:16]}",
        kind=kind,
        order=order,
        summary=summary,
        created_by=actor,
        **fields,
    )
    _next_number(ServiceReport, report, "SR-%07d")
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
        send_email=True,
        title_in_email=True,
    )
    return report


@transaction.atomic
def acknowledge_report(*, actor, report):
    report = ServiceReport.objects.select_for_update().get(pk=report.pk)
    if report.acknowledged_at is None:
        report.acknowledged_at = timezone.now()
        report.acknowledged_by = actor
        report.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return report


@transaction.atomic
def confirm_month(*, actor, order, month, units_delivered, km_delivered):
    """Monthly service confirmation: only on an Activated order, once per order and month."""
    summary = _locked(order.summary)
    if summary.status != S.ACTIVATED:
        if summary.status == S.PENDING:
            raise OrderActionError(
                _(
                    "This order is Pending: a department worker is adjusting it. Confirm the month once it is "
                    "activated again. Nothing was recorded."
                )
            )
        raise _status_error(summary, (S.ACTIVATED,))
    month = month.replace(day=1)
    if not (summary.start_date.replace(day=1) <= month <= summary.end_date):
        raise OrderActionError({"month": _("Choose a month within the order summary's dates.")})
    if month < order.effective_date.replace(day=1):
        raise OrderActionError(
            {"month": _("This order takes effect later: choose a month from its effective date.")}
        )
    if month > timezone.localdate():
        raise OrderActionError({"month": _("A month can be confirmed once it has started.")})
    if MonthlyConfirmation.objects.filter(order=order, month=month).exists():
        raise OrderActionError({"month": _("This month is already confirmed for this order.")})
    return MonthlyConfirmation.objects.create(
        order=order, month=month, units_delivered=units_delivered, km_delivered=km_delivered, created_by=actor
    )
