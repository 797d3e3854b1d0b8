"""Requester sign-ups, decided by the coordinators of the bank that serves the establishment."""

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from interpreters import selectors
from interpreters.models import Registration, RegistrationStatus
from portal import services as portal_services
from portal.models import Membership, User
from portal.workflow import ActionError


@transaction.atomic
def register_requester(**fields: Any) -> Registration:
    """A sign-up, decided by the coordinators of the bank that serves the establishment."""
    bank = selectors.bank_of(fields["establishment"])
    if bank is None:
        raise ActionError({"establishment": _("No interpreter bank serves this establishment.")})
    registration = Registration.objects.create(bank=bank, **fields)
    for coordinator in selectors.coordinators(bank):
        portal_services.create_notification(
            recipient=coordinator,
            title=_("A requester registration is waiting for approval"),
            link=reverse("interpreters:registrations"),
            key=f"interpreters.registration.{registration.pk}",
            record=registration,
            purpose="waiting",
        )
    return registration


def _locked_registration(registration: Registration) -> Registration:
    locked = Registration.objects.select_for_update().get(pk=registration.pk)
    if locked.status != RegistrationStatus.PENDING:
        raise ActionError(_("This registration was already decided. Nothing was changed."))
    return locked


@transaction.atomic
def approve_registration(*, actor: User, registration: Registration) -> Registration:
    """An account for the requester, in their establishment; they choose their password by email."""
    locked = _locked_registration(registration)
    user = User.objects.filter(email__iexact=locked.email).first()
    if user is None:
        user = User.objects.create_user(
            email=locked.email,
            password=None,
            first_name=locked.first_name,
            last_name=locked.last_name,
            preferred_language=locked.preferred_language,
        )
    membership, created = Membership.objects.get_or_create(
        user=user,
        organization=locked.establishment,
        role="interpreters.requester",
        defaults={"valid_from": timezone.localdate()},
    )
    if not created and membership.valid_to is not None and membership.valid_to < timezone.localdate():
        # An old, ended access to the same establishment: open it again from today.
        membership.valid_from, membership.valid_to = timezone.localdate(), None
        membership.save(update_fields=["valid_from", "valid_to"])
    locked.status = RegistrationStatus.APPROVED
    locked.decided_by, locked.decided_at = actor, timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    portal_services.notify(
        key=f"interpreters:registration:{locked.pk}:approved",
        template="interpreters/emails/registration",
        recipient=user,
        link=reverse("account_reset_password"),
        context={"approved": True},
    )
    return locked


@transaction.atomic
def refuse_registration(*, actor: User, registration: Registration, reason: str) -> Registration:
    if not reason.strip():
        raise ActionError({"reason": _("Give the reason for refusing the registration.")})
    locked = _locked_registration(registration)
    locked.status = RegistrationStatus.REFUSED
    locked.decided_by, locked.decided_at, locked.decision_reason = actor, timezone.now(), reason.strip()
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    portal_services.notify(
        key=f"interpreters:registration:{locked.pk}:refused",
        template="interpreters/emails/registration",
        email=locked.email,
        language=locked.preferred_language,
        context={"approved": False, "reason": locked.decision_reason},
    )
    return locked
