"""Interpreter bank lists sort establishments and people by name as letters (accents ignored)."""

import pytest
from django.urls import reverse

from interpreters.requests import services
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(world):
    return verified_client(world.coordinator, membership=world.coordinator_membership)


def _rename(organization, name):
    organization.name = organization.name_fr = organization.name_en = name
    organization.save()


def test_the_queue_sorts_establishments_as_letters(world, coordinator):
    _rename(world.hospital, "Fondation Sud")
    _rename(world.clinic, "Établissement Nord")
    world.request()
    services.create_request(
        actor=world.other_requester,
        establishment=world.clinic,
        **world.values(cost_centre=world.other_centre),
    )
    for sort, expected in [
        ("establishment", ["Établissement Nord", "Fondation Sud"]),
        ("-establishment", ["Fondation Sud", "Établissement Nord"]),
    ]:
        response = coordinator.get(reverse("interpreters:queue"), {"sort": sort})
        names = [row.record.establishment.name for row in response.context["table"].page.object_list]
        assert names == expected
