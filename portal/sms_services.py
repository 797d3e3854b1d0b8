"""The writes of SMS delivery: what a provider reports about a message that left (status
callbacks), and the SMS people send back (replies). Called by portal.sms_webhooks once the
provider's signature is checked; keyword-only, atomic, idempotent.

Neither a body nor a phone number is ever logged: a reply may answer a question about health.
"""

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from portal import sms
from portal.models import Channel, DeliveryStatus, InboundSms, Message

logger = logging.getLogger(__name__)

# The provider's statuses that Liaison records (others, such as "queued" or "sending", say
# nothing new); a later report never takes a message back to an earlier state.
PROVIDER_STATUSES = {
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.DELIVERED,
    "failed": DeliveryStatus.FAILED,
    "undelivered": DeliveryStatus.UNDELIVERED,
}
_RANK = {
    "": 0,
    DeliveryStatus.SENT: 1,
    DeliveryStatus.DELIVERED: 2,
    DeliveryStatus.FAILED: 2,
    DeliveryStatus.UNDELIVERED: 2,
}
# Twilio's most frequent delivery error codes, in its own words (the others keep their number).
PROVIDER_REASONS = {
    "30001": "Queue overflow",
    "30002": "Account suspended",
    "30003": "Unreachable destination handset",
    "30004": "Message blocked",
    "30005": "Unknown destination handset",
    "30006": "Landline or unreachable carrier",
    "30007": "Message filtered by the carrier",
    "30008": "Unknown error",
    "21610": "The recipient answered STOP (unsubscribed)",
}
# An SMS body is at most 1,600 characters at Twilio.
MAX_BODY = 1600
# At most one help reply per number in this interval: two automatic responders never loop.
HELP_INTERVAL = timedelta(minutes=10)


def provider_reason(code: str) -> str:
    code = (code or "").strip()
    if not code:
        return ""
    return f"{code}: {PROVIDER_REASONS[code]}" if code in PROVIDER_REASONS else code


@transaction.atomic
def record_delivery_status(
    *, provider_id: str, status: str, error_code: str = "", now: datetime | None = None
) -> Message | None:
    """Record what the provider says of a message it took (matched by its id).

    Returns the message when its delivery state changed, None otherwise: an unknown id, a status
    that says nothing new, the same report twice, or a report older than the state recorded.
    """
    state = PROVIDER_STATUSES.get((status or "").strip().lower())
    if not provider_id or state is None:
        return None
    message = Message.objects.select_for_update().filter(provider_id=provider_id).first()
    if message is None:
        logger.info("SMS status for an unknown provider id (%s)", state)
        return None
    if _RANK[state] <= _RANK[message.delivery_status]:
        return None
    message.delivery_status = state
    message.delivery_error = provider_reason(error_code)[:255] if state != DeliveryStatus.SENT else ""
    message.delivery_updated_at = now or timezone.now()
    message.save(update_fields=["delivery_status", "delivery_error", "delivery_updated_at"])
    logger.info("Message %s: delivery %s %s", message.pk, state, message.delivery_error)
    return message


def help_text() -> str:
    """The short bilingual help sent when no handler took a reply: French, then English."""
    parts = []
    for code in ("fr", "en"):
        with translation.override(code):
            parts.append(gettext("Liaison: reply 1 (YES) to confirm or 2 (NO) to cancel."))
    return " / ".join(parts)


def receive_sms(
    *, provider_id: str, from_number: str, body: str, now: datetime | None = None
) -> tuple[InboundSms, bool]:
    """Keep an SMS a person sent, hand it to the apps' reply handlers, and queue the answer.

    Idempotent by the provider's message id: the same SMS delivered twice returns the first row
    with False, and neither runs a handler nor answers again. Handlers are asked in turn
    (portal.sms.replies); the first that returns a text is answered with it. When none does, the
    answer is a short bilingual help, at most once per HELP_INTERVAL for a number. A handler that
    fails is logged (without the text) and skipped: the sender still gets an answer.
    """
    from portal.services import notify

    now = now or timezone.now()
    existing = InboundSms.objects.filter(provider_id=provider_id).first()
    if existing is not None:
        return existing, False
    body = (body or "")[:MAX_BODY]
    incoming = sms.IncomingSms(
        phone=from_number,
        body=body,
        answer=sms.normalise_answer(body),
        language=sms.guess_language(body),
        provider_id=provider_id,
    )
    with transaction.atomic():
        try:
            with transaction.atomic():
                inbound = InboundSms.objects.create(
                    provider_id=provider_id,
                    from_number=from_number[:32],
                    body=body,
                    answer=incoming.answer or "",
                    language=incoming.language,
                    received_at=now,
                )
        except IntegrityError:
            # The same SMS is being received by another request at this moment: theirs answers.
            return InboundSms.objects.get(provider_id=provider_id), False
        text, handled_by = _ask_handlers(inbound, incoming)
        if text is None and _may_send_help(inbound, now=now):
            text = help_text()
        if text:
            message = notify(
                key=f"sms-reply:{provider_id}",
                template="portal/sms/reply",
                phone=from_number,
                language=incoming.language,
                channels=(Channel.SMS,),
                context={"text": text[:MAX_BODY]},
            )[0]
            inbound.reply = message
        inbound.handled_by = handled_by
        inbound.save(update_fields=["reply", "handled_by"])
    logger.info(
        "SMS %s received: answer %s, handled by %s", inbound.pk, inbound.answer or "-", handled_by or "-"
    )
    return inbound, True


def _ask_handlers(inbound: InboundSms, incoming: sms.IncomingSms) -> tuple[str | None, str]:
    for handler in sms.replies.handlers():
        name = sms.handler_name(handler)
        try:
            with transaction.atomic():
                text = handler(incoming)
        except Exception:
            logger.exception("SMS %s: the reply handler %s failed", inbound.pk, name)
            continue
        if text:
            return str(text), name
    return None, ""


def _may_send_help(inbound: InboundSms, *, now: datetime) -> bool:
    return not (
        InboundSms.objects.filter(
            from_number=inbound.from_number,
            received_at__gte=now - HELP_INTERVAL,
            handled_by="",
            reply__isnull=False,
        )
        .exclude(pk=inbound.pk)
        .exists()
    )
