"""Background work of the shared layer."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from portal import sms
from portal.models import Channel, Message, MessageStatus

logger = logging.getLogger(__name__)


def _render(message):
    context = {
        **message.context,
        "link": message.link,
        "site_url": settings.SITE_URL,
        "LANGUAGE_CODE": message.language,
    }
    with translation.override(message.language):
        if message.channel == Channel.SMS:
            return {"body": render_to_string(f"{message.template}_sms.txt", context).strip()}
        subject = " ".join(render_to_string(f"{message.template}_subject.txt", context).split())
        return {
            "subject": subject,
            "text": render_to_string(f"{message.template}.txt", context),
            "html": render_to_string(f"{message.template}.html", context),
        }


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_message(self, message_id):
    """Send one queued message. Idempotent: a message already sent is never sent again.

    The row lock makes a retried or duplicated task wait for the first one and then see it sent.
    """
    failure = None
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status == MessageStatus.SENT:
            return False
        if message.context.get("_quiet_hours"):
            from portal.services import sending_time

            now = timezone.now()
            if sending_time(now) != now:
                return False  # night: stays queued; requeue_stale_messages sends it after 8:00
        condition = message.context.get("_send_only_if")
        if condition and not import_string(condition[0])(**condition[1]):
            message.status, message.error = MessageStatus.FAILED, "Not sent: no longer needed."
            message.context = {}
            message.save(update_fields=["status", "error", "context"])
            return False
        message.attempts += 1
        try:
            rendered = _render(message)
            _deliver(message, rendered)
        except Exception as error:  # recorded on the message; only OSError is worth retrying
            failure = error
            final = not isinstance(error, OSError) or self.request.retries >= self.max_retries
            message.error = str(error)
            message.status = MessageStatus.FAILED if final else MessageStatus.QUEUED
            message.save(update_fields=["attempts", "error", "status"])
            logger.warning("Message %s not sent (attempt %s): %s", message.pk, message.attempts, error)
        else:
            message.subject = rendered.get("subject", "")
            message.status = MessageStatus.SENT
            message.sent_at = timezone.now()
            message.error = ""
            # Once sent, the context (which may hold a secret link or names) is no longer needed.
            message.context = {}
            message.save(update_fields=["attempts", "subject", "status", "sent_at", "error", "context"])
            return True
    # Outside the transaction, so that the attempt is recorded before Celery retries.
    if message.status == MessageStatus.QUEUED:
        raise failure
    return False


def _deliver(message, rendered):
    if message.channel == Channel.SMS:
        sms.send_sms(to=message.to_address, body=rendered["body"])
        return
    email = EmailMultiAlternatives(
        subject=rendered["subject"],
        body=rendered["text"],
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_address],
        headers={"Content-Language": message.language},
    )
    email.attach_alternative(rendered["html"], "text/html")
    for dotted, kwargs in message.context.get("_attachments", []):
        attachment = import_string(dotted)(**kwargs)
        if attachment is not None:
            email.attach(*attachment)
    email.send()


@shared_task
def build_export(export_id):
    from portal.exports import build
    from portal.models import Export, ExportStatus

    export = Export.objects.filter(pk=export_id, status=ExportStatus.QUEUED).select_related("user").first()
    if export is None:
        return False
    try:
        build(export)
    except Exception:
        logger.exception("Export %s failed", export_id)
        Export.objects.filter(pk=export_id).update(status=ExportStatus.FAILED, finished_at=timezone.now())
        return False
    return True


@shared_task
def requeue_stale_messages(minutes=10):
    """Queue again the messages still waiting after a while (a broker outage, a lost task)."""
    cutoff = timezone.now() - timezone.timedelta(minutes=minutes)
    ids = list(
        Message.objects.filter(status=MessageStatus.QUEUED, created_at__lt=cutoff, attempts__lt=6)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:500]
    )
    for message_id in ids:
        send_message.delay(message_id)
    return len(ids)
