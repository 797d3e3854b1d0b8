"""Issue 19: the email of a referral to an agency of the network links to its page in Liaison (a
transfer is completed there), absolute; one to an organization outside the network has no link."""

import pytest
from django.core import mail
from django.urls import reverse

from referrals.models import CorrespondenceTemplate, ReferralType

pytestmark = pytest.mark.django_db

LABELS = {
    ReferralType.TRANSFER: (
        "Read the case and complete the transfer in Liaison:",
        "Consultez le dossier et terminez le transfert dans Liaison :",
    ),
    ReferralType.WITHIN: ("Read the referral in Liaison:", "Consultez le renvoi dans Liaison :"),
}


@pytest.mark.parametrize("kind", [ReferralType.TRANSFER, ReferralType.WITHIN])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_network_referral_email_links_to_its_page(
    network, django_capture_on_commit_callbacks, settings, kind, language
):
    draft = network.referral(
        kind, language=language, template=CorrespondenceTemplate.objects.get(code=kind, language=language)
    )
    referral = network.send(draft, django_capture_on_commit_callbacks)
    (email,) = [message for message in mail.outbox if message.to == ["intake@newpath.example.ca"]]
    link = settings.SITE_URL.rstrip("/") + reverse("referrals:incoming_detail", args=[referral.pk])
    assert f" {link}" in email.body
    assert any(label in email.body for label in LABELS[kind]), email.body
    assert email.body.startswith(referral.body)  # what the sender typed comes first, as typed
    html = email.alternatives[0][0]
    assert f'<a href="{link}">{link}</a>' in html
    assert "Johnson" not in email.subject


def test_an_outside_referral_email_has_no_link(network, django_capture_on_commit_callbacks):
    referral = network.send(network.referral(ReferralType.OUTSIDE), django_capture_on_commit_callbacks)
    (email,) = [message for message in mail.outbox if message.to == ["accueil@example.ca"]]
    assert email.body == referral.body
    assert "http" not in email.alternatives[0][0]
