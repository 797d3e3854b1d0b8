"""Monthly service confirmations: the form and its review, a recorded month, its correction by
the provider, its acknowledgement by the department."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from orders import roles, selectors
from orders.confirmations import services
from orders.confirmations.forms import ConfirmationForm, CorrectionForm
from orders.templatetags.orders_tags import amount, of_month
from portal.forms import show_service_error as _show_errors
from portal.formviews import act, submit
from portal.permissions import capability_required, has_capability
from portal.workflow import ActionError


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
            _("Services %(of_month)s confirmed on order %(number)s.")
            % {"of_month": of_month(confirmation.month), "number": order.number}
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
            _("Services %(of_month)s corrected on order %(number)s.")
            % {"of_month": of_month(corrected.month), "number": corrected.order.number}
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
        success=_("Services %(of_month)s acknowledged on order %(number)s.")
        % {"of_month": of_month(confirmation.month), "number": confirmation.order.number},
        next=reverse("orders:confirmation", args=[pk]),
    )
