"""Service orders: department workers and the provider personas of the CommunityCare guide."""

from django.utils.translation import gettext_lazy as _

from portal.models import OrganizationKind
from portal.roles import register_home_box, register_role, register_tile

VIEW = "orders.view"  # open the organization's order summaries, orders and service reports
REQUESTS = "orders.requests"  # provider: the service requests lists and search
MANAGE = "orders.manage"  # department: create, offer, activate, amend, revoke, cancel, terminate
RESPOND = "orders.respond"  # provider: accept or decline an offer
REPORT = "orders.report"  # provider: service reports and monthly confirmations
VIEW_REPORTS = "orders.view_reports"  # the service reports the organization sent or received
DASHBOARD = "orders.dashboard"  # provider dashboard
FINANCE = "orders.view_financial"  # financial columns, mileage and exports

register_role(
    "orders.department_worker",
    label=_("Department worker (service orders)"),
    organization_kinds={OrganizationKind.DEPARTMENT},
    capabilities={VIEW, MANAGE, VIEW_REPORTS, FINANCE},
)
register_role(
    "orders.finance",
    label=_("Finance"),
    organization_kinds={OrganizationKind.PROVIDER_AGENCY},
    capabilities={VIEW, REQUESTS, DASHBOARD, FINANCE},
)
register_role(
    "orders.care_coordination",
    label=_("Care coordination"),
    organization_kinds={OrganizationKind.PROVIDER_AGENCY},
    capabilities={VIEW, REQUESTS, RESPOND, REPORT, VIEW_REPORTS, DASHBOARD},
)
register_role(
    "orders.finance_care_coordination",
    label=_("Finance and care coordination"),
    organization_kinds={OrganizationKind.PROVIDER_AGENCY},
    capabilities={VIEW, REQUESTS, RESPOND, REPORT, VIEW_REPORTS, DASHBOARD, FINANCE},
)

# Roles whose people receive the status emails of their organization's orders.
CARE_COORDINATION_ROLES = ("orders.care_coordination", "orders.finance_care_coordination")


# Tile counts (issue 18): imported when called, the selectors need the models.
def _drafts_count(user):
    from orders import selectors

    return selectors.drafts_to_complete_count(user)


def _offers_count(user):
    from orders import selectors

    return selectors.offers_awaiting_answer_count(user)


def _reports_count(user):
    from orders import selectors

    return selectors.reports_to_acknowledge_count(user)


register_tile(
    "orders.summaries",
    title=_("Order summaries"),
    description=_("Create order summaries, offer them to providers, amend, cancel or terminate them."),
    url_name="orders:department_list",
    capability=MANAGE,
    order=10,
    count=_drafts_count,
)
register_tile(
    "orders.requests",
    title=_("Service requests"),
    description=_("Order summaries offered to you, active, terminated and cancelled; search."),
    url_name="orders:requests",
    capability=REQUESTS,
    order=10,
    count=_offers_count,
)
register_tile(
    "orders.reports",
    title=_("Service reports"),
    description=_("Every service report: incidents, observations, change and miscellaneous requests."),
    url_name="orders:report_list",
    capability=VIEW_REPORTS,
    order=20,
    count=_reports_count,
)
register_tile(
    "orders.dashboard",
    title=_("Service delivery dashboard"),
    description=_("New, expiring, activated and terminated orders, mileage and service reports."),
    url_name="orders:dashboard",
    capability=DASHBOARD,
    order=30,
)
# The provider's home page: its offers awaiting an answer, with their age and counts.
register_home_box("orders.awaiting_offers", template_name="orders/includes/awaiting_offers.html", capability=RESPOND)
