"""Offers: the provider's service requests by tab, and its answer to an offer (the guide's two
steps); the page of an offer no longer available."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orders import roles, selectors
from orders.filters import OrderSearch
from orders.offers import services
from orders.offers.forms import AcceptForm, DecisionForm, DeclineForm
from orders.summaries import services as summary_services
from orders.summaries.services import SUMMARY_FLOW
from orders.tables import (
    SearchResultTable,
    SummaryTable,
)
from portal.forms import show_service_error as _show_errors
from portal.permissions import capability_required
from portal.search import personal_search
from portal.tables import paginate
from portal.workflow import ActionError

# Provider: service requests ------------------------------------------------------------------

TAB_TITLES = {
    "offered": gettext_lazy("Offered"),
    "active": gettext_lazy("Active"),
    "terminated": gettext_lazy("Terminated"),
    "cancelled": gettext_lazy("Cancelled"),
    "search": gettext_lazy("Search"),
}


@capability_required(roles.REQUESTS)
@personal_search(OrderSearch, keep=("tab",))
def requests(request):
    tab = request.GET.get("tab", "offered")
    if tab not in TAB_TITLES:
        tab = "offered"
    context = {"tab": tab, "tabs": list(TAB_TITLES.items())}
    if tab == "search":
        search = OrderSearch(request.search_data or None, queryset=selectors.orders_for(request.user))
        context["search"] = search
        if search.is_searching and search.is_valid():
            context["table"] = paginate(request, SearchResultTable(search.qs))
    else:
        context["table"] = paginate(request, SummaryTable(selectors.requests_tab(request.user, tab)))
    return render(request, "orders/requests.html", context)


def unavailable(request, pk):
    """The friendly answer when an offer was declined or revoked in the meantime (old links, races)."""
    lost = selectors.no_longer_available(request.user, pk)
    if lost:
        return render(request, "orders/unavailable.html", lost, status=404)
    raise Http404


# Provider: accept or decline (the guide's two steps) ------------------------------------------


@capability_required(roles.RESPOND)
def summary_respond(request, pk):
    try:
        summary = selectors.get_summary_for_user(request.user, pk)
    except Http404:
        return unavailable(request, pk)
    if not SUMMARY_FLOW.allows(summary, "accept"):
        messages.error(
            request,
            _("This order summary is no longer Offered (it is now %(status)s): there is nothing to answer.")
            % {"status": summary.get_status_display()},
        )
        return redirect("orders:summary", pk=pk)
    step = request.POST.get("step", "choose")
    decision_form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method != "POST" or not decision_form.is_valid():
        return render(request, "orders/respond_choose.html", {"summary": summary, "form": decision_form})
    decision = decision_form.cleaned_data["decision"]
    data = request.POST if step == "confirm" else None
    # An offer whose period is already over: the confirmation page says so and asks for a tick.
    period_over = decision == "accept" and summary_services.period_over(summary)
    confirm_form = AcceptForm(data, period_over=period_over) if decision == "accept" else DeclineForm(data)
    if step == "confirm" and confirm_form.is_valid():
        try:
            if decision == "accept":
                services.accept_summary(
                    actor=request.user,
                    summary=summary,
                    message=confirm_form.cleaned_data["message"],
                    period_over_confirmed=bool(confirm_form.cleaned_data.get("period_over")),
                )
            else:
                services.decline_summary(
                    actor=request.user, summary=summary, reason=confirm_form.cleaned_data["reason"]
                )
        except ActionError as error:
            _show_errors(request, confirm_form, error)
            if not hasattr(error, "error_dict"):  # the status changed meanwhile: back to the summary
                return redirect("orders:summary", pk=pk)
        else:
            if decision == "accept":
                messages.success(
                    request, _("You accepted %(number)s: it is now Activated.") % {"number": summary.number}
                )
                return redirect("orders:summary", pk=pk)
            messages.success(
                request,
                _("You declined %(number)s. It has been returned to Social Development with your reason.")
                % {"number": summary.number},
            )
            return redirect("portal:home")
    return render(
        request,
        "orders/respond_confirm.html",
        {"summary": summary, "form": confirm_form, "decision": decision, "period_over": period_over},
    )
