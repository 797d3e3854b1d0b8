"""Service orders: department workers and the provider personas of the CommunityCare guide."""

from django.utils.translation import gettext_lazy as _

from portal.roles import register_role

VIEW = "orders.view"
MANAGE = "orders.manage"  # department: create, offer, amend, cancel, terminate
RESPOND = "orders.respond"  # provider: accept or decline an offer
REPORT = "orders.report"  # provider: service reports and monthly confirmations
FINANCE = "orders.view_financial"  # provider: financial columns, dashboard, exports

register_role(
    "orders.department_worker",
    label=_("Department worker (service orders)"),
    organization_kinds={"department"},
    capabilities={VIEW, MANAGE},
)
register_role(
    "orders.finance",
    label=_("Finance"),
    organization_kinds={"provider_agency"},
    capabilities={VIEW, FINANCE},
)
register_role(
    "orders.care_coordination",
    label=_("Care coordination"),
    organization_kinds={"provider_agency"},
    capabilities={VIEW, RESPOND, REPORT},
)
register_role(
    "orders.finance_care_coordination",
    label=_("Finance and care coordination"),
    organization_kinds={"provider_agency"},
    capabilities={VIEW, RESPOND, REPORT, FINANCE},
)
