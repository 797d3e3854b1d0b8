"""French agreement (issue 19): a request ("une demande") is feminine in every status."""

from django.utils import translation

from interpreters.models import RequestStatus


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
