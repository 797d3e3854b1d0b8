"""Offers: the provider's answer to an order summary offered to it (accept, decline), and the
worker told of it. Keyword-only, atomic: each answer is one transition of SUMMARY_FLOW.
"""

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from orders.models import (
    OrderSummary,
)
from orders.summaries.services import SUMMARY_FLOW, period_over
from portal import services as portal_services
from portal.models import User
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
