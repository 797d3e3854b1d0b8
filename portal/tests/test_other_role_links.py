"""A link opened in another role (issue 18): the page offers a one-click switch to the person's role
that opens it, in every portal; nobody learns anything about a record none of their roles may see."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from portal import roles
from portal.middleware import ACTIVE_MEMBERSHIP_SESSION_KEY
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.helpers import verified_client
from tests.personas import persona_may
from tests.registry import OBJECT_URLS

pytestmark = pytest.mark.django_db


def _first_per_portal():
    """One record address per portal and kind of organization, with a role that may open it."""
    cases, seen = [], set()
    for entry in OBJECT_URLS:
        for kind in entry.organization_kinds:
            app = entry.name.split(":")[0]
            allowed = [r.code for r in roles.roles_for_kind(kind) if persona_may(r.code, entry.capability)]
            if (app, kind) in seen or not allowed:
                continue
            seen.add((app, kind))
            cases.append((entry, kind, allowed[0]))
    return cases


CASES = _first_per_portal()


def test_every_portal_is_tried():
    assert {entry.name.split(":")[0] for entry, _kind, _role in CASES} == {
        "portal",
        "orders",
        "referrals",
        "interpreters",
        "appointments",
    }


@pytest.mark.parametrize(("entry", "kind", "role"), CASES, ids=[f"{e.name}-{k}" for e, k, _r in CASES])
def test_a_record_of_another_role_offers_the_switch_that_opens_it(entry, kind, role, settings):
    settings.LANGUAGE_CODE = "en"
    own, other = OrganizationFactory(kind=kind), OrganizationFactory(kind=kind)
    user = UserFactory(preferred_language="en")
    active = MembershipFactory(user=user, organization=own, role=role)
    opening = MembershipFactory(user=user, organization=other, role=role)
    client = verified_client(user, membership=active)
    url = entry.make(other)
    audit_entries = LogEntry.objects.count()

    response = client.get(url)

    assert response.status_code == 403
    page = response.content.decode()
    assert f"This page belongs to your role {opening.role_label} at {other.name}." in page
    assert f'name="membership" value="{opening.pk}"' in page
    assert f'name="membership" value="{active.pk}"' not in page
    # The trial left nothing: still the same role, and the record page did not leave an audit row.
    assert client.session[ACTIVE_MEMBERSHIP_SESSION_KEY] == active.pk
    assert LogEntry.objects.count() == audit_entries

    switched = client.post(
        reverse("portal:switch_role"), {"membership": opening.pk, "next": url, "open": "1"}
    )
    assert switched.status_code == 302
    assert switched["Location"] == url
    assert client.session[ACTIVE_MEMBERSHIP_SESSION_KEY] == opening.pk
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(("entry", "kind", "role"), CASES, ids=[f"{e.name}-{k}" for e, k, _r in CASES])
def test_a_record_no_role_of_the_person_opens_stays_a_plain_404(entry, kind, role):
    own, stranger = OrganizationFactory(kind=kind), OrganizationFactory(kind=kind)
    user = UserFactory()
    active = MembershipFactory(user=user, organization=own, role=role)
    # A second role elsewhere, that cannot open the stranger's record either.
    MembershipFactory(user=user, organization=OrganizationFactory(kind=kind), role=role)
    client = verified_client(user, membership=active)

    response = client.get(entry.make(stranger))

    assert response.status_code == 404
    page = response.content.decode()
    assert "switch_role" not in page and 'name="membership" value=' not in page.split("<main")[1]


def test_a_page_the_active_role_may_not_open_offers_the_role_that_may_in_french():
    department = OrganizationFactory(kind="department", name_fr="Développement social")
    user = UserFactory(preferred_language="fr")
    active = MembershipFactory(user=user, organization=department, role="orders.department_worker")
    admin = MembershipFactory(user=user, organization=department, role="portal.department_administrator")
    client = verified_client(user, membership=active)

    response = client.get(reverse("portal:audit_log"))

    assert response.status_code == 403
    page = response.content.decode()
    assert '<html lang="fr">' in page
    # The role's French name and the organization (the sentence itself comes with the catalogue).
    offer = page.split("<main")[1]
    assert "Administrateur du ministère" in offer and "Développement social" in offer
    assert f'name="membership" value="{admin.pk}"' in offer
    switched = client.post(
        reverse("portal:switch_role"),
        {"membership": admin.pk, "next": reverse("portal:audit_log"), "open": "1"},
    )
    assert switched["Location"] == reverse("portal:audit_log")


def test_without_another_role_the_403_is_the_usual_one():
    membership = MembershipFactory(role="orders.department_worker", organization__kind="department")
    response = verified_client(membership.user, membership=membership).get(reverse("portal:audit_log"))
    assert response.status_code == 403
    assert "switch_role" not in response.content.decode().split("<main")[1]


def test_the_switch_and_open_never_leaves_the_site():
    user = UserFactory()
    first = MembershipFactory(user=user)
    second = MembershipFactory(user=user)
    client = verified_client(user, membership=first)
    response = client.post(
        reverse("portal:switch_role"), {"membership": second.pk, "next": "https://evil.example/", "open": "1"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")


def test_someone_elses_membership_is_never_switched_to():
    user = UserFactory()
    mine = MembershipFactory(user=user)
    theirs = MembershipFactory()
    client = verified_client(user, membership=mine)
    client.post(reverse("portal:switch_role"), {"membership": theirs.pk, "next": "/", "open": "1"})
    assert client.session[ACTIVE_MEMBERSHIP_SESSION_KEY] == mine.pk
