"""Employment case management's entries in the cross-app suites, kept next to its code.

tests/registry.py collects them (APP_REGISTRIES): object URLs for the permission matrix, pages
without an object for its 403 half, pages for the accessibility suite and lists searched by
personal details. The entries' shapes (ObjectURL, Page, PersonalSearch) are documented there.
The entries are kept by area: registry_cases.py (cases, plans, funding, partners, the department's
pages) and registry_referrals.py (referrals and transfers); the searches are here.
Reach these entries through tests.registry (importing this module first is a circular import).
"""

from referrals.tests import registry_cases, registry_referrals
from referrals.tests.registry_cases import CASE_MANAGER
from referrals.tests.registry_referrals import NEW_PATH
from tests.registry import WORKER, ObjectURL, Page, PersonalSearch, _pick

OBJECT_URLS: list[ObjectURL] = [*registry_cases.OBJECT_URLS, *registry_referrals.OBJECT_URLS]
CAPABILITY_PAGES: list[tuple] = [*registry_cases.CAPABILITY_PAGES, *registry_referrals.CAPABILITY_PAGES]
PAGES: list[Page] = [*registry_cases.PAGES, *registry_referrals.PAGES]


# Searches by personal details (portal.search) -------------------------------------------------


def _probe_cases(user):
    from referrals.cases import selectors as case_selectors

    cases = case_selectors.cases_for(user).select_related("person").order_by("number")[:50]
    typed, found, other = _pick(
        cases, lambda case: (case.person.last_name, case.person.first_name), lambda case: str(case.number)
    )
    return {"q": typed}, "status=", found, other


def _probe_clients(user):
    from referrals.cases import selectors as case_selectors

    cases = case_selectors.cases_for(user).select_related("person").order_by("number")[:50]
    typed, found, other = _pick(
        cases,
        lambda case: (case.person.last_name, case.person.first_name),
        lambda case: case.person.display_name,
    )
    return {"q": typed}, "", found, other


def _probe_incoming(user):
    from referrals.referrals import selectors as referral_selectors

    referrals_in = referral_selectors.incoming_for(user).select_related("case__person")[:50]
    typed, found, other = _pick(
        referrals_in,
        lambda referral: (referral.case.person.last_name, referral.case.person.first_name),
        lambda referral: referral.case.person.display_name,
    )
    return {"q": typed}, "", found, other


PERSONAL_SEARCHES = [
    PersonalSearch("referrals:case_list", CASE_MANAGER, _probe_cases),
    PersonalSearch("referrals:case_list", WORKER, _probe_cases, role="referrals.department_staff"),
    PersonalSearch("referrals:case_create", CASE_MANAGER, _probe_clients),
    PersonalSearch("referrals:incoming", NEW_PATH, _probe_incoming),
]
