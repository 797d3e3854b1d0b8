"""Offers: the provider's answer to an order summary offered to it (accept, decline), and the
worker told of it; the age of an unanswered offer and its one reminder. Keyword-only, atomic:
each answer is one transition of SUMMARY_FLOW.
"""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.models import OrderSummary, SummaryStatus
from orders.roles import CARE_COORDINATION_ROLES
from orders.summaries.services import SUMMARY_FLOW, period_over
from portal import dates
from portal import services as portal_services
from portal.dates import working_days_between  # moved to portal.dates (issue 14); callers keep this name
from portal.models import Message, User
from portal.selectors import members_with_roles
from portal.workflow import ActionError


def _latest_event_key(summary: OrderSummary) -> str:
    """Identifies the status change just recorded: one email per change, even if a task is retried."""
    return f"{summary.pk}:{summary.events.values_list('pk', flat=True).first()}"


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
                % {"date": dates.long_date(summary.end_date)}
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


# Unanswered offers ----------------------------------------------------------------------------

# An offer unanswered for this many working days sends its provider one reminder email.
REMINDER_WORKING_DAYS_DEFAULT = 3


def reminder_working_days() -> int:
    return int(getattr(settings, "ORDERS_OFFER_REMINDER_WORKING_DAYS", REMINDER_WORKING_DAYS_DEFAULT))


def offer_age(summary: OrderSummary, *, now: datetime | None = None) -> int:
    """How many working days the offer has waited for an answer (0 on the day it was sent)."""
    if summary.sent_at is None:
        return 0
    return working_days_between(timezone.localdate(summary.sent_at), timezone.localdate(now))


def remind_unanswered_offers(*, now: datetime | None = None) -> int:
    """What Celery beat runs (orders.tasks.remind_unanswered_offers): each offer still Offered
    after reminder_working_days() working days sends one reminder email to its provider's care
    coordination people, each in their language (record number and link only). One notification
    key per sending of the offer and person: running it again, or a retried task, sends nothing
    twice; an offer sent again (after a decline or a revocation) gets its own reminder. Returns how
    many emails were queued by this run."""
    after = reminder_working_days()
    moment = now or timezone.now()
    offered = (
        OrderSummary.objects.scoped("the reminder job reads every organization's offers")
        .filter(status=SummaryStatus.OFFERED, sent_at__isnull=False, sent_at__lte=moment - timedelta(days=after))
        .select_related("provider")
        .order_by("pk")
    )
    queued = 0
    for summary in offered:
        if offer_age(summary, now=moment) < after:
            continue
        link = reverse("orders:summary", args=[summary.pk])
        sent = f"{summary.sent_at:%Y%m%d%H%M%S%f}"
        with transaction.atomic():
            for user in members_with_roles(summary.provider, CARE_COORDINATION_ROLES):
                key = f"orders:offer-reminder:{summary.pk}:{sent}:{user.pk}"
                if Message.objects.filter(key__startswith=f"{key}:").exists():
                    continue  # reminded already (an earlier run, or a retried task)
                messages = portal_services.notify(
                    key=key,
                    template="orders/emails/offer_reminder",
                    recipient=user,
                    link=link,
                    context={"number": summary.number, "days": after},
                )
                queued += len(messages)
    return queued
