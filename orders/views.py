from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from orders import exports, roles, selectors, services
from orders.filters import DepartmentFilter, OrderSearch
from orders.forms import (
    AcceptForm,
    AmendmentForm,
    CategoryForm,
    ChangeRequestForm,
    ConfirmationForm,
    CorrectionForm,
    DecisionForm,
    DeclineForm,
    IncidentForm,
    MiscellaneousForm,
    ObservationForm,
    SummaryFieldsForm,
    SummaryForm,
    WorkerForm,
)
from orders.models import ReportKind, SummaryStatus
from orders.services import SUMMARY_FLOW
from orders.tables import (
    FINANCIAL_COLUMNS,
    ConfirmationTable,
    DepartmentSummaryTable,
    OrderTable,
    ReportTable,
    SearchResultTable,
    SummaryTable,
)
from orders.templatetags.orders_tags import amount
from portal.exports import request_export
from portal.forms import show_service_error as _show_errors
from portal.formviews import act, submit
from portal.permissions import capability_required, check_capability, has_capability
from portal.search import personal_search
from portal.selectors import active_organization, members_with_roles
from portal.services import record_view
from portal.tables import paginate
from portal.workflow import ActionError


def _workers(user):
    return members_with_roles(active_organization(user), ["orders.department_worker"])


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
    """The department's buttons: one transition of services.SUMMARY_FLOW, by its name.

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


def _unavailable(request, pk):
    """The friendly answer when an offer was declined or revoked in the meantime (old links, races)."""
    lost = selectors.no_longer_available(request.user, pk)
    if lost:
        return render(request, "orders/unavailable.html", lost, status=404)
    raise Http404


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
        return _unavailable(request, pk)
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


# Provider: accept or decline (the guide's two steps) ------------------------------------------


@capability_required(roles.RESPOND)
def summary_respond(request, pk):
    try:
        summary = selectors.get_summary_for_user(request.user, pk)
    except Http404:
        return _unavailable(request, pk)
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
    period_over = decision == "accept" and services.period_over(summary)
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


# Orders, service reports and confirmations ----------------------------------------------------

REPORT_FORMS = {
    ReportKind.INCIDENT: IncidentForm,
    ReportKind.OBSERVATION: ObservationForm,
    ReportKind.MISCELLANEOUS: MiscellaneousForm,
}


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
            "report_kinds": services.allowed_report_kinds(summary) if can_report else [],
            "can_confirm": can_report and summary.status in services.CONFIRMABLE,
            # Said where the button was, to those who could confirm on an Activated summary.
            "confirm_notice": services.confirm_notice(summary) if can_report else "",
            "can_cancel_order": has_capability(user, roles.MANAGE)
            and summary.status in services.AMENDABLE
            and order.status != SummaryStatus.CANCELLED,
            "confirmations": ConfirmationTable(selectors.order_confirmations(order), exclude=("order",)),
        },
    )


@require_http_methods(["GET", "POST"])
@capability_required(roles.MANAGE)
def order_cancel(request, pk):
    """Cancel one order of a summary being adjusted, after an "are you sure?" page."""
    order = selectors.get_order_for_user(request.user, pk)
    if request.method == "POST":
        return act(
            request,
            lambda: services.cancel_order(actor=request.user, order=order),
            success=lambda cancelled: _("Order %(number)s cancelled.") % {"number": cancelled.number},
            next=reverse("orders:order", args=[pk]),
        )
    return render(request, "orders/order_cancel.html", {"order": order, "summary": order.summary})


@capability_required(roles.REPORT)
def report_create(request, pk, kind):
    order = selectors.get_order_for_user(request.user, pk)
    summary = order.summary
    if kind not in ReportKind.values:
        raise Http404
    # On a POST the service checks again and the form keeps what was typed (a stale form).
    if request.method == "GET" and kind not in services.allowed_report_kinds(summary):
        if summary.status in services.REPORTABLE[kind]:
            messages.error(request, _("This service does not take this kind of report."))
        else:
            messages.error(
                request,
                _("This kind of report (%(kind)s) cannot be logged on this order while it is %(status)s.")
                % {"kind": ReportKind(kind).label, "status": summary.get_status_display()},
            )
        return redirect("orders:order", pk=pk)
    category = None
    if kind == ReportKind.CHANGE:
        category_form = CategoryForm(request.GET if "category" in request.GET else None)
        if not category_form.is_bound or not category_form.is_valid():
            return render(
                request,
                "orders/report_category.html",
                {"order": order, "summary": summary, "form": category_form},
            )
        category = category_form.cleaned_data["category"]
        form = ChangeRequestForm(request.POST or None, category=category)
    else:
        form = REPORT_FORMS[kind](request.POST or None)
    extra = {"category": category} if kind == ReportKind.CHANGE else {}
    context = {
        "order": order,
        "summary": summary,
        "form": form,
        "kind": ReportKind(kind),
        "category": category,
    }
    if kind == ReportKind.CHANGE:
        # The guide's step: review what was typed, then Next (or Back to the form, as typed).
        step = request.POST.get("step", "review")
        if request.method == "POST" and step == "review" and form.is_valid():
            try:
                services.review_report(order=order, kind=kind)
            except ActionError as error:
                _show_errors(request, form, error)
            else:
                return render(request, "orders/report_review.html", {**context, "items": _review_items(form)})
        if step != "submit":
            return render(request, "orders/report_form.html", context)
    done = submit(
        request,
        form,
        lambda data: services.log_report(actor=request.user, order=order, kind=kind, **{**data, **extra}),
        success=None,
        next=lambda report: reverse("orders:report_done", args=[report.pk]),
    )
    return done or render(request, "orders/report_form.html", context)


def _review_items(form):
    """(label, what was chosen or typed) for each visible field of a valid form, in its order."""
    items = []
    for name, field in form.fields.items():
        if field.widget.is_hidden:
            continue
        value = form.cleaned_data.get(name)
        if isinstance(value, bool):
            text = _("Yes") if value else _("No")
        elif hasattr(value, "__iter__") and not isinstance(value, str):
            text = ", ".join(str(item) for item in value)
        else:
            text = str(value) if value not in (None, "") else "—"
        items.append((field.label, text))
    return items


THANKS = {
    ReportKind.INCIDENT: gettext_lazy("Thank you, the incident of %(date)s for %(name)s has been recorded."),
    ReportKind.OBSERVATION: gettext_lazy(
        "Thank you, the observation change of %(date)s for %(name)s has been recorded."
    ),
    ReportKind.CHANGE: gettext_lazy(
        "Thank you, the change request of %(date)s for %(name)s has been recorded."
    ),
    ReportKind.MISCELLANEOUS: gettext_lazy(
        "Thank you, the request submitted on %(date)s for %(name)s has been recorded."
    ),
}


@capability_required(roles.VIEW_REPORTS)
def report_done(request, pk):
    report = selectors.get_report_for_user(request.user, pk)
    params = {
        "date": formats.date_format(timezone.localtime(report.created_at), "SHORT_DATETIME_FORMAT"),
        "name": report.summary.client_name,
    }
    return render(
        request, "orders/report_done.html", {"report": report, "thanks": str(THANKS[report.kind]) % params}
    )


@capability_required(roles.VIEW_REPORTS)
def report_detail(request, pk):
    report = selectors.get_report_for_user(request.user, pk)
    record_view(instance=report)
    return render(
        request,
        "orders/report_detail.html",
        {
            "report": report,
            "can_acknowledge": has_capability(request.user, roles.MANAGE) and not report.acknowledged_at,
        },
    )


@require_POST
@capability_required(roles.MANAGE)
def report_acknowledge(request, pk):
    report = selectors.get_report_for_user(request.user, pk)
    return act(
        request,
        lambda: services.acknowledge_report(actor=request.user, report=report),
        success=_("Service report %(number)s acknowledged.") % {"number": report.number},
        next=reverse("orders:report", args=[pk]),
    )


@capability_required(roles.VIEW_REPORTS)
def report_list(request):
    reports = selectors.reports_for(request.user)
    kind = request.GET.get("kind", "")
    if kind in ReportKind.values:
        reports = reports.filter(kind=kind)
    state = request.GET.get("state", "")
    if state == "open":
        reports = reports.filter(acknowledged_at__isnull=True)
    elif state == "acknowledged":
        reports = reports.filter(acknowledged_at__isnull=False)
    table = paginate(request, ReportTable(reports))
    return render(
        request,
        "orders/report_list.html",
        {"table": table, "kinds": ReportKind.choices, "kind": kind, "state": state},
    )


def month_question(month, units, km):
    """The review step's question: "37,5 unités, 12,5 km pour novembre 2026 — confirmer?"."""
    # 1 unit, 0 or 1 unit in French, 1.5 units: the plural form of a whole number or of "many".
    count = int(units) if units == int(units) else 2
    return ngettext(
        "%(units)s unit, %(km)s km for %(month)s — confirm?",
        "%(units)s units, %(km)s km for %(month)s — confirm?",
        count,
    ) % {"units": amount(units), "km": amount(km), "month": formats.date_format(month, "F Y")}


@capability_required(roles.REPORT)
def confirm_month(request, pk):
    """The form, then a review page (Confirm, or Back to the form as typed), then the record."""
    order = selectors.get_order_for_user(request.user, pk)
    step = request.POST.get("step", "review")
    form = ConfirmationForm(request.POST or None)
    context = {"order": order, "summary": order.summary, "form": form}
    if request.method == "POST" and step == "review" and form.is_valid():
        try:
            month = services.review_month(order=order, month=form.cleaned_data["month"])
        except ActionError as error:
            _show_errors(request, form, error)
        else:
            data = form.cleaned_data
            question = month_question(month, data["units_delivered"], data["km_delivered"])
            return render(request, "orders/confirm_month_review.html", {**context, "question": question})
    if step != "confirm":
        return render(request, "orders/confirm_month.html", context)
    done = submit(
        request,
        form,
        lambda data: services.confirm_month(actor=request.user, order=order, **data),
        success=lambda confirmation: (
            _("Services for %(month)s confirmed on order %(number)s.")
            % {"month": formats.date_format(confirmation.month, "F Y"), "number": order.number}
        ),
        next=reverse("orders:order", args=[pk]),
    )
    return done or render(request, "orders/confirm_month.html", context)


@capability_required(roles.VIEW)
def confirmation_detail(request, pk):
    confirmation = selectors.get_confirmation_for_user(request.user, pk)
    user = request.user
    return render(
        request,
        "orders/confirmation_detail.html",
        {
            "confirmation": confirmation,
            "order": confirmation.order,
            "summary": confirmation.order.summary,
            "corrections": selectors.confirmation_corrections(confirmation),
            "can_correct": has_capability(user, roles.REPORT) and services.correctable(confirmation),
            "correction_refused": services.correction_refusal(confirmation)
            if has_capability(user, roles.REPORT)
            else "",
            "can_acknowledge": has_capability(user, roles.MANAGE) and confirmation.acknowledged_at is None,
        },
    )


@capability_required(roles.REPORT)
def confirmation_correct(request, pk):
    confirmation = selectors.get_confirmation_for_user(request.user, pk)
    detail = reverse("orders:confirmation", args=[pk])
    refused = services.correction_refusal(confirmation)
    if request.method == "GET" and refused:
        messages.error(request, refused)
        return redirect(detail)
    # As the person would type them again: "37,5", not "37,50" (no grouping: an English comma is refused).
    initial = {
        "units_delivered": amount(confirmation.units_delivered, grouping=False),
        "km_delivered": amount(confirmation.km_delivered, grouping=False),
    }
    form = CorrectionForm(request.POST or None, initial=initial)
    done = submit(
        request,
        form,
        lambda data: services.correct_confirmation(actor=request.user, confirmation=confirmation, **data),
        success=lambda corrected: (
            _("Services for %(month)s corrected on order %(number)s.")
            % {"month": formats.date_format(corrected.month, "F Y"), "number": corrected.order.number}
        ),
        next=detail,
    )
    return done or render(
        request,
        "orders/confirmation_correct.html",
        {"confirmation": confirmation, "order": confirmation.order, "form": form},
    )


@require_POST
@capability_required(roles.MANAGE)
def confirmation_acknowledge(request, pk):
    confirmation = selectors.get_confirmation_for_user(request.user, pk)
    return act(
        request,
        lambda: services.acknowledge_confirmation(actor=request.user, confirmation=confirmation),
        success=_("Services for %(month)s acknowledged on order %(number)s.")
        % {"month": formats.date_format(confirmation.month, "F Y"), "number": confirmation.order.number},
        next=reverse("orders:confirmation", args=[pk]),
    )


# Dashboard -----------------------------------------------------------------------------------

BLOCK_TITLES = {
    "all": gettext_lazy("All service requests"),
    "new": gettext_lazy("New orders (last 30 days)"),
    "expiring": gettext_lazy("Orders expiring (next 30 days)"),
    "activated": gettext_lazy("All activated orders"),
    "terminated": gettext_lazy("Terminated orders"),
    "expired": gettext_lazy("Expired requests"),
    "mileage": gettext_lazy("Mileage (km)"),
    "reports": gettext_lazy("Service reports by type"),
}


def _check_block(user, block):
    if block not in BLOCK_TITLES:
        raise Http404
    # The reports list links to each report: only for those who may open reports.
    if block == "reports" and not has_capability(user, roles.VIEW_REPORTS):
        raise PermissionDenied


EXPORT_FORMATS = (("csv", "CSV"), ("xlsx", "Excel"))


def _exportable(user):
    """The blocks this person may export (guide: the dashboard's reports "can be viewed and
    exported"). Every provider persona exports the order lists; the service reports go with
    opening reports (care coordination); the mileage, a billing figure, with finance."""
    blocks = set(exports.SUMMARY_BLOCKS)
    if has_capability(user, roles.VIEW_REPORTS):
        blocks.add("reports")
    if has_capability(user, roles.FINANCE):
        blocks.add("mileage")
    return blocks


@capability_required(roles.DASHBOARD)
def dashboard(request):
    figures = selectors.dashboard_figures(request.user)
    return render(
        request,
        "orders/dashboard.html",
        {
            "figures": figures,
            "blocks": [(block, figures[block]) for block in exports.SUMMARY_BLOCKS],
            "titles": BLOCK_TITLES,
            "finance": has_capability(request.user, roles.FINANCE),
            "can_view_reports": has_capability(request.user, roles.VIEW_REPORTS),
            "exportable": _exportable(request.user),
            "export_formats": EXPORT_FORMATS,
            "now": formats.date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT"),
        },
    )


@capability_required(roles.DASHBOARD)
def dashboard_report(request, block):
    _check_block(request.user, block)
    table = paginate(request, exports.table_for(block, selectors.dashboard_rows(request.user, block)))
    return render(
        request,
        "orders/dashboard_report.html",
        {
            "block_key": block,
            "title": BLOCK_TITLES[block],
            "titles": BLOCK_TITLES,
            "table": table,
            "finance": has_capability(request.user, roles.FINANCE),
            "exportable": _exportable(request.user),
            "export_formats": EXPORT_FORMATS,
        },
    )


@require_POST
@capability_required(roles.DASHBOARD)
def dashboard_export(request, block, fmt):
    _check_block(request.user, block)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    if block not in _exportable(request.user):
        raise PermissionDenied
    export = request_export(
        user=request.user,
        exporter="orders.exports.dashboard_block",
        params={"block": block},
        fmt=fmt,
        name=str(BLOCK_TITLES[block]),
    )
    return redirect(reverse("portal:export", args=[export.pk]))
