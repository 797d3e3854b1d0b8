"""Every registered object URL × every role: another organization's record is a 404, a page the
active role may not open is a 403, and a signed-out visitor goes to sign-in with `next`."""

import pytest
from django.test import Client
from django.urls import reverse

from portal import roles
from portal.models import OrganizationKind
from tests.factories import MembershipFactory, OrganizationFactory
from tests.helpers import verified_client
from tests.personas import BY_ROLE, persona_may
from tests.registry import ALL_KINDS, CAPABILITY_PAGES, OBJECT_URLS

pytestmark = pytest.mark.django_db

CASES = [
    (entry, kind, role.code)
    for entry in OBJECT_URLS
    for kind in entry.organization_kinds
    for role in roles.roles_for_kind(kind)
]


@pytest.mark.parametrize(("entry", "kind", "role"), CASES, ids=[f"{e.name}-{k}-{r}" for e, k, r in CASES])
def test_each_role_gets_404_for_another_organization_and_403_without_the_capability(entry, kind, role):
    own, other = OrganizationFactory(kind=kind), OrganizationFactory(kind=kind)
    membership = MembershipFactory(organization=own, role=role)
    client = verified_client(membership.user, membership=membership)
    # Expectations come from the guides' personas (tests/personas.py), not from roles.py.
    allowed = persona_may(role, entry.capability)

    other_response = client.get(entry.make(other))
    own_response = client.get(entry.make(own))

    if allowed:
        assert other_response.status_code == 404
        assert own_response.status_code == 200
    else:
        assert other_response.status_code == 403
        assert own_response.status_code == 403


@pytest.mark.parametrize("entry", OBJECT_URLS, ids=[e.name for e in OBJECT_URLS])
def test_signed_out_visitors_go_to_sign_in_with_next(entry):
    url = entry.make(OrganizationFactory(kind=entry.organization_kinds[0]))
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"


PAGE_CASES = [
    (name, args, capability, role)
    for name, args, capability in CAPABILITY_PAGES
    for role in roles.all_roles()
]


@pytest.mark.parametrize(
    ("url_name", "args", "capability", "role"),
    PAGE_CASES,
    ids=[f"{n}-{r.code}" for n, _a, _c, r in PAGE_CASES],
)
def test_capability_pages_answer_403_to_roles_without_it(url_name, args, capability, role):
    kind = sorted(role.organization_kinds)[0]
    membership = MembershipFactory(organization=OrganizationFactory(kind=kind), role=role.code)
    response = verified_client(membership.user, membership=membership).get(reverse(url_name, args=args))
    if persona_may(role.code, capability):
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == 403


def test_every_role_grants_what_its_guide_persona_may_do_and_nothing_more():
    registered = {role.code: role for role in roles.all_roles()}
    assert set(registered) == set(BY_ROLE), "every role has a persona in tests/personas.py, and back"
    for code, role in registered.items():
        assert set(role.capabilities) == set(BY_ROLE[code].may), (code, BY_ROLE[code].guide)


def test_every_kind_of_organization_meets_a_second_one_of_its_kind_in_the_matrix():
    """Each case opens another organization's record of the same kind, so every kind (department,
    provider, employment agency, health establishment, interpreter bank, clinic network) needs
    records of an app, not only portal's own organization page, and every role is signed in."""
    app_kinds = {
        kind
        for entry in OBJECT_URLS
        if not entry.name.startswith("portal:")
        for kind in entry.organization_kinds
    }
    assert app_kinds == set(ALL_KINDS)
    assert set(ALL_KINDS) == set(OrganizationKind.values)
    signed_in = {role for _entry, _kind, role in CASES}
    assert signed_in == {role.code for role in roles.all_roles()}
