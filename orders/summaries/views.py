"""Order summaries: the department's list, creation, buttons, amendments, corrections and
reassignment; the summary page both sides open, and the order page."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from orders import roles, selectors
from orders.confirmations import services as confirmation_services
from orders.filters import DepartmentFilter
from orders.offers.forms import DecisionForm
from orders.offers.views import unavailable
from orders.reports import services as report_services
from orders.summaries import services
from orders.summaries.forms import AmendmentForm, SummaryFieldsForm, SummaryForm, WorkerForm
from orders.summaries.services import SUMMARY_FLOW
from orders.tables import (
    FINANCIAL_COLUMNS,
    ConfirmationTable,
    DepartmentSummaryTable,
    OrderTable,
    ReportTable,
)
from portal.formviews import act, submit
from portal.permissions import capability_required, check_capability, has_capability
from portal.search import personal_search
from portal.selectors import active_organization, members_with_roles
from portal.services import record_view
from portal.tables import paginate


def _workers(user):
    return members_with_roles(active_organization(user), ["orders.department_worker"])


# Department: summaries -----------------------------------------------------------------------


@capability_required(roles.MANAGE)
@personal_search(DepartmentFilter)
def department_list(request):
    filterset = DepartmentFilter(request.search_data or None, queryset=selectors.summaries_for(request.user))
    table = paginate(request, DepartmentSummaryTable(filterset.qs))
    return render(request, "orders/department_list.html", {"filter": filterset, "table": table})


@capability_required(roles.MANAGE)
def summary_create(request):
    form = SummaryForm(request.POST or None, workers=_workers(request.user), initial={"worker": request.user})

    def create(data):
        data = dict(data)
        order = form.order_data()
        for name in order:
            data.pop(name)
        return services.create_summary(
            actor=request.user, department=active_organization(request.user), order=order, **data
        )

    done = submit(
        request,
        form,
        create,
        success=lambda summary: (
            _("Order summary %(number)s created as a draft.") % {"number": summary.number}
        ),
        next=lambda summary: reverse("orders:summary", args=[summary.pk]),
    )
    return done or render(request, "orders/summary_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def summary_action(request, pk, action):
    """The department's buttons: one transition of SUMMARY_FLOW, by its name.

    The ones that cannot be undone ask "are you sure?" on a page of their own first (GET)."""
    transition = SUMMARY_FLOW.button(action)
    if transition is None:
        raise Http404
    check_capability(request, transition.capability)
    summary = selectors.get_summary_for_user(request.user, pk)
    if request.method == "GET":
        if not transition.confirm:
            return redirect("orders:summary", pk=pk)
        if not SUMMARY_FLOW.can(summary, action, request.user):
            messages.error(request, _("This action is not available for this order summary now."))
            return redirect("orders:summary", pk=pk)
        return render(
            request,
            "orders/action_confirm.html",
            {"summary": summary, "action": action, "label": transition.label},
        )
    return act(
        request,
        lambda: services.change_status(actor=request.user, summary=summary, action=action),
        success=lambda changed: str(transition.done) % {"number": changed.number},
        next=reverse("orders:summary", args=[pk]),
    )


@capability_required(roles.MANAGE)
def summary_amend(request, pk):
    summary = selectors.get_summary_for_user(request.user, pk)
    if summary.status not in services.AMENDABLE:
        messages.error(
            request,
            _("To add an order, set the summary to Pending first (or amend it while it is a draft)."),
        )
        return redirect("orders:summary", pk=pk)
    form = AmendmentForm(request.POST or None, summary=summary)
    done = submit(
        request,
        form,
        lambda data: services.amend_summary(actor=request.user, summary=summary, order=form.order_data()),
        success=lambda order: _("Order %(number)s added to the summary.") % {"number": order.number},
        next=reverse("orders:summary", args=[pk]),
    )
    return done or render(request, "orders/amend.html", {"summary": summary, "form": form})


@capability_required(roles.MANAGE)
def summary_edit(request, pk):
    summary = selectors.get_summary_for_user(request.user, pk)
    if summary.status not in services.EDITABLE:
        messages.error(request, _("Only a draft, or a summary declined or revoked, can be corrected."))
        return redirect("orders:summary", pk=pk)
    initial = {name: getattr(summary, name) for name in services.SUMMARY_FIELDS}
    form = SummaryFieldsForm(request.POST or None, initial=initial)
    done = submit(
        request,
        form,
        lambda data: services.edit_summary(actor=request.user, summary=summary, **data),
        success=lambda saved: _("Order summary %(number)s saved.") % {"number": saved.number},
        next=reverse("orders:summary", args=[pk]),
    )
    return done or render(request, "orders/summary_edit.html", {"summary": summary, "form": form})


@capability_required(roles.MANAGE)
def summary_worker(request, pk):
    summary = selectors.get_summary_for_user(request.user, pk)
    form = WorkerForm(
        request.POST or None, workers=_workers(request.user), initial={"worker": summary.worker}
    )
    done = submit(
        request,
        form,
        lambda data: services.reassign_worker(actor=request.user, summary=summary, worker=data["worker"]),
        success=_("The assigned worker has been changed."),
        next=reverse("orders:summary", args=[pk]),
    )
    return done or render(request, "orders/worker.html", {"summary": summary, "form": form})


# Both sides: the summary page ----------------------------------------------------------------

LIST_TAB = {
    "offered": "offered",
    "activated": "active",
    "pending": "active",
    "terminated": "terminated",
    "expired": "terminated",
    "cancelled": "cancelled",
}


@capability_required(roles.VIEW)
def summary_detail(request, pk):
    user = request.user
    try:
        summary = selectors.get_summary_for_user(user, pk)
    except Http404:
        return unavailable(request, pk)
    record_view(instance=summary)
    finance = has_capability(user, roles.FINANCE)
    orders_table = OrderTable(selectors.summary_orders(summary), exclude=() if finance else FINANCIAL_COLUMNS)
    reports = selectors.summary_reports(summary)
    manage = has_capability(user, roles.MANAGE)
    changes = []
    if not manage:
        previous = services.record_visit(user=user, summary=summary)
        changes = selectors.changes_since(summary, previous.seen_at if previous else None)
    return render(
        request,
        "orders/summary_detail.html",
        {
            "changes": changes,
            "finance": finance,
            "summary": summary,
            "orders_table": orders_table,
            "reports": reports[:5],
            "report_count": reports.count(),
            "can_manage": manage,
            "can_respond": SUMMARY_FLOW.can(summary, "accept", user),
            "decision_form": DecisionForm(),
            "can_view_reports": has_capability(user, roles.VIEW_REPORTS),
            "list_tab": LIST_TAB.get(summary.status, "offered"),
            "history": selectors.summary_history(summary) if manage else None,
            "confirmations": ConfirmationTable(selectors.summary_confirmations(summary)) if manage else None,
            "can_amend": manage and summary.status in services.AMENDABLE,
            "can_edit": manage and summary.status in services.EDITABLE,
        },
    )


@capability_required(roles.VIEW_REPORTS)
def summary_reports(request, pk):
    summary = selectors.get_summary_for_user(request.user, pk)
    table = paginate(
        request, ReportTable(selectors.summary_reports(summary), exclude=("summary", "client_name"))
    )
    return render(request, "orders/summary_reports.html", {"summary": summary, "table": table})


@capability_required(roles.VIEW)
def order_detail(request, pk):
    user = request.user
    order = selectors.get_order_for_user(user, pk)
    summary = order.summary
    record_view(instance=order)
    can_report = has_capability(user, roles.REPORT)
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "summary": summary,
            "finance": has_capability(user, roles.FINANCE),
            "report_kinds": report_services.allowed_report_kinds(summary) if can_report else [],
            "can_confirm": can_report and summary.status in confirmation_services.CONFIRMABLE,
            # Said where the button was, to those who could confirm on an Activated summary.
            "confirm_notice": confirmation_services.confirm_notice(summary) if can_report else "",
            "cancel_state": services.order_cancel_state(user=user, order=order),
            "confirmations": ConfirmationTable(selectors.order_confirmations(order), exclude=("order",)),
        },
    )


@require_http_methods(["GET", "POST"])
@capability_required(roles.MANAGE)
def order_cancel(request, pk):
    """Cancel one order of a summary being adjusted, after an "are you sure?" page."""
    order = selectors.get_order_for_user(request.user, pk)
    state = services.order_cancel_state(user=request.user, order=order)
    if request.method == "GET" and state != "allowed":
        # Asked only where it can be done (the page's button is shown only then); an old link or
        # a changed summary: said on the order's page. A post gets the service's own refusal.
        messages.error(
            request,
            services.ONLY_REMAINING_ORDER
            if state == "only"
            else _("This order cannot be cancelled in its summary's current status. Nothing was changed."),
        )
        return redirect("orders:order", pk=order.pk)
    if request.method == "POST":
        return act(
            request,
            lambda: services.cancel_order(actor=request.user, order=order),
            success=lambda cancelled: _("Order %(number)s cancelled.") % {"number": cancelled.number},
            next=reverse("orders:order", args=[pk]),
        )
    return render(request, "orders/order_cancel.html", {"order": order, "summary": order.summary})
