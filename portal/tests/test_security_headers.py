"""Every HTML page carries a Content-Security-Policy without inline scripts; signed-in pages are
never cached."""

import pytest
from django.test import Client

from tests.factories import MembershipFactory, OrganizationFactory
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db


def test_the_sign_in_page_has_a_policy_without_inline_script():
    response = Client().get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy


def test_signed_in_pages_are_not_stored():
    membership = MembershipFactory(
        organization=OrganizationFactory(kind="department"), role="orders.department_worker"
    )
    response = verified_client(membership.user, membership=membership).get("/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "Content-Security-Policy" in response

