"""A referral's email (LaMPSS referrals guide): sent through portal.notify from the no-reply
address with its letter attached, and the hooks that portal.notify calls when it left or failed for
good (Emailed, or Failed with the reason and a notice to the sender).

The hooks are stored by dotted path in each queued message (portal.outbound allows them).
"""

from uuid import uuid4

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import services as portal_services
from portal.models import Priority
from referrals.cases.services import case_columns, case_key
from referrals.models import NETWORK_TYPES, Referral, ReferralStatus, ReferralType
from referrals.printing import referral_for_letter, render_letter_pdf

RS = ReferralStatus

# A referral's email is a portal message: its attempts are the message's.
MAX_EMAIL_ATTEMPTS = portal_services.MESSAGE_ATTEMPTS


def email_referral(referral: Referral) -> None:
    """The referral's email, with its letter attached, from the no-reply address, through
    portal.notify (one retry policy, idempotency key and stale re-queue for every email). Each
    sending gets its own key; notify tells referral_emailed or referral_not_emailed how it went.
    A referral to an agency of the network links to its page in Liaison (a transfer is completed
    there); one outside the network has no page to link to."""
    hook_kwargs = {"referral_id": referral.pk}
    in_network = referral.referral_type in NETWORK_TYPES
    portal_services.notify(
        key=f"referrals:referral:{referral.pk}:{uuid4().hex}",
        template="referrals/emails/referral",
        email=referral.email_to,
        language=referral.language,
        from_email=settings.REFERRAL_FROM_EMAIL,
        # What the sender typed, rendered as is by the worker; cleared from the message once sent.
        context={
            "subject": referral.subject,
            "body": referral.body,
            "transfer": referral.referral_type == ReferralType.TRANSFER,
        },
        link=reverse("referrals:incoming_detail", args=[referral.pk]) if in_network else "",
        attachments=[["referrals.referrals.delivery.letter_attachment", hook_kwargs]],
        on_sent=["referrals.referrals.delivery.referral_emailed", hook_kwargs],
        on_failed=["referrals.referrals.delivery.referral_not_emailed", hook_kwargs],
    )


def letter_attachment(*, referral_id: int) -> tuple[str, bytes, str]:
    """The letter as a PDF, rendered when the email leaves (portal.notify attachment)."""
    referral = referral_for_letter(referral_id)
    return f"referral-{referral.case.number}.pdf", render_letter_pdf(referral), "application/pdf"


def _locked_sent_referral(referral_id: int) -> Referral | None:
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("case", "sent_by")
        .filter(pk=referral_id, status=RS.SENT)
        .first()
    )


@transaction.atomic
def referral_emailed(*, referral_id: int, attempts: int) -> Referral | None:
    """portal.notify's on_sent hook: the referral's email left."""
    referral = _locked_sent_referral(referral_id)
    return mark_referral_emailed(referral=referral, attempts=attempts) if referral else None


@transaction.atomic
def referral_not_emailed(*, referral_id: int, attempts: int, reason: str) -> Referral | None:
    """portal.notify's on_failed hook: the referral's email failed for good."""
    referral = _locked_sent_referral(referral_id)
    return record_referral_failure(referral=referral, reason=reason, attempts=attempts) if referral else None


def mark_referral_emailed(*, referral: Referral, attempts: int) -> Referral:
    """On the locked row, once the email has left."""
    referral.status = RS.EMAILED
    referral.emailed_at = timezone.now()
    referral.attempts = attempts
    referral.failure_reason = ""
    referral.save(update_fields=["status", "emailed_at", "attempts", "failure_reason"])
    return referral


def record_referral_failure(*, referral: Referral, reason: str, attempts: int) -> Referral:
    """On the locked row, once its email failed for good (portal.notify retried it): Failed, with
    the reason, and the sender is told."""
    referral.attempts = attempts
    referral.failure_reason = reason[:500]
    referral.status = RS.FAILED
    case = referral.case
    portal_services.create_notification(
        recipient=referral.sent_by or case.case_manager,
        title=_("A referral could not be emailed"),
        link=reverse("referrals:referrals", args=[case.number])
        + f"?open={referral.pk}#referral-{referral.pk}",
        # One notice per failed sending (a resent referral that fails again is told again).
        key=case_key(case, f"referral.{referral.pk}.failed.{uuid4().hex}"),
        record=case,
        purpose="referral.failed",
        priority=Priority.HIGH,
        **{key: value for key, value in case_columns(case, None).items() if key != "priority"},
    )
    referral.save(update_fields=["attempts", "failure_reason", "status"])
    return referral
