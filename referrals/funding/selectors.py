"""Reads of funding requests for the department deciding them, scoped by agency_filter."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from portal.models import User
from portal.selectors import active_organization
from referrals.cases.selectors import VISIBLE, agency_filter
from referrals.models import (
    FundingRequest,
    FundingStatus,
)


def funding_requests_for(user: User) -> QuerySet[FundingRequest]:
    return (
        FundingRequest.objects.scoped(VISIBLE)
        .filter(agency_filter(active_organization(user), "intervention__case__"))
        .select_related(
            "intervention__case__person",
            "intervention__case__agency",
            "intervention__intervention_type",
            "requested_by",
            "decided_by",
        )
    )


def funding_requests_to_decide_count(user: User) -> int:
    """The home tile's count (issue 18): the submitted requests the department has not decided."""
    return funding_requests_for(user).filter(status=FundingStatus.SUBMITTED).count()


def get_funding_request_for_user(user: User, pk: int) -> FundingRequest:
    return get_object_or_404(funding_requests_for(user), pk=pk)
