"""Tenancy is enforced: an unscoped read of an organization's data while handling a request fails.

portal.scoping: models that belong to an organization are read through `.for_organization()`,
`.for_user()`, `.scoped(reason)` or a related manager; the middleware turns the check on for the
request (the test suite runs strict, see the root conftest.py).
"""

import logging

import pytest
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import path, reverse

from orders import selectors as order_selectors
from orders.models import OrderSummary
from orders.reference import ensure_reference_data
from orders.tests.conftest import World
from portal import scoping
from portal.middleware import ScopingMiddleware
from portal.models import Membership, Task
from portal.scoping import UnscopedQuery
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _strict(settings):
    settings.SCOPING_STRICT = True


@pytest.fixture
def world():
    ensure_reference_data()
    return World()


@login_not_required
def _unscoped_view(request):
    return HttpResponse(str(OrderSummary.objects.count()))


@login_not_required
def _scoped_view(request):
    return HttpResponse(str(OrderSummary.objects.for_organization(request.GET.get("org")).count()))


class _Urls:
    urlpatterns = [
        path("unscoped/", _unscoped_view),
        path("scoped/", _scoped_view),
    ]


def test_it_raises_on_an_unscoped_query_in_a_request(world, settings, client, _no_server_errors):
    world.summary()
    settings.ROOT_URLCONF = _Urls
    with pytest.raises(UnscopedQuery):
        client.get("/unscoped/")
    # The failure above is the point of the test, not a server error to report.
    _no_server_errors.clear()


def test_it_answers_a_query_scoped_by_organization(world, settings, client):
    world.summary()
    settings.ROOT_URLCONF = _Urls
    assert client.get(f"/scoped/?org={world.department.pk}").content == b"1"
    assert client.get(f"/scoped/?org={world.other_provider.pk}").content == b"0"


def test_the_middleware_sets_the_context_only_for_the_request(world):
    world.summary()
    seen = []

    def view(request):
        seen.append(scoping.current())
        with pytest.raises(UnscopedQuery):
            list(OrderSummary.objects.all())
        return HttpResponse()

    ScopingMiddleware(view)(RequestFactory().get("/"))
    assert seen[0] is not None and seen[0].enforced
    assert scoping.current() is None
    # Outside a request (workers, commands, tests' set-up) nothing changes.
    assert OrderSummary.objects.count() == 1


def test_selectors_and_related_managers_count_as_scoped(world):
    summary = world.summary()
    with scoping.request_context():
        found = order_selectors.get_summary_for_user(world.worker, summary.pk)
        assert list(found.orders.all()) == list(summary.orders.all())
        assert list(order_selectors.summary_history(found))
        assert OrderSummary.objects.none().count() == 0
        with pytest.raises(UnscopedQuery):
            OrderSummary.objects.filter(pk=summary.pk).exists()
        with pytest.raises(UnscopedQuery):
            OrderSummary.objects.filter(pk=summary.pk).update(client_name="x")


def test_person_owned_rows_are_read_through_for_user():
    membership = MembershipFactory()
    other = MembershipFactory()
    with scoping.request_context():
        assert list(Membership.objects.for_user(membership.user)) == [membership]
        assert list(Membership.objects.for_organization(other.organization)) == [other]
        assert not Task.objects.for_user(membership.user).exists()
        with pytest.raises(UnscopedQuery):
            Task.objects.filter(assignee=membership.user).count()


def test_services_are_trusted_to_re_read_what_a_view_fetched(world):
    from orders.summaries import services as summary_services

    summary = world.summary()
    with scoping.request_context():
        offered = summary_services.offer_summary(actor=world.worker, summary=summary)
    assert offered.status == "offered"


def test_without_strict_mode_it_logs_a_warning_instead(world, settings, caplog):
    settings.SCOPING_STRICT = False
    world.summary()
    with scoping.request_context(), caplog.at_level(logging.WARNING, logger="portal.scoping"):
        assert OrderSummary.objects.count() == 1
    assert "Unscoped query of orders.OrderSummary" in caplog.text


def test_another_organizations_summary_answers_404_through_the_selectors(world):
    summary = world.offered()
    url = reverse("orders:summary", args=[summary.pk])
    assert verified_client(world.worker, membership=world.worker_membership).get(url).status_code == 200
    assert (
        verified_client(world.coordinator, membership=world.coordinator_membership).get(url).status_code
        == 200
    )
    outsider = verified_client(world.outsider, membership=world.outsider_membership)
    assert outsider.get(url).status_code == 404


def test_the_admin_site_reads_without_scopes(world):
    world.summary()
    admin = UserFactory(is_staff=True, is_superuser=True)
    response = verified_client(admin).get("/admin/orders/ordersummary/")
    assert response.status_code == 200
