"""Access accounts and roles: who signs in to the scheduler, with which role, for how long.

Keyword-only functions, atomic; a refusal is an ActionError, nothing saved.
"""

import secrets
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments import roles
from appointments.models import (
    Location,
)
from portal import services as portal_services
from portal.models import Membership, Organization, User
from portal.roles import get_role
from portal.workflow import ActionError

# Access accounts and roles ---------------------------------------------------------------------------


def _send_sign_in_details(*, user: User, organization: Organization, key: str) -> None:
    portal_services.notify(
        key=key,
        template="appointments/emails/sign_in_details",
        recipient=user,
        link=reverse("account_reset_password"),
        context={"organization_id": organization.pk, "email": user.email},
    )


@transaction.atomic
def create_access_account(
    *,
    organization: Organization,
    first_name: str,
    last_name: str,
    phone: Any,
    email: str,
    preferred_language: str,
    valid_from: date | None,
    valid_to: date | None,
) -> User:
    """A person who signs in to the scheduler, with the most limited role (Consultation #2)."""
    valid_from = valid_from or timezone.localdate()
    if valid_to is not None and valid_to < valid_from:
        raise ActionError({"valid_to": _("The end date cannot be before the start date.")})
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and access_ended(
        Membership.objects.filter(user=existing, organization=organization, role__in=roles.ROLE_CODES)
    ):
        # Their account is still here, its access ended: the pilot reopens it (no second account).
        raise ActionError(
            {
                "email": _(
                    "This person's access to the scheduler has ended. Find them under “Ended access” in "
                    "the resources and reopen their access."
                )
            }
        )
    if existing is not None:
        raise ActionError(
            {
                "email": _(
                    "This email is already used by an account. If the person already has access elsewhere, "
                    "ask the support team to find that account; they will add the role."
                )
            }
        )
    user = User.objects.create_user(
        email=email,
        password=None,
        first_name=first_name,
        last_name=last_name,
        phone=phone or "",
        preferred_language=preferred_language,
    )
    Membership.objects.create(
        user=user,
        organization=organization,
        role=roles.DEFAULT_ROLE,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    _send_sign_in_details(user=user, organization=organization, key=f"appointments:account:{user.pk}:created")
    return user


@transaction.atomic
def update_access_account(
    *,
    organization: Organization,
    account: User,
    first_name: str,
    last_name: str,
    phone: Any,
    preferred_language: str,
) -> User:
    # A subquery, not a join: a person with several roles here is one row.
    locked = User.objects.select_for_update().get(
        pk=account.pk, pk__in=Membership.objects.filter(organization=organization).values("user_id")
    )
    locked.first_name, locked.last_name = first_name, last_name
    locked.phone = phone or ""
    locked.preferred_language = preferred_language
    locked.save(update_fields=["first_name", "last_name", "phone", "preferred_language"])
    return locked


@transaction.atomic
def reset_password(*, actor: User, organization: Organization, account: User) -> User:
    """The old password stops working; the person gets the sign-in details and a way to choose a new one.

    Only for people whose every access is in this application: a pilot never locks someone out of
    another organization's work.
    """
    locked = User.objects.select_for_update().get(pk=account.pk)
    if Membership.objects.filter(user=locked).exclude(organization=organization).exists():
        raise ActionError(
            _("This person also has access to other organizations: they reset their password themselves.")
        )
    if locked.pk == actor.pk:
        raise ActionError(_("Change your own password from your profile."))
    locked.set_unusable_password()
    locked.save(update_fields=["password"])
    _send_sign_in_details(
        user=locked,
        organization=organization,
        key=f"appointments:account:{locked.pk}:reset:{secrets.token_hex(8)}",
    )
    return locked


def _check_role(
    *,
    organization: Organization,
    role: str,
    valid_from: date | None,
    valid_to: date | None,
    membership: Membership | None = None,
    user: User | None = None,
    location: Location | None = None,
) -> None:
    if role not in roles.ROLE_CODES or get_role(role) is None:
        raise ActionError({"role": _("Choose one of the scheduler's roles.")})
    if role == roles.PILOT and location is not None:
        # Configuration and statistics cover the whole application.
        raise ActionError(
            {"location": _("A pilot configures the whole application: choose “All locations”.")}
        )
    if valid_to is not None and valid_from is not None and valid_to < valid_from:
        raise ActionError({"valid_to": _("The end date cannot be before the start date.")})
    if role == roles.PILOT:
        today = timezone.localdate()
        # Pilot roles that have not ended, future ones included: a start date cannot make a fourth.
        pilots = Membership.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=today),
            organization=organization,
            role=roles.PILOT,
            user__is_active=True,
        )
        if membership is not None:
            pilots = pilots.exclude(pk=membership.pk)
        # People, not roles: a pilot for two locations is one of the three.
        people = set(pilots.values_list("user_id", flat=True))
        if (user is None or user.pk not in people) and len(people) >= roles.MAX_PILOTS:
            raise ActionError(
                {"role": _("An application has three pilots at most: remove a pilot role first.")}
            )


def _scope(location: Location | None) -> dict[str, list[int]]:
    return {"locations": [location.pk]} if location is not None else {}


@transaction.atomic
def add_role(
    *,
    organization: Organization,
    account: User,
    role: str,
    location: Location | None,
    valid_from: date | None,
    valid_to: date | None,
) -> Membership:
    # The start date defaults to today before the checks: an end date before it is refused too.
    valid_from = valid_from or timezone.localdate()
    _check_role(
        organization=organization,
        role=role,
        valid_from=valid_from,
        valid_to=valid_to,
        user=account,
        location=location,
    )
    if (
        Membership.objects.filter(user=account, organization=organization, role=role, scope=_scope(location))
        # A role that ended before this one starts is history, not a duplicate (access reopened).
        .exclude(valid_to__lt=valid_from)
        .exists()
    ):
        raise ActionError({"role": _("This person already has this role for this location.")})
    return Membership.objects.create(
        user=account,
        organization=organization,
        role=role,
        scope=_scope(location),
        valid_from=valid_from,
        valid_to=valid_to,
    )


@transaction.atomic
def change_role(
    *,
    organization: Organization,
    membership: Membership,
    role: str,
    location: Location | None,
    valid_from: date | None,
    valid_to: date | None,
    actor: User | None = None,
) -> Membership:
    locked = Membership.objects.select_for_update().get(pk=membership.pk, organization=organization)
    if actor is not None and locked.user_id == actor.pk and locked.role == roles.PILOT:
        if role != roles.PILOT or (valid_to is not None and valid_to < timezone.localdate()):
            # Like removing it: the pilot would lock themselves out of Configuration.
            raise ActionError({"role": _("You cannot change or end your own pilot role.")})
    valid_from = valid_from or locked.valid_from  # kept when not given, and checked against the end
    _check_role(
        organization=organization,
        role=role,
        valid_from=valid_from,
        valid_to=valid_to,
        membership=locked,
        user=locked.user,
        location=location,
    )
    locked.role, locked.scope = role, _scope(location)
    locked.valid_from, locked.valid_to = valid_from, valid_to
    locked.save(update_fields=["role", "scope", "valid_from", "valid_to"])
    return locked


@transaction.atomic
def end_access(*, actor: User, organization: Organization, account: User) -> int:
    """The person's access to the scheduler ends today (guide 2.4: accesses no longer needed).

    Roles already started end yesterday; roles not started yet are removed. History stays, and so
    does the account: when every role here starts today or later, the last one stays as an ended role
    (its dates the day before today: never a day of access), so that the pilot still finds the person
    under "Ended access" and can reopen it (a removed last role made the account vanish, and the
    email could not be used again).
    """
    if account.pk == actor.pk:
        raise ActionError(_("You cannot end your own access."))
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    memberships = list(
        Membership.objects.select_for_update()
        .filter(user=account, organization=organization, role__in=roles.ROLE_CODES)
        .order_by("valid_from", "pk")
    )
    keep = None
    if all(membership.valid_from >= today for membership in memberships):
        keep = memberships[-1] if memberships else None
    ended = 0
    for membership in memberships:
        if membership is keep:
            membership.valid_from = membership.valid_to = yesterday
            membership.save(update_fields=["valid_from", "valid_to"])
        elif membership.valid_from >= today:
            membership.delete()
        elif membership.valid_to is None or membership.valid_to >= today:
            membership.valid_to = today - timedelta(days=1)
            membership.save(update_fields=["valid_to"])
        else:
            continue
        ended += 1
    if not ended:
        raise ActionError(_("This person's access has already ended."))
    return ended


def access_ended(memberships: Any, today: date | None = None) -> bool:
    """Whether an account's roles here have all ended (none current, none to come): the pilot's
    "Ended access" list, from which access is reopened."""
    today = today or timezone.localdate()
    memberships = list(memberships)
    return bool(memberships) and all(
        membership.valid_to is not None and membership.valid_to < today for membership in memberships
    )


@transaction.atomic
def remove_role(*, actor: User, organization: Organization, membership: Membership) -> None:
    locked = Membership.objects.select_for_update().get(pk=membership.pk, organization=organization)
    if locked.user_id == actor.pk and locked.role == roles.PILOT:
        raise ActionError(_("You cannot remove your own pilot role."))
    if (
        not Membership.objects.filter(user_id=locked.user_id, organization=organization)
        .exclude(pk=locked.pk)
        .exists()
    ):
        raise ActionError(_("This is the person's only role here: change it instead of removing it."))
    locked.delete()
