"""The department's funding request list and decisions."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.forms import show_service_error as _show_error
from portal.permissions import capability_required
from portal.tables import paginate
from referrals import roles
from referrals.cases.services import CaseActionError
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
    form = (
        FundingDecisionForm(request.POST or None)
        if funding_request.status == FundingStatus.SUBMITTED
        else None
    )
    if request.method == "POST":
        if form is None:
            messages.error(
                request,
                _("This funding request is already %(status)s. Nothing was changed.")
                % {"status": funding_request.get_status_display()},
            )
            return redirect("referrals:funding_decide", pk)
        if form.is_valid():
            try:
                if form.cleaned_data["decision"] == "approve":
                    services.approve_funding(
                        actor=request.user,
                        funding_request=funding_request,
                        comment=form.cleaned_data["comment"],
                    )
                else:
                    services.refuse_funding(
                        actor=request.user,
                        funding_request=funding_request,
                        comment=form.cleaned_data["comment"],
                    )
            except CaseActionError as error:
                _show_error(request, form, error)
            else:
                messages.success(request, _("The decision was recorded and the case manager notified."))
                return redirect("referrals:funding_list")
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
