"""French agreement (issue 19): a request ("une demande") is feminine in every status; the request's
history puts a space before the colon of its notes in French."""

import pytest
from django.urls import reverse
from django.utils import translation

from interpreters.models import RequestStatus
from interpreters.requests import services
from tests.helpers import verified_client


def test_every_request_status_agrees_with_une_demande_in_french():
    with translation.override("fr"):
        labels = {status.value: str(status.label) for status in RequestStatus}
    assert labels == {
        "submitted": "Soumise",
        "assigned": "Offerte à un interprète",
        "accepted": "Acceptée",
        "declined": "Refusée",
        "confirmed": "Confirmée",
        "completed": "Terminée",
        "validated": "Validée",
        "cancelled": "Annulée",
    }


def test_the_english_labels_are_unchanged():
    with translation.override("en"):
        assert str(RequestStatus.DECLINED.label) == "Declined"
        assert str(RequestStatus.CANCELLED.label) == "Cancelled"


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "separator"), [("fr", "\xa0: "), ("en", ": ")])
def test_the_history_note_follows_a_colon_spaced_in_french(world, language, separator):
    """The request's history: "Refusée (…) : Malade" in French (a space before the colon)."""
    request = services.assign_interpreter(
        actor=world.coordinator, request=world.request(), interpreter=world.near
    )
    services.decline_offer(actor=world.near.user, request=request, reason="Malade")
    world.coordinator.preferred_language = language
    world.coordinator.save()
    client = verified_client(world.coordinator, membership=world.coordinator_membership)
    page = client.get(reverse("interpreters:request", args=[request.pk])).content.decode()
    assert f"){separator}Malade</li>" in page
