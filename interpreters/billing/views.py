"""Billing screens: the month's statements, one statement and its files, the bank's rates."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from interpreters import roles, selectors
from interpreters.billing import services
from interpreters.forms import MonthForm, RateForm
from interpreters.models import StatementKind
from interpreters.tables import StatementLineTable, StatementTable
from portal.exports import request_export
from portal.forms import show_service_error
from portal.formviews import submit
from portal.permissions import capability_required
from portal.tables import paginate
from portal.workflow import ActionError

LINES_PER_PAGE = 100


@capability_required(roles.BILLING)
@require_http_methods(["GET", "POST"])
def statements(request):
    form = MonthForm(request.POST or None, initial={"month": timezone.localdate().replace(day=1)})
    # Not portal.formviews.submit: "nothing to issue" is information, and a refusal goes back.
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.issue_statements(
                actor=request.user,
                bank=selectors.user_bank(request.user, roles.BILLING),
                month=form.cleaned_data["month"],
            )
        except ActionError as error:
            show_service_error(request, None, error)
            return redirect("interpreters:statements")
        if issued:
            messages.success(request, _("%(count)s statements were issued.") % {"count": len(issued)})
        else:
            messages.info(request, _("Nothing new to bill or pay for that month: no statement was issued."))
        return redirect("interpreters:statements")
    table = paginate(request, StatementTable(selectors.statements(request.user)))
    rates = selectors.rates(request.user)
    return render(request, "interpreters/statements.html", {"form": form, "table": table, "rates": rates})


def _statement_file_name(statement):
    """The export's name, and so its file's: "Establishment statement F-202611-0001 – Hôpital… –
    November 2026" (in the language of the person who asks)."""
    whom = statement.interpreter or statement.establishment
    parts = [f"{statement.get_kind_display()} {statement.number}", str(whom or ""), date_format(statement.month, "YEAR_MONTH_FORMAT")]
    return " – ".join(part for part in parts if part)


@capability_required(roles.BILLING)
@require_http_methods(["GET", "POST"])
def statement_detail(request, pk):
    statement = selectors.get_statement(request.user, pk, with_lines=False)
    fmt = request.POST.get("format")
    if request.method == "POST" and fmt in ("pdf", "xlsx"):
        # Built in the background (portal exports), then downloaded from the export's page.
        export = request_export(
            user=request.user,
            exporter=f"interpreters.exports.statement_{fmt}",
            # "back": the export's page links back to the statement (made here, never typed).
            params={"statement": statement.pk, "back": reverse("interpreters:statement", args=[statement.pk])},
            fmt=fmt,
            name=_statement_file_name(statement),
        )
        return redirect(reverse("portal:export", args=[export.pk]))
    # A statement may carry thousands of lines: its page shows them a page at a time.
    table = StatementLineTable(
        selectors.statement_lines(statement),
        exclude=("establishment",) if statement.kind == StatementKind.ESTABLISHMENT else ("cost_centre",),
    )
    return render(
        request,
        "interpreters/statement_detail.html",
        {
            "statement": statement,
            "table": paginate(request, table, per_page=LINES_PER_PAGE),
            # Each file named, with its state and download: the statement is where they are found.
            "files": list(selectors.statement_files(request.user, statement)),
        },
    )


@capability_required(roles.BILLING)
@require_http_methods(["GET", "POST"])
def rate_edit(request, pk):
    rate = selectors.get_rate(request.user, pk)
    form = RateForm(request.POST or None, instance=rate)
    done = submit(
        request,
        form,
        lambda data: services.save_rate(rate=rate, **data),
        success=_("The rate was saved."),
        next="interpreters:statements",
    )
    return done or render(request, "interpreters/rate_form.html", {"rate": rate, "form": form})
