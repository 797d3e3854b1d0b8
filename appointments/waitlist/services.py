"""The appointments waitlist (issue 20): sign-up, leaving by a signed link, the staff's list.

A person (same email or mobile) is on a service's list once while waiting or offered; the list's
order is the order of sign-up. The one clock is timezone.now().

WAITLIST_FLOW declares an entry's statuses once (portal.workflow): the pages read it through the
`reached` and `allows` filters instead of comparing statuses. Nobody takes these transitions from a
button: the person by their signed links, the system by its offers (appointments.waitlist.offers).
"""

from typing import Any

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from appointments import roles
from appointments.models import (
    WAITLIST_ACTIVE,
    Service,
    WaitlistEntry,
    WaitlistStatus,
    waitlist_contact_key,
)
from portal.workflow import Transition, Workflow

LEAVE_SALT = "appointments.waitlist.leave"

W = WaitlistStatus


def _no_history(entry: WaitlistEntry, /, **change: Any) -> None:
    """An entry keeps no history rows: its own fields (offered until, left at) say what happened."""
    return None


WAITLIST_FLOW: Workflow[WaitlistEntry] = Workflow(
    model=WaitlistEntry,
    # No buttons (every transition's button is False): no action endpoint to reverse.
    url_name="",
    record_history=_no_history,
    transitions=[
        Transition(
            name="offer",
            sources=(W.WAITING,),
            target=W.OFFERED,
            capability=roles.CONFIGURE,
            label=gettext_lazy("Offer the place"),
            button=False,
        ),
        Transition(
            name="book",
            sources=(W.OFFERED,),
            target=W.BOOKED,
            capability=roles.CONFIGURE,
            label=gettext_lazy("Book the offered place"),
            button=False,
        ),
        Transition(
            name="expire",
            sources=(W.OFFERED,),
            target=W.EXPIRED,
            capability=roles.CONFIGURE,
            label=gettext_lazy("Let the offer expire"),
            button=False,
        ),
        # Leaving by the signed link, or declining an offered place.
        Transition(
            name="leave",
            sources=WAITLIST_ACTIVE,
            target=W.LEFT,
            capability=roles.CONFIGURE,
            label=gettext_lazy("Leave the waitlist"),
            button=False,
        ),
    ],
)


def area_of(postal_code: str) -> str:
    """The postal code's first three characters (forward sortation area), upper case, no spaces."""
    return "".join((postal_code or "").split()).upper()[:3]


def sign_up(
    *, service: Service, email: str = "", mobile_phone: str = "", language: str = "fr", area: str
) -> tuple[WaitlistEntry, bool]:
    """Put a person on the service's list; (entry, created). Already on it: their entry, unchanged."""
    key = waitlist_contact_key(email, mobile_phone)
    if not key:
        raise ValueError("an email or a mobile phone is required")
    values: dict[str, Any] = {
        "organization_id": service.organization_id,
        "service": service,
        "email": (email or "").strip(),
        "mobile_phone": mobile_phone or "",
        "contact_key": key,
        "language": (language or "fr")[:2],
        "area": area_of(area),
        "created_at": timezone.now(),
    }
    existing = _active(service, key)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return WaitlistEntry.objects.create(**values), True
    except IntegrityError:
        # Two sign-ups at once: the unique constraint kept one; return it.
        existing = _active(service, key)
        if existing is None:
            raise
        return existing, False


def _active(service: Service, key: str) -> WaitlistEntry | None:
    return (
        WaitlistEntry.objects.filter(service=service, contact_key=key, status__in=WAITLIST_ACTIVE)
        .order_by("pk")
        .first()
    )


def leave_token(entry: WaitlistEntry) -> str:
    """The signed token of the link to leave the list (nothing personal in it)."""
    return signing.Signer(salt=LEAVE_SALT).sign_object(entry.pk)


def entry_of_leave_token(organization_id: int, token: str) -> WaitlistEntry | None:
    """The entry a leave link names, in this organization; None for a bad or foreign token."""
    try:
        pk = signing.Signer(salt=LEAVE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(pk, int):
        return None
    return WaitlistEntry.objects.filter(organization_id=organization_id, pk=pk).first()


def leave(entry: WaitlistEntry) -> bool:
    """Take the person off the list; False when they were no longer waiting or offered."""
    updated = WaitlistEntry.objects.filter(pk=entry.pk, status__in=WAITLIST_ACTIVE).update(
        status=WaitlistStatus.LEFT, left_at=timezone.now(), offer_expires_at=None
    )
    return bool(updated)


def service_list(service: Service) -> list[WaitlistEntry]:
    """The service's list for the staff, in order of sign-up (one query)."""
    return list(
        WaitlistEntry.objects.for_organization(service.organization_id)
        .filter(service=service)
        .order_by("created_at", "pk")
    )


def position(entry: WaitlistEntry) -> int:
    """The person's place in the queue of their service and area (1 = next to be offered)."""
    ahead = WaitlistEntry.objects.filter(
        service_id=entry.service_id,
        area=entry.area,
        status=WaitlistStatus.WAITING,
    ).filter(created_at__lt=entry.created_at)
    return ahead.count() + 1
