"""`next` only ever leads to a path of this site; anything else falls back, never an error page."""

import pytest
from django.test import RequestFactory

from portal.params import safe_next


@pytest.mark.parametrize(
    "candidate",
    [
        "home",
        "portal:home",
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "/ok\x00",
        "",
        "javascript:alert(1)",
    ],
)
def test_it_falls_back_for_anything_but_a_path_of_this_site(candidate):
    request = RequestFactory().post("/", {"next": candidate})
    assert safe_next(request, "/fallback/") == "/fallback/"


def test_it_keeps_a_path_of_this_site():
    request = RequestFactory().get("/", {"next": "/orders/?page=2"})
    assert safe_next(request, "/fallback/") == "/orders/?page=2"


@pytest.mark.django_db
def test_a_bare_word_in_next_never_answers_500(client):
    from tests.factories import MembershipFactory, OrganizationFactory
    from tests.helpers import verified_client

    membership = MembershipFactory(
        organization=OrganizationFactory(kind="department"), role="orders.department_worker"
    )
    response = verified_client(membership.user, membership=membership).post(
        "/language/", {"language": "en", "next": "home"}
    )
    assert response.status_code in (302, 303)
