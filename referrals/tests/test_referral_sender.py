"""Issue 19: a referral records who sent it (agency and case manager) when sent; a later transfer of
the case changes neither, and the case's new agency cannot act on the sender's old referrals."""

import importlib
import io

import pytest
from django.apps import apps
from django.urls import reverse
from pypdf import PdfReader

from portal.workflow import ActionError
from referrals.models import Referral, ReferralStatus, ReferralType, TransferStatus
from referrals.printing import render_letter_pdf
from referrals.referrals import services as referral_services
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(network):
    """The network (conftest), its two case managers named."""
    world = network
    world.manager.first_name, world.manager.last_name = "Rémi", "Cormier"
    world.manager.save()
    world.outsider.first_name, world.outsider.last_name = "Nadia", "Poirier"
    world.outsider.save()
    return world


@pytest.fixture
def receiver(network):
    return verified_client(network.outsider, membership=network.outsider_membership)


def _main(response):
    """The page's own content (the header names the active organization)."""
    return response.content.decode().split("<main", 1)[1]


def _transferred(world, capture):
    """An informational referral from the first agency to the other, then the case transferred
    there: the informational one is still in the other agency's list."""
    case = world.case()
    informational = world.send(world.referral(ReferralType.WITHIN, case=case), capture)
    transfer = world.send(world.referral(ReferralType.TRANSFER, case=case), capture)
    world.receive(transfer, capture)
    informational.refresh_from_db()
    case.refresh_from_db()
    return informational, case


def test_it_records_the_sending_agency_and_case_manager_when_sent(
    network, django_capture_on_commit_callbacks
):
    referral = network.send(network.referral(ReferralType.WITHIN), django_capture_on_commit_callbacks)
    referral.refresh_from_db()
    assert (referral.sending_agency, referral.referred_by) == (network.agency, network.manager)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_after_a_transfer_the_list_and_detail_still_name_the_sender(
    network, receiver, django_capture_on_commit_callbacks, language
):
    informational, case = _transferred(network, django_capture_on_commit_callbacks)
    assert case.agency == network.other_agency
    network.outsider.preferred_language = language
    network.outsider.save()
    sender = network.agency.name_fr if language == "fr" else network.agency.name_en
    receiver_name = network.other_agency.name_fr if language == "fr" else network.other_agency.name_en
    listing = receiver.get(reverse("referrals:incoming"))
    rows = listing.context["table"].page.object_list
    assert [row.record for row in rows] == [informational]
    assert str(rows[0].get_cell("sending_agency")) == sender
    assert sender in _main(listing)
    detail = _main(receiver.get(reverse("referrals:incoming_detail", args=[informational.pk])))
    assert f"Rémi Cormier, {sender}" in detail
    assert "Nadia Poirier" not in detail and receiver_name not in detail
    # The case's referrals page (the case is the receiver's now) names the sender too.
    page = _main(
        receiver.get(reverse("referrals:referrals", args=[case.number]) + f"?open={informational.pk}")
    )
    assert f"Rémi Cormier, {sender}" in page
    label = "Renvoyé par" if language == "fr" else "Referred by"
    assert label in detail and label in page


def test_the_letter_names_the_sending_agency_after_a_transfer(network, django_capture_on_commit_callbacks):
    informational, _case = _transferred(network, django_capture_on_commit_callbacks)
    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(render_letter_pdf(informational))).pages
    )
    # The letter is in its language (English here); the letterhead and the signature are the
    # sender's, the receiving organization is the one it is addressed to.
    assert informational.language == "en"
    letterhead, signature = text.split("Re:")[0], text.split("Sincerely")[1]
    assert network.agency.name_en in letterhead and network.agency.name_en in signature
    assert network.other_agency.name_en not in letterhead + signature
    assert "contact Rémi Cormier" in text


def test_the_new_agency_cannot_send_the_senders_failed_referral_again(
    network, receiver, django_capture_on_commit_callbacks
):
    informational, case = _transferred(network, django_capture_on_commit_callbacks)
    Referral.objects.filter(pk=informational.pk).update(
        status=ReferralStatus.FAILED, failure_reason="Bounced"
    )
    informational.refresh_from_db()
    assert referral_services.referral_actions(informational, network.outsider) == []
    page = receiver.get(reverse("referrals:referrals", args=[case.number]) + f"?open={informational.pk}")
    assert "Send the email again" not in page.content.decode()
    url = reverse("referrals:referral_action", args=[case.number, informational.pk, "resend"])
    for response in (receiver.get(url, follow=True), receiver.post(url, follow=True)):
        assert "only that agency could act on it. Nothing was changed." in response.content.decode()
    with pytest.raises(ActionError):
        referral_services.resend_referral(actor=network.outsider, referral=informational)
    informational.refresh_from_db()
    assert (informational.status, informational.attempts) == (ReferralStatus.FAILED, informational.attempts)
    assert informational.failure_reason == "Bounced"


def test_the_sender_still_withdraws_its_own_pending_transfer(network, django_capture_on_commit_callbacks):
    transfer = network.send(network.referral(), django_capture_on_commit_callbacks)
    manager = verified_client(network.manager, membership=network.manager_membership)
    manager.post(reverse("referrals:referral_action", args=[transfer.case.number, transfer.pk, "withdraw"]))
    transfer.refresh_from_db()
    assert transfer.transfer_status == TransferStatus.WITHDRAWN


def test_the_data_migration_fills_sent_referrals_from_the_case(network, django_capture_on_commit_callbacks):
    case = network.case()
    sent = network.send(network.referral(ReferralType.WITHIN, case=case), django_capture_on_commit_callbacks)
    draft = referral_services.create_referral(
        actor=network.manager, case=case, referral_type=ReferralType.WITHIN
    )
    Referral.objects.filter(pk=sent.pk).update(sending_agency=None, referred_by=None)
    migration = importlib.import_module("referrals.migrations.0008_referral_sender")
    migration.fill_senders(apps, None)
    sent.refresh_from_db()
    draft.refresh_from_db()
    assert (sent.sending_agency, sent.referred_by) == (network.agency, network.manager)
    assert (draft.sending_agency, draft.referred_by) == (None, None)
