"""What every portal shares: people, organizations, memberships, tasks, notifications, messages.

Data and invariants only. Every write goes through portal.services; every read that depends on
who asks goes through portal.selectors.

A package by area (issue 14); the app label and the migrations are unchanged: every model is
imported here, so `from portal.models import X` and Django's model discovery work as before.
"""

from portal.models.accounts import (
    EnglishArticle,
    FrenchArticle,
    Invitation,
    InvitationQuerySet,
    Language,
    Membership,
    MembershipQuerySet,
    Organization,
    OrganizationKind,
    User,
    UserManager,
)
from portal.models.common import (
    HistoryEntry,
    ReferenceData,
)
from portal.models.exports import (
    Export,
    ExportStatus,
)
from portal.models.help import (
    HelpContent,
    HelpPortal,
)
from portal.models.home import (
    HomeItem,
    Notification,
    Priority,
    Task,
)
from portal.models.operations import (
    AuditScope,
    NumberSequence,
    SignInAlert,
    WaitingRoom,
)
from portal.models.outbound import (
    Channel,
    DeliveryStatus,
    InboundSms,
    Message,
    MessageStatus,
    SmsAnswer,
)

__all__ = [
    "AuditScope",
    "Channel",
    "DeliveryStatus",
    "EnglishArticle",
    "Export",
    "ExportStatus",
    "FrenchArticle",
    "HelpContent",
    "HelpPortal",
    "HistoryEntry",
    "HomeItem",
    "InboundSms",
    "Invitation",
    "InvitationQuerySet",
    "Language",
    "Membership",
    "MembershipQuerySet",
    "Message",
    "MessageStatus",
    "Notification",
    "NumberSequence",
    "Organization",
    "OrganizationKind",
    "Priority",
    "ReferenceData",
    "SignInAlert",
    "SmsAnswer",
    "Task",
    "User",
    "UserManager",
    "WaitingRoom",
]
