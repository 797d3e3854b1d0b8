"""The department's funding request list and decisions."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.formviews import submit
from portal.permissions import capability_required
from portal.tables import paginate
from referrals import roles
from referrals.funding import selectors, services
from referrals.funding.forms import FundingDecisionForm
from referrals.models import (
    FundingStatus,
)
from referrals.tables import FundingRequestTable


@capability_required(roles.DECIDE_FUNDING)
def funding_list(request):
    status = request.GET.get("status", FundingStatus.SUBMITTED)
    if status not in FundingStatus.values:
        status = FundingStatus.SUBMITTED
    queryset = selectors.funding_requests_for(request.user).filter(status=status)
    table = paginate(request, FundingRequestTable(queryset))
    return render(
        request,
        "referrals/funding_list.html",
        {"table": table, "status": status, "statuses": FundingStatus.choices},
    )


@capability_required(roles.DECIDE_FUNDING)
@require_http_methods(["GET", "POST"])
def funding_decide(request, pk):
    funding_request = selectors.get_funding_request_for_user(request.user, pk)
    # Decided once: a request no longer waiting offers no form (the decision is shown instead).
    waiting = services.FUNDING_FLOW.allows(funding_request, "approve")
    form = FundingDecisionForm(request.POST or None) if waiting else None
    if request.method == "POST" and form is None:
        messages.error(request, " ".join(services.FUNDING_FLOW.refuse(funding_request, ()).messages))
        return redirect("referrals:funding_decide", pk)
    done = submit(
        request,
        form,
        lambda data: services.decide_funding(
            actor=request.user,
            funding_request=funding_request,
            decision=data["decision"],
            comment=data["comment"],
        ),
        success=_("The decision was recorded and the case manager notified."),
        next=reverse("referrals:funding_list"),
    )
    if done:
        return done
    intervention = funding_request.intervention
    return render(
        request,
        "referrals/funding_decide.html",
        {
            "funding_request": funding_request,
            "intervention": intervention,
            "case": intervention.case,
            "form": form,
        },
    )
