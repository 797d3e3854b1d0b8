"""Issue 19: a transfer of a case in follow-up or closed is refused before any form is filled in,
on both sides, and a pending transfer of a case closed in the meantime leaves the receiving
agency's list."""

import pytest
from django.urls import reverse

from portal.workflow import ActionError
from referrals.cases import services as case_services
from referrals.models import Case, Referral, ReferralType, TransferStatus
from referrals.referrals import services as referral_services
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db

REFUSED = {
    "en": "A case in follow-up or closed cannot be transferred. Nothing was changed.",
    "fr": "Un dossier à l'état Suivi ou Fermé ne peut pas être transféré. Rien n'a été modifié.",
}


def _client(user, membership, language):
    user.preferred_language = language
    user.save()
    return verified_client(user, membership=membership)


def test_a_case_in_follow_up_is_not_offered_the_transfer_type(network):
    client = _client(network.manager, network.manager_membership, "en")
    case = network.case(status="follow_up")
    response = client.get(reverse("referrals:referrals", args=[case.number]))
    choices = [value for value, _label in response.context["form"].fields["referral_type"].choices]
    assert ReferralType.TRANSFER not in choices and ReferralType.WITHIN in choices
    assert "A case in follow-up cannot be transferred." in response.content.decode()
    # Posted anyway: refused next to the field, no draft made.
    response = client.post(reverse("referrals:referrals", args=[case.number]), {"referral_type": "transfer"})
    assert response.status_code == 200
    assert response.context["form"].errors["referral_type"]
    assert not Referral.objects.filter(case=case).exists()


def test_the_service_refuses_a_transfer_draft_of_a_case_in_follow_up(network):
    case = network.case(status="follow_up")
    with pytest.raises(ActionError) as refused:
        referral_services.create_referral(
            actor=network.manager, case=case, referral_type=ReferralType.TRANSFER
        )
    assert "referral_type" in refused.value.error_dict
    assert not Referral.objects.filter(case=case).exists()


def test_an_open_case_is_still_offered_the_transfer(network):
    client = _client(network.manager, network.manager_membership, "en")
    case = network.case()
    response = client.get(reverse("referrals:referrals", args=[case.number]))
    choices = [value for value, _label in response.context["form"].fields["referral_type"].choices]
    assert ReferralType.TRANSFER in choices


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("later", ["follow_up", "closed"])
def test_a_pending_transfer_of_a_case_that_moved_on_leaves_the_list_and_is_refused_before_the_form(
    network, django_capture_on_commit_callbacks, language, later
):
    case = network.case(status="plan_management")
    referral = network.send(network.referral(case=case), django_capture_on_commit_callbacks)
    receiver = _client(network.outsider, network.outsider_membership, language)
    listing = receiver.get(reverse("referrals:incoming"))
    assert [row.record for row in listing.context["table"].page.object_list] == [referral]
    case = case_services.start_follow_up(actor=network.manager, case=Case.objects.get(pk=case.pk))
    if later == "closed":
        case_services.close_case(actor=network.manager, case=case, reason="Employed")
    listing = receiver.get(reverse("referrals:incoming"))
    assert list(listing.context["table"].page.object_list) == []
    assert receiver.get(reverse("referrals:incoming_detail", args=[referral.pk])).status_code == 404
    response = receiver.get(reverse("referrals:transfer", args=[referral.pk]), follow=True)
    content = response.content.decode().replace("&#x27;", "'")
    assert REFUSED[language] in content
    assert 'name="office"' not in content
    referral.refresh_from_db()
    assert referral.transfer_status == TransferStatus.PENDING
    assert Case.objects.get(pk=case.pk).agency == network.agency
