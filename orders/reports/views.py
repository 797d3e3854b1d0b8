"""Service reports: logging one (incident, observation change, change request with its review,
miscellaneous request), the thanks page, a report, its acknowledgement, the list."""

from datetime import date, datetime, time

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from orders import roles, selectors
from orders.models import ReportKind
from orders.reports import services
from orders.reports.forms import (
    CategoryForm,
    ChangeRequestForm,
    IncidentForm,
    MiscellaneousForm,
    ObservationForm,
    ReportMessageForm,
)
from orders.tables import (
    ReportTable,
)
from portal import dates
from portal.forms import show_service_error as _show_errors
from portal.formviews import act, submit
from portal.permissions import capability_required, has_capability
from portal.services import record_view
from portal.tables import paginate
from portal.workflow import ActionError

REPORT_FORMS = {
    ReportKind.INCIDENT: IncidentForm,
    ReportKind.OBSERVATION: ObservationForm,
    ReportKind.MISCELLANEOUS: MiscellaneousForm,
}


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
        elif isinstance(value, datetime):
            # Dates and times as the rest of the portal shows them, not their ISO text.
            text = dates.moment(value)
        elif isinstance(value, date):
            text = dates.long_date(value)
        elif isinstance(value, time):
            text = value.strftime("%H:%M")
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
        "date": dates.moment(report.created_at),
        "name": report.summary.client_name,
    }
    return render(
        request, "orders/report_done.html", {"report": report, "thanks": str(THANKS[report.kind]) % params}
    )


@capability_required(roles.VIEW_REPORTS)
def report_detail(request, pk):
    report = selectors.get_report_for_user(request.user, pk)
    record_view(instance=report)
    return _report_page(request, report, ReportMessageForm())


def _can_write(user):
    """The department (its workers) and the provider's people who log reports write on the thread."""
    return has_capability(user, roles.MANAGE) or has_capability(user, roles.REPORT)


def _report_page(request, report, form):
    return render(
        request,
        "orders/report_detail.html",
        {
            "report": report,
            "can_acknowledge": has_capability(request.user, roles.MANAGE) and not report.acknowledged_at,
            "thread": selectors.report_thread(report),
            "message_form": form if _can_write(request.user) else None,
        },
    )


@require_POST
@capability_required(roles.VIEW_REPORTS)
def report_message(request, pk):
    """A message on the report's thread; refused (typed text kept, next to the field) when empty."""
    report = selectors.get_report_for_user(request.user, pk)
    if not _can_write(request.user):
        raise PermissionDenied
    form = ReportMessageForm(request.POST)
    done = submit(
        request,
        form,
        lambda data: services.post_report_message(
            actor=request.user,
            report=report,
            body=data["body"],
            from_department=has_capability(request.user, roles.MANAGE),
        ),
        success=_("Your message has been sent."),
        next=reverse("orders:report", args=[pk]) + "#thread",
    )
    return done or _report_page(request, report, form)


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
