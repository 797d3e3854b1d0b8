"""The dashboard: its blocks, each block's report, and their exports (Celery, portal.exports)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from orders import exports, roles, selectors
from portal.exports import request_export
from portal.permissions import capability_required, has_capability
from portal.tables import paginate

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
