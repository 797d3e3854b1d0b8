"""The EDMT accountability report and its Excel export."""

from datetime import date

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.exports import request_export
from portal.permissions import capability_required
from portal.tables import paginate
from referrals import roles
from referrals.reports import selectors
from referrals.reports.forms import AccountabilityForm
from referrals.tables import AccountabilityTable


def _period(request):
    today = timezone.localdate()
    fiscal_start = date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    form = AccountabilityForm(
        request.GET or None,
        agencies=selectors.report_agencies(request.user),
        initial={"start": fiscal_start, "end": date(fiscal_start.year + 1, 3, 31)},
    )
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"], form.cleaned_data["agency"]
    if form.is_bound:
        return form, None, None, None
    return form, fiscal_start, date(fiscal_start.year + 1, 3, 31), None


@capability_required(roles.REPORTS)
def accountability(request):
    form, start, end, agency = _period(request)
    context = {"form": form, "start": start, "end": end}
    if start is not None:
        context["by_agency"] = selectors.edmt_by_agency(request.user, start=start, end=end, agency=agency)
        context["table"] = paginate(
            request,
            AccountabilityTable(
                selectors.edmt_interventions(request.user, start=start, end=end, agency=agency)
            ),
        )
    return render(request, "referrals/accountability.html", context)


@capability_required(roles.REPORTS)
@require_POST
def accountability_export(request):
    form, start, end, agency = _period(request)
    if start is None:
        messages.error(request, _("Choose a valid period first."))
        return redirect("referrals:accountability")
    export = request_export(
        user=request.user,
        exporter="referrals.exports.accountability",
        params={"start": start.isoformat(), "end": end.isoformat(), "agency": agency.pk if agency else None},
        fmt="xlsx",
        name=_("EDMT accountability report %(start)s to %(end)s")
        % {"start": start.isoformat(), "end": end.isoformat()},
    )
    messages.success(request, _("The Excel file is being prepared. It will be listed in your exports."))
    return redirect(reverse("portal:export", args=[export.pk]))
