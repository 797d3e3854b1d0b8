"""Issue 19: the sentences that name the two agencies of a transfer read well in French: "transféré
de l'organisme Agence d'emploi Cap-Acadie à l'organisme …", never "de Agence d'emploi…". (Matched
in either language: the catalogue gets their French after this change.)"""

import pytest

from portal.models import Notification
from referrals.models import Case

pytestmark = pytest.mark.django_db


def test_the_transfer_notices_and_history_name_each_agency(network, django_capture_on_commit_callbacks):
    network.agency.name_fr, network.agency.name_en = (
        "Agence d'emploi Cap-Acadie",
        "Cap-Acadie Employment Agency",
    )
    network.agency.save()
    network.outsider.preferred_language = "fr"
    network.outsider.save()
    case = network.case()
    network.receive(
        network.send(network.referral(case=case), django_capture_on_commit_callbacks),
        django_capture_on_commit_callbacks,
    )
    other_fr, other_en = network.other_agency.name_fr, network.other_agency.name_en
    received = Notification.objects.get(recipient=network.outsider, purpose="transfer.received")
    assert received.title_en == "Case received by transfer from Cap-Acadie Employment Agency"
    assert received.title_fr in (
        "Dossier reçu par transfert de l'organisme Agence d'emploi Cap-Acadie",
        "Case received by transfer from Agence d'emploi Cap-Acadie",
    )
    former = Notification.objects.get(recipient=network.manager, purpose="transferred")
    assert former.title_en == (
        f"Case {case.number} has been transferred from Cap-Acadie Employment Agency to {other_en}"
    )
    assert former.title_fr in (
        f"Le dossier {case.number} a été transféré de l'organisme Agence d'emploi Cap-Acadie "
        f"à l'organisme {other_fr}",
        f"Case {case.number} has been transferred from Agence d'emploi Cap-Acadie to {other_fr}",
    )
    # The case's history row, written in the active language (French in these tests).
    note = Case.objects.get(pk=case.pk).status_changes.get(action="transferred").note
    assert note in (
        f"Dossier transféré de l'organisme Agence d'emploi Cap-Acadie à l'organisme {other_fr}.",
        f"Case transferred from Agence d'emploi Cap-Acadie to {other_fr}.",
    )
    assert "de Agence" not in received.title_fr + former.title_fr + note
