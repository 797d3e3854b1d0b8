"""Writes about a person's account: their profile and language, their second factor (an
authenticator and backup codes), and the alerts that tell of changes and of password spraying.
Keyword-only functions; emails go through portal.services.notify."""

import secrets
from datetime import datetime
from typing import Any
from uuid import uuid4

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import Language, SignInAlert, User
from portal.services import notify

# Profile and language -----------------------------------------------------------------------


@transaction.atomic
def update_profile(
    *, user: User, first_name: str, last_name: str, phone: Any, preferred_language: str
) -> User:
    user.first_name = first_name
    user.last_name = last_name
    user.phone = phone
    user.preferred_language = preferred_language
    user.save(update_fields=["first_name", "last_name", "phone", "preferred_language"])
    return user


def set_preferred_language(*, user: User | AnonymousUser, language: str) -> None:
    if language not in Language.values:
        raise ValueError(language)
    if user.is_authenticated and user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])


# Second factor -----------------------------------------------------------------------------


def start_totp_enrolment(*, user: User) -> TOTPDevice:
    """An unconfirmed authenticator for this person (reused until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=False)
    return device


@transaction.atomic
def confirm_totp_enrolment(*, user: User, device: TOTPDevice) -> list[str]:
    """Confirm the authenticator, drop any older one, and issue fresh backup codes."""
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return regenerate_backup_codes(user=user)


@transaction.atomic
def regenerate_backup_codes(*, user: User) -> list[str]:
    """Single-use backup codes; the old ones stop working. Returns the codes to show once."""
    static, _created = StaticDevice.objects.get_or_create(user=user, name="Backup codes")
    static.token_set.all().delete()
    codes = [secrets.token_hex(5) for _i in range(settings.BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


def user_has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def tell_owner_of_security_change(*, user: User, change: str) -> None:
    """An email to the account's owner when its second factor changes (they may not have done it)."""
    notify(
        key=f"security:{change}:{user.pk}:{uuid4().hex}",
        template="portal/emails/security_change",
        recipient=user,
        link="/profile/",
        context={"change": change},
    )


def raise_sign_in_alert(
    *, ip_address: str, failures: int, accounts: int, blocked_until: datetime
) -> SignInAlert | None:
    """An address crossed the sign-in failure limit across accounts: one alert per lockout hour,
    listed in the admin and emailed to the platform's staff (superusers). Returns the alert, or
    None when this address already has an alert for the current hour."""
    now = timezone.now()
    with transaction.atomic():
        if SignInAlert.objects.filter(ip_address=ip_address, blocked_until__gt=now).exists():
            return None
        alert = SignInAlert.objects.create(
            ip_address=ip_address, failures=failures, accounts=accounts, created_at=now, blocked_until=blocked_until
        )
        for admin in User.objects.filter(is_superuser=True, is_active=True).order_by("pk"):
            notify(
                key=f"sign-in-alert:{alert.pk}:{admin.pk}",
                template="portal/emails/sign_in_alert",
                recipient=admin,
                link="/admin/portal/signinalert/",
                context={"address": ip_address, "failures": failures, "accounts": accounts},
            )
    return alert
