"""Tenancy of the interpreter bank: its records are read through an organization's scope.

portal.scoping: the bank's models have organization-scoped managers (the bank, or the
requester's establishment for a request); an unscoped read while handling a request raises
UnscopedQuery (the suite runs strict, see the root conftest.py). The selectors read through
`.for_organization(...)` or `.scoped(reason)`.
"""

import pytest
from django.apps import apps
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path

from interpreters import selectors
from interpreters.billing import services as billing
from interpreters.models import (
    Availability,
    Completion,
    CostCentre,
    InterpreterProfile,
    Message,
    Rate,
    Registration,
    Request,
    RequestEvent,
    ServedEstablishment,
    Statement,
    StatementLine,
    Unavailability,
)
from interpreters.requests import notices
from portal import scoping
from portal.scoping import ScopedQuerySet, UnscopedQuery
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

# Reference data every organization shares (bilingual lists): no organization's scope.
SHARED = {"Language", "ServiceType"}

SCOPED_MODELS = [
    InterpreterProfile,
    Availability,
    Unavailability,
    CostCentre,
    ServedEstablishment,
    Registration,
    Request,
    RequestEvent,
    Message,
    Completion,
    Rate,
    Statement,
    StatementLine,
]


@login_not_required
def _unscoped_view(request, model):
    return HttpResponse(str(apps.get_model("interpreters", model).objects.count()))


@login_not_required
def _scoped_view(request, model):
    queryset = apps.get_model("interpreters", model).objects.for_organization(request.GET.get("org"))
    return HttpResponse(str(queryset.count()))


class _Urls:
    urlpatterns = [
        path("unscoped/<str:model>/", _unscoped_view),
        path("scoped/<str:model>/", _scoped_view),
    ]


def test_every_model_of_the_bank_that_belongs_to_an_organization_is_scoped():
    models = {model.__name__ for model in apps.get_app_config("interpreters").get_models()}
    assert models - SHARED == {model.__name__ for model in SCOPED_MODELS}
    for model in SCOPED_MODELS:
        assert isinstance(model.objects.all(), ScopedQuerySet), model.__name__


@pytest.mark.parametrize("model", [model.__name__ for model in SCOPED_MODELS])
def test_it_raises_on_an_unscoped_query_in_a_request(world, settings, client, _no_server_errors, model):
    world.validated()
    settings.ROOT_URLCONF = _Urls
    with pytest.raises(UnscopedQuery):
        client.get(f"/unscoped/{model}/")
    # The failure above is the point of the test, not a server error to report.
    _no_server_errors.clear()


@pytest.mark.parametrize(
    "model", ["Request", "RequestEvent", "Message", "Completion", "Rate", "InterpreterProfile"]
)
def test_it_answers_a_query_scoped_by_the_bank(world, settings, client, model):
    request = world.validated()
    notices.post_message(actor=world.requester, request=request, text="Merci")
    settings.ROOT_URLCONF = _Urls
    other_bank = OrganizationFactory(kind="interpreter_bank")
    assert client.get(f"/scoped/{model}/?org={world.bank.pk}").content != b"0"
    assert client.get(f"/scoped/{model}/?org={other_bank.pk}").content == b"0"


def test_a_request_belongs_to_its_bank_and_to_its_establishment(world):
    request = world.request()
    with scoping.request_context():
        assert list(Request.objects.for_organization(world.bank)) == [request]
        assert list(Request.objects.for_organization(world.hospital)) == [request]
        assert not Request.objects.for_organization(world.clinic).exists()
        assert list(RequestEvent.objects.for_organization(world.hospital)) == list(request.events.all())
        with pytest.raises(UnscopedQuery):
            Request.objects.filter(pk=request.pk).exists()


def test_the_selectors_read_within_a_scope_for_each_role(world):
    request = world.confirmed()
    with scoping.request_context():
        assert request in selectors.requests_for(world.requester)
        assert not selectors.requests_for(world.other_requester).filter(pk=request.pk).exists()
        assert request in selectors.requests_for(world.near.user)
        assert not selectors.requests_for(world.far.user).filter(pk=request.pk).exists()
        assert request in selectors.requests_for_coordinators(world.coordinator)
        assert selectors.interpreter_profile(world.near.user) == world.near
        assert set(selectors.bank_interpreters(world.coordinator)) == {world.near, world.far}
        assert list(selectors.cost_centres(world.hospital)) == [world.centre]
        assert selectors.bank_of(world.hospital) == world.bank
        assert selectors.rate_for(request).bank == world.bank
        assert selectors.rates(world.coordinator).count() == Rate.objects.for_organization(world.bank).count()
        assert list(selectors.statements(world.coordinator)) == []
        assert selectors.suggestions(world.request()) is not None
        # Someone without a role in a bank sees none of the bank's records.
        assert not selectors.bank_interpreters(world.requester).exists()
        assert not selectors.registrations_for(world.requester).exists()
        assert not selectors.rates(world.requester).exists()


def test_a_statement_and_its_lines_are_read_through_the_bank(world):
    month = world.validated().date.replace(day=1)
    issued = billing.issue_statements(actor=world.coordinator, bank=world.bank, month=month)
    assert issued
    with scoping.request_context():
        statement = selectors.get_statement(world.coordinator, issued[0].pk)
        assert list(statement.lines.all())
        assert StatementLine.objects.for_organization(world.bank).count() >= 1
        with pytest.raises(UnscopedQuery):
            Statement.objects.filter(pk=statement.pk).count()
