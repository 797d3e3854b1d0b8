"""Accounts are invited, not typed (issue 18): an administrator invites a person to a role of their
organization; the person gets an email, in their language, with a link where they set their
password (then enrol their authenticator, as every account must).

The link carries a value made by Django's signing (salted, timestamped): it expires after
INVITATION_MAX_AGE, and it works once, because it also carries a fingerprint of the account's
password hash (salted_hmac), which changes when the password is set. No crypto of our own.
"""

from datetime import timedelta
from uuid import uuid4

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from portal import roles
from portal.models import Membership, Organization, User
from portal.services import notify

SALT = "portal.accounts.invitation"
INVITATION_MAX_AGE = getattr(settings, "INVITATION_MAX_AGE", timedelta(days=7))


def _fingerprint(user: User) -> str:
    return salted_hmac(SALT, f"{user.pk}|{user.password}", algorithm="sha256").hexdigest()[:32]


def make_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "f": _fingerprint(user)}, salt=SALT)


def user_for_token(token: str) -> User | None:
    """The invited person of a link still valid (not expired, not used), or None."""
    try:
        data = signing.loads(token, salt=SALT, max_age=INVITATION_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = User.objects.filter(pk=data["u"], is_active=True).first()
    if user is None or not constant_time_compare(str(data.get("f", "")), _fingerprint(user)):
        return None
    return user


def invitable_roles(organization: Organization) -> list[roles.Role]:
    """The roles an administrator may give in their organization: those of its kind."""
    return roles.roles_for_kind(organization.kind)


def _labels(value) -> dict[str, str]:
    labels = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels[code] = str(value)
    return labels


@transaction.atomic
def invite_member(
    *,
    inviter: User,
    organization: Organization,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    language: str,
) -> Membership:
    """Give `role` in `organization` to the person at `email`, and email them.

    A new address gets an account without a password and a link to set it; a person who already
    has an account gets the role and a sign-in link (their password stays theirs). Refused, with a
    message for the field: a role that does not exist for the organization's kind, or a role the
    person already holds there."""
    if role not in {r.code for r in invitable_roles(organization)}:
        raise ValidationError({"role": _("This role does not exist for this kind of organization.")})
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    today = timezone.localdate()
    if user is None:
        user = User.objects.create_user(
            email=email,
            password=None,
            first_name=first_name,
            last_name=last_name,
            preferred_language=language,
        )
    elif (
        Membership.objects.for_organization(organization)
        .filter(user=user, role=role)
        .valid_on(today)
        .exists()
    ):
        raise ValidationError({"email": _("This person already has this role in your organization.")})
    membership = Membership.objects.create(user=user, organization=organization, role=role, valid_from=today)
    has_password = user.has_usable_password()
    link = (
        reverse("account_login")
        if has_password
        else reverse("portal:accept_invitation", args=[make_token(user)])
    )
    role_object = roles.get_role(role)
    notify(
        key=f"invitation:{membership.pk}:{uuid4().hex}",
        template="portal/emails/invitation",
        recipient=user,
        link=link,
        context={
            "has_password": has_password,
            "organization": {
                code: getattr(organization, f"name_{code}") or organization.name for code, _name in settings.LANGUAGES
            },
            "role": _labels(role_object.label if role_object else role),
            "inviter": inviter.get_full_name() or inviter.email,
            "days": INVITATION_MAX_AGE.days,
        },
    )
    return membership


@transaction.atomic
def accept_invitation(*, user: User, password: str) -> User:
    """The invited person chose their password: the link stops working (its fingerprint changes)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user
