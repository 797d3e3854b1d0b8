"""Reads of funding requests for the department deciding them, scoped by agency_filter."""

from django.shortcuts import get_object_or_404

from portal.selectors import active_organization
from referrals.cases.selectors import VISIBLE, agency_filter
from referrals.models import (
    FundingRequest,
)


def funding_requests_for(user):
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


def get_funding_request_for_user(user, pk):
    return get_object_or_404(funding_requests_for(user), pk=pk)
