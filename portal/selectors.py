"""Reads that depend on who asks. Querysets are scoped by organization in the query."""

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from portal import dates
from portal.db import order_by_name
from portal.links import about  # noqa: F401 (readers filter tasks and notifications by their record)
from portal.models import (
    Channel,
    Export,
    Invitation,
    Membership,
    Message,
    MessageStatus,
    Notification,
    Organization,
    Task,
    User,
)

# Whoever makes the request: a signed-in person or an anonymous visitor.
Person = User | AnonymousUser

M = TypeVar("M", bound=Model)


def valid_memberships(user: Person) -> list[Membership]:
    """The memberships that give this person access today, in a stable order."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_valid_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.for_user(user).valid_now().select_related("organization").order_by("pk")
        )
        setattr(user, "_valid_memberships", cached)  # noqa: B010 (a per-request cache on the person)
    return cached


def active_membership(user: Person) -> Membership | None:
    """The membership the person chose in the user menu, or their first valid one.

    Capabilities come from this membership only. The middleware puts the chosen id on the user
    (from the session); a membership outside its dates is never active.
    """
    if not getattr(user, "is_authenticated", False):
        return None
    if hasattr(user, "_active_membership"):
        return user._active_membership
    memberships = valid_memberships(user)
    chosen_id = getattr(user, "_chosen_membership_id", None)
    membership = next((m for m in memberships if m.pk == chosen_id), None)
    if membership is None and memberships:
        membership = memberships[0]
    setattr(user, "_active_membership", membership)  # noqa: B010 (a per-request cache on the person)
    return membership


def active_organization(user: Person) -> Organization | None:
    membership = active_membership(user)
    return membership.organization if membership else None


def scope_to_organization(queryset: QuerySet[M], user: Person, field: str = "organization") -> QuerySet[M]:
    """Filter a queryset to the active organization, in the query (never load-then-check)."""
    organization = active_organization(user)
    if organization is None:
        return queryset.none()
    return queryset.filter(**{field: organization.pk})


def get_organization_for_member(user: Person, pk: int) -> Organization:
    """The person's own active organization by id; any other id is a 404."""
    return get_object_or_404(scope_to_organization(Organization.objects.all(), user, field="pk"), pk=pk)


def members_with_roles(organization: Organization | int, role_codes: Iterable[str]) -> QuerySet[User]:
    """The people who hold one of these roles in the organization today (for notifications)."""
    return User.objects.filter(
        pk__in=Membership.objects.for_organization(organization)
        .valid_now()
        .filter(role__in=role_codes)
        .values("user")
    ).order_by("pk")


def organization_members(organization: Organization | int) -> QuerySet[Membership]:
    return order_by_name(
        Membership.objects.for_organization(organization).select_related("user"),
        "user__last_name",
        "user__first_name",
        then=("user__email", "role"),
    )


def pending_invitations(organization: Organization | int) -> QuerySet[Invitation]:
    """The organization's invitations still to be accepted, latest sent first (one query)."""
    return (
        Invitation.objects.for_organization(organization)
        .pending()
        .select_related("user", "invited_by")
        .order_by("-sent_at", "-pk")
    )


def get_pending_invitation_for_user(user: Person, pk: int) -> Invitation:
    """A pending invitation of the person's active organization; any other id is a 404."""
    organization = active_organization(user)
    if organization is None:
        raise Http404
    return get_object_or_404(
        Invitation.objects.for_organization(organization).pending().select_related("user", "organization"),
        pk=pk,
    )


def home_horizon(today: date | None = None) -> date:
    """The home page lists what is due from now to the end of next month, and what is overdue."""
    return dates.end_of_next_month(today or timezone.localdate())


def open_tasks_for(user: Person, today: date | None = None) -> QuerySet[Task]:
    return (
        Task.objects.for_user(user)
        .filter(done_at__isnull=True, due_date__lte=home_horizon(today))
        .select_related("created_by")
        .order_by("due_date", "pk")
    )


def unread_notifications_for(user: Person, today: date | None = None) -> QuerySet[Notification]:
    return (
        Notification.objects.for_user(user)
        .filter(read_at__isnull=True, due_date__lte=home_horizon(today))
        .select_related("created_by")
        .order_by("due_date", "pk")
    )


def all_open_tasks_for(user: Person) -> QuerySet[Task]:
    return Task.objects.for_user(user).filter(done_at__isnull=True).select_related("organization")


def all_notifications_for(user: Person) -> QuerySet[Notification]:
    return Notification.objects.for_user(user)


def get_task_for_user(user: Person, pk: int) -> Task:
    return get_object_or_404(Task.objects.for_user(user), pk=pk)


def get_notification_for_user(user: Person, pk: int) -> Notification:
    return get_object_or_404(Notification.objects.for_user(user), pk=pk)


def outbox() -> QuerySet[Message]:
    return Message.objects.select_related("recipient").order_by("-created_at", "-pk")


def get_export_for_user(user: Person, pk: int) -> Export:
    """An export is its owner's alone."""
    return get_object_or_404(Export.objects.for_user(user), pk=pk)


def audit_entries_for(user: Person) -> QuerySet[Any]:
    """The audit entries of the active organization, newest first (through portal.AuditScope).

    An entry belongs to an organization when its record did (see AuditScope); nothing else is
    listed, whatever filter is applied on top.
    """
    from auditlog.models import LogEntry

    organization = active_organization(user)
    if organization is None:
        return LogEntry.objects.none()
    return (
        LogEntry.objects.filter(scopes__organization=organization.pk)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )


def texts_sent_to(
    phone: str,
    *,
    template: str,
    app: str,
    since: datetime,
    recipients: Iterable[int] | None = None,
    marker: str = "",
) -> list[tuple[int, datetime, int | None]]:
    """The records an app texted this number about lately (what an SMS reply answers): one
    (record id, last sent at, recipient id) per record, the last texted first.

    The record is the id after the app's prefix in the message key ("appointments:<id>:…");
    `marker` narrows to keys holding it (e.g. ":offer:")."""
    sent = Message.objects.filter(
        channel=Channel.SMS,
        to_address=phone,
        template=template,
        status=MessageStatus.SENT,
        sent_at__gte=since,
        key__startswith=f"{app}:",
    )
    if recipients is not None:
        sent = sent.filter(recipient_id__in=list(recipients))
    if marker:
        sent = sent.filter(key__contains=marker)
    found: dict[int, tuple[int, datetime, int | None]] = {}
    for key, sent_at, recipient_id in sent.order_by("-sent_at", "-pk").values_list(
        "key", "sent_at", "recipient_id"
    ):
        pk = key.split(":")[1]
        if pk.isdigit() and sent_at is not None and int(pk) not in found:
            found[int(pk)] = (int(pk), sent_at, recipient_id)
    return list(found.values())
