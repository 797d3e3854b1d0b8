"""Messages sent (email, SMS) and SMS answers received."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models.accounts import Language, User


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class DeliveryStatus(models.TextChoices):
    """What the SMS provider reported after the message left (its status callbacks)."""

    SENT = "sent", _("Sent to the carrier")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Not delivered (failed)")
    UNDELIVERED = "undelivered", _("Not delivered (undelivered)")


class Message(models.Model):
    """One email or SMS to one recipient. The unique key makes sending idempotent.

    Only ids and a template name travel to the worker; the text is rendered when sent, in the
    recipient's language. The subject and link are kept for the outbox (never personal details).
    """

    key = models.CharField(max_length=200, unique=True)
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    template = models.CharField(_("template"), max_length=200)
    context = models.JSONField(default=dict, blank=True)
    recipient = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("recipient")
    )
    to_address = models.CharField(_("to"), max_length=254)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    link = models.URLField(_("link"), max_length=500, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # An SMS provider's side (portal.sms_providers): its message id, and what its status
    # callbacks last said (portal.sms_services.record_delivery_status), with its error code.
    provider_id = models.CharField(_("provider's message id"), max_length=64, blank=True, db_index=True)
    delivery_status = models.CharField(
        _("delivery"), max_length=12, choices=DeliveryStatus.choices, blank=True
    )
    delivery_error = models.CharField(_("provider's reason"), max_length=255, blank=True)
    delivery_updated_at = models.DateTimeField(_("delivery updated"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_channel_display()} {self.key}"


class SmsAnswer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")


class InboundSms(models.Model):
    """One SMS a person sent to Liaison's number (portal.sms_services.receive_sms), kept once per
    provider message id: a webhook delivered twice is answered once. Not organization data: the
    handler that takes it (an app's, portal.sms.replies) records what it did on its own record."""

    provider_id = models.CharField(_("provider's message id"), max_length=64, unique=True)
    from_number = models.CharField(_("from"), max_length=32)
    body = models.TextField(_("text"), blank=True)
    answer = models.CharField(_("answer"), max_length=3, choices=SmsAnswer.choices, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    handled_by = models.CharField(_("handled by"), max_length=200, blank=True)
    reply = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("reply")
    )
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("received text message")
        verbose_name_plural = _("received text messages")
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["from_number", "received_at"])]

    def __str__(self):
        return self.provider_id
