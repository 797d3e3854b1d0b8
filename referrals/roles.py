"""Employment case management (LAMPSS guides)."""

from django.utils.translation import gettext_lazy as _

from portal.roles import register_role

VIEW_CASES = "referrals.view_cases"
MANAGE_CASES = "referrals.manage_cases"
TRANSFER = "referrals.transfer"

register_role(
    "referrals.case_manager",
    label=_("Case manager"),
    organization_kinds={"employment_agency"},
    capabilities={VIEW_CASES, MANAGE_CASES},
)
register_role(
    "referrals.department_staff",
    label=_("Department staff (case management)"),
    organization_kinds={"department"},
    capabilities={VIEW_CASES, TRANSFER},
)
