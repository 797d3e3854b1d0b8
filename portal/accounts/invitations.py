"""Accounts are invited, not typed (issue 18): an administrator invites a person to a role of their
organization; the person gets an email, in their language, with a link where they set their
password (then enrol their authenticator, as every account must).

The link carries a value made by Django's signing (salted, timestamped): it expires after
INVITATION_MAX_AGE, and it works once, because it also carries a fingerprint of the account's
password hash (salted_hmac), which changes when the password is set. No crypto of our own.

Each invitation of a person who has no password yet is an `Invitation` row, listed to the
organization's administrators while pending: the link also carries the row's nonce, so sending it
again (a new nonce) stops the previous link, and withdrawing it stops the link and removes the role.
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
from django.utils.translation import pgettext

from portal import names, roles
from portal.models import Invitation, Membership, Organization, User
from portal.services import notify

SALT = "portal.accounts.invitation"
INVITATION_MAX_AGE = getattr(settings, "INVITATION_MAX_AGE", timedelta(days=7))


def _fingerprint(user: User) -> str:
    return salted_hmac(SALT, f"{user.pk}|{user.password}", algorithm="sha256").hexdigest()[:32]


def make_token(invitation: Invitation) -> str:
    user = invitation.user
    return signing.dumps({"u": user.pk, "f": _fingerprint(user), "n": invitation.nonce}, salt=SALT)


def user_for_token(token: str) -> User | None:
    """The invited person of a link still valid (not expired, not used, neither sent again since
    nor withdrawn), or None."""
    try:
        data = signing.loads(token, salt=SALT, max_age=INVITATION_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("n"), str):
        return None
    invitation = (
        Invitation.objects.scoped("the invitation's signed link")
        .filter(nonce=data["n"], user_id=data["u"], user__is_active=True, withdrawn_at__isnull=True)
        .select_related("user")
        .first()
    )
    if invitation is None or not constant_time_compare(str(data.get("f", "")), _fingerprint(invitation.user)):
        return None
    return invitation.user


def _link(invitation: Invitation) -> str:
    return reverse("portal:accept_invitation", args=[make_token(invitation)])


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
    if has_password:
        link = reverse("account_login")
    else:
        invitation = Invitation.objects.create(
            organization=organization,
            user=user,
            membership=membership,
            role=role,
            invited_by=inviter,
            sent_at=timezone.now(),
            nonce=uuid4().hex,
        )
        link = _link(invitation)
    _send(
        key=f"invitation:{membership.pk}",
        user=user,
        organization=organization,
        role=role,
        inviter=inviter,
        link=link,
    )
    return membership


def _at_organization(organization: Organization) -> dict[str, str]:
    """ "au sein du Ministère…" / "at the Department of…", in each language (the email is written
    in the recipient's; the article is the organization's, portal.names)."""
    values = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            values[code] = names.name_after(pgettext("a role at an organization", "at"), organization)
    return values


def _send(*, key: str, user: User, organization: Organization, role: str, inviter: User, link: str) -> None:
    role_object = roles.get_role(role)
    notify(
        key=f"{key}:{uuid4().hex}",
        template="portal/emails/invitation",
        recipient=user,
        link=link,
        context={
            "has_password": user.has_usable_password(),
            "organization": {
                code: getattr(organization, f"name_{code}") or organization.name
                for code, _name in settings.LANGUAGES
            },
            "at_organization": _at_organization(organization),
            "role": _labels(role_object.label if role_object else role),
            "inviter": inviter.get_full_name() or inviter.email,
            "days": INVITATION_MAX_AGE.days,
        },
    )


def _locked_pending(invitation: Invitation) -> Invitation:
    """The invitation's row, locked, if it is still pending; else a clear, translated refusal."""
    locked = (
        Invitation.objects.scoped("a row the view fetched through a selector, locked")
        .select_for_update()
        .select_related("user", "organization")
        .filter(pk=invitation.pk)
        .first()
    )
    if locked is None or locked.withdrawn_at is not None or locked.user.has_usable_password():
        raise ValidationError(
            _(
                "This invitation is no longer pending: the person has chosen their password, or it was withdrawn."
            )
        )
    return locked


@transaction.atomic
def resend_invitation(*, invitation: Invitation, by: User) -> Invitation:
    """Email the invitation again with a new link, valid for INVITATION_MAX_AGE from now; the
    previous link stops working (its nonce is no longer the invitation's)."""
    invitation = _locked_pending(invitation)
    invitation.nonce = uuid4().hex
    invitation.sent_at = timezone.now()
    invitation.save(update_fields=["nonce", "sent_at"])
    _send(
        key=f"invitation:resent:{invitation.pk}",
        user=invitation.user,
        organization=invitation.organization,
        role=invitation.role,
        inviter=by,
        link=_link(invitation),
    )
    return invitation


@transaction.atomic
def withdraw_invitation(*, invitation: Invitation) -> Invitation:
    """The link stops working and the role it gave is removed (the person never used it)."""
    invitation = _locked_pending(invitation)
    invitation.withdrawn_at = timezone.now()
    invitation.save(update_fields=["withdrawn_at"])
    if invitation.membership_id:
        Membership.objects.scoped("the invitation's own role").filter(pk=invitation.membership_id).delete()
    return invitation


def pending_for(user: User) -> list[Invitation]:
    """The invited person's own pending invitations (their welcome page names each role and
    organization), read from their signed link: the person is not signed in yet."""
    return list(
        Invitation.objects.scoped("the invited person's own invitations, from their signed link")
        .pending()
        .filter(user=user)
        .select_related("organization")
        .order_by("sent_at", "pk")
    )


@transaction.atomic
def accept_invitation(*, user: User, password: str) -> User:
    """The invited person chose their password: the link stops working (its fingerprint changes),
    and their invitations are no longer pending (they have a password)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user
