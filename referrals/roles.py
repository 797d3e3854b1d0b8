"""Employment case management (LaMPSS guides): case managers, agency supervisors, department staff."""

from django.utils.translation import gettext_lazy as _

from portal.models import OrganizationKind
from portal.roles import register_home_box, register_role, register_tile

VIEW_CASES = "referrals.view_cases"  # open cases (own agency; the department: its agencies, read-only)
MANAGE_CASES = "referrals.manage_cases"  # open cases, needs, action plans, notes, documents
REASSIGN = "referrals.reassign"  # give a case to another case manager of the agency
PARTNERS = "referrals.partners"  # the business partner directory
MANAGE_PRIVATE_PARTNERS = "referrals.manage_private_partners"  # the agency's own business partners
MANAGE_PUBLIC_PARTNERS = "referrals.manage_public_partners"  # public business partners (department)
MANAGE_AGENCIES = "referrals.manage_agencies"  # agreements, offices and reference lists (department)
DECIDE_FUNDING = "referrals.decide_funding"  # approve or refuse funding requests (department)
REPORTS = "referrals.reports"  # the EDMT accountability report
TRANSFER = "referrals.transfer"  # case transfers (their own issue)

register_role(
    "referrals.case_manager",
    label=_("Case manager"),
    organization_kinds={OrganizationKind.EMPLOYMENT_AGENCY},
    capabilities={VIEW_CASES, MANAGE_CASES, PARTNERS, MANAGE_PRIVATE_PARTNERS},
)
register_role(
    "referrals.agency_supervisor",
    label=_("Agency supervisor"),
    organization_kinds={OrganizationKind.EMPLOYMENT_AGENCY},
    capabilities={VIEW_CASES, MANAGE_CASES, REASSIGN, PARTNERS, MANAGE_PRIVATE_PARTNERS, REPORTS},
)
register_role(
    "referrals.department_staff",
    label=_("Department staff (case management)"),
    organization_kinds={OrganizationKind.DEPARTMENT},
    capabilities={
        VIEW_CASES,
        PARTNERS,
        MANAGE_PUBLIC_PARTNERS,
        MANAGE_AGENCIES,
        DECIDE_FUNDING,
        REPORTS,
        TRANSFER,
    },
)


# Tile counts (issue 18): imported when called, the selectors need the models. One COUNT each.
def _incoming_count(user):
    from referrals.referrals import selectors

    return selectors.incoming_to_handle_count(user)


def _funding_count(user):
    from referrals.funding import selectors

    return selectors.funding_requests_to_decide_count(user)


register_tile(
    "referrals.cases",
    title=_("Cases"),
    description=_("Cases of the case management cycle: needs, return-to-work action plans, outcomes."),
    url_name="referrals:case_list",
    capability=VIEW_CASES,
    order=10,
)
register_tile(
    "referrals.new_case",
    title=_("Open a case"),
    description=_("Find the person or add them, then open a case in a program."),
    url_name="referrals:case_create",
    capability=MANAGE_CASES,
    order=11,
)
register_tile(
    "referrals.partners",
    title=_("Business partners"),
    description=_("The directory of organizations and the services they offer."),
    url_name="referrals:partner_list",
    capability=PARTNERS,
    order=20,
)
register_tile(
    "referrals.funding",
    title=_("Funding requests"),
    description=_("Approve or refuse the funding requested for interventions."),
    url_name="referrals:funding_list",
    capability=DECIDE_FUNDING,
    order=15,
    count=_funding_count,
)
register_tile(
    "referrals.agencies",
    title=_("Agencies and agreements"),
    description=_("Employment agencies, their agreements, offices and service delivery locations."),
    url_name="referrals:agency_list",
    capability=MANAGE_AGENCIES,
    order=25,
)
register_tile(
    "referrals.reference",
    title=_("Reference lists"),
    description=_("Programs, employability dimensions, barriers, intervention and funding types."),
    url_name="referrals:reference_index",
    capability=MANAGE_AGENCIES,
    order=26,
)
register_tile(
    "referrals.accountability",
    title=_("Accountability report"),
    description=_("EDMT interventions per agency and period, with an Excel export."),
    url_name="referrals:accountability",
    capability=REPORTS,
    order=30,
)
register_tile(
    "referrals.incoming",
    title=_("Clients referred to us"),
    description=_("Referrals from other agencies: person records, case summaries, transfers to complete."),
    url_name="referrals:incoming",
    capability=MANAGE_CASES,
    order=12,
    count=_incoming_count,
)
register_tile(
    "referrals.templates",
    title=_("Correspondence templates"),
    description=_("The referral letters, per referral type and language."),
    url_name="referrals:template_list",
    capability=MANAGE_AGENCIES,
    order=27,
)
register_home_box(
    "referrals.case_lookup", template_name="referrals/includes/case_lookup.html", capability=VIEW_CASES
)
