"""Reads of referrals and of the clients referred to an agency."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from portal.models import OrganizationKind, User
from portal.selectors import active_organization
from referrals.models import (
    SENT_STATUSES,
    Case,
    CaseStatus,
    CorrespondenceTemplate,
    Referral,
    ReferralType,
    ResponseStatus,
    TransferStatus,
)


def referrals_of(case: Case) -> QuerySet[Referral]:
    return (
        case.referrals.select_related(
            "agency",
            "template",
            "created_by",
            "sent_by",
            "transferred_by",
            "sending_agency",
            "referred_by",
            "responded_by",
        )
        .prefetch_related("documents")
        .order_by("-created_at", "-pk")
    )


def get_referral(case: Case, pk: int) -> Referral:
    return get_object_or_404(referrals_of(case), pk=pk)


def templates_for(referral_type: str, language: str) -> QuerySet[CorrespondenceTemplate]:
    return CorrespondenceTemplate.objects.filter(
        referral_type=referral_type, language=language, is_active=True
    )


def incoming_for(user: User, *, listed: bool = True) -> QuerySet[Referral]:
    """Referrals sent to the person's agency: pending transfers and informational ones within the
    network. They open the person record (and, for a transfer, a case summary) and nothing more.

    A pending transfer of a case that went to follow-up or was closed since is no longer listed
    (it cannot be completed); `listed=False` keeps it, for the transfer page to say so."""
    organization = active_organization(user)
    if organization is None or organization.kind != OrganizationKind.EMPLOYMENT_AGENCY:
        return Referral.objects.none()
    transfers = Q(referral_type=ReferralType.TRANSFER, transfer_status=TransferStatus.PENDING)
    if listed:
        transfers &= ~Q(case__status__in=(CaseStatus.FOLLOW_UP, CaseStatus.CLOSED))
    return (
        Referral.objects.scoped("sent to the agency")
        .filter(agency=organization, status__in=SENT_STATUSES)
        .filter(Q(referral_type=ReferralType.WITHIN) | transfers)
        .select_related(
            "case__person",
            "case__agency",
            "case__program",
            "case__case_manager",
            "case__office",
            "sending_agency",
            "referred_by",
            "agency",
            "responded_by",
        )
        .order_by("-sent_at", "-pk")
    )


def incoming_to_handle_count(user: User) -> int:
    """The home tile's count (issue 18): referrals to us still to act on, an informational one to
    answer or a transfer to complete; one COUNT query, scoped like the list."""
    return (
        incoming_for(user)
        .filter(Q(response_status=ResponseStatus.AWAITING) | Q(transfer_status=TransferStatus.PENDING))
        .count()
    )


def get_incoming_for_user(user: User, pk: int, *, listed: bool = True) -> Referral:
    return get_object_or_404(incoming_for(user, listed=listed), pk=pk)
