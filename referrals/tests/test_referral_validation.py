"""Issue 19: a referral's Organization, Contact person and Email to are marked required, and "Send
the referral" checks them before the "Are you sure…" page, each error next to its field; nothing is
saved and nothing typed is lost. A draft may still be saved without them."""

import re

import pytest
from django.urls import reverse

from referrals.models import ReferralStatus, ReferralType
from referrals.referrals import services as referral_services
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db

ERRORS = {
    "en": {
        "agency": "Choose the agency that receives the referral.",
        "organization_name": "Enter the organization that receives the referral.",
        "contact_person": "Enter the contact person.",
        "email_to": "Enter the email address to send the referral to.",
        "required": "(required)",
        "question": "Are you sure",
    },
    "fr": {
        "agency": "Choisissez l'organisme qui reçoit le renvoi.",
        "organization_name": "Entrez l'organisme qui reçoit le renvoi.",
        "contact_person": "Entrez la personne-ressource.",
        "email_to": "Entrez l'adresse courriel à laquelle envoyer le renvoi.",
        "required": "(obligatoire)",
        "question": "Êtes-vous certain",
    },
}


def _client(world, language):
    world.manager.preferred_language = language
    world.manager.save()
    return verified_client(world.manager, membership=world.manager_membership)


def _data(referral, **changes):
    data = {
        "agency": "",
        "organization_name": "",
        "contact_person": "",
        "email_to": "",
        "language": referral.language,
        "template": referral.template_id or "",
        "subject": referral.subject,
        "body": referral.body,
        "notes": "Typed notes",
        "action": "send",
    }
    data.update(changes)
    return data


def _error_next_to(content, name, message):
    """The message is in the error list of this field (portal/includes/field_help_errors.html)."""
    found = re.search(rf'<ul class="errorlist" id="id_{name}_errors">(.*?)</ul>', content, re.S)
    return found is not None and message in found.group(1).replace("&#x27;", "'")


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("kind", [ReferralType.WITHIN, ReferralType.OUTSIDE])
def test_send_checks_the_required_fields_before_the_question(network, language, kind):
    client = _client(network, language)
    referral = referral_services.create_referral(
        actor=network.manager, case=network.case(), referral_type=kind
    )
    url = reverse("referrals:referral_edit", args=[referral.case.number, referral.pk])
    response = client.post(url, _data(referral))
    assert response.status_code == 200
    content = response.content.decode()
    words = ERRORS[language]
    organization = "agency" if kind == ReferralType.WITHIN else "organization_name"
    for name in (organization, "contact_person", "email_to"):
        assert _error_next_to(content, name, words[name]), name
    assert words["question"] not in content
    # Nothing saved, what was typed is still there.
    assert "Typed notes" in content
    referral.refresh_from_db()
    assert (referral.notes, referral.status) == ("", ReferralStatus.DRAFT)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_three_fields_are_marked_required(network, language):
    client = _client(network, language)
    referral = referral_services.create_referral(
        actor=network.manager, case=network.case(), referral_type=ReferralType.WITHIN
    )
    content = client.get(reverse("referrals:referral_edit", args=[referral.case.number, referral.pk])).content
    content = content.decode()
    for name in ("agency", "contact_person", "email_to"):
        label = re.search(rf'<label for="id_{name}">(.*?)</label>', content, re.S).group(1)
        assert ERRORS[language]["required"] in label, name


def test_a_draft_is_still_saved_without_them(network):
    client = _client(network, "en")
    referral = referral_services.create_referral(
        actor=network.manager, case=network.case(), referral_type=ReferralType.WITHIN
    )
    url = reverse("referrals:referral_edit", args=[referral.case.number, referral.pk])
    response = client.post(url, _data(referral, action="save"), follow=True)
    assert "The draft referral was saved." in response.content.decode()
    referral.refresh_from_db()
    assert referral.notes == "Typed notes"


def test_a_complete_draft_goes_to_the_question_with_the_agencys_email(network):
    client = _client(network, "en")
    referral = referral_services.create_referral(
        actor=network.manager, case=network.case(), referral_type=ReferralType.WITHIN
    )
    url = reverse("referrals:referral_edit", args=[referral.case.number, referral.pk])
    response = client.post(
        url, _data(referral, agency=network.other_agency.pk, contact_person="Denise Gallant"), follow=True
    )
    assert "Are you sure" in response.content.decode()
    referral.refresh_from_db()
    assert (referral.email_to, referral.status) == ("intake@newpath.example.ca", ReferralStatus.DRAFT)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_question_page_of_an_incomplete_draft_sends_back_to_its_fields(network, language):
    client = _client(network, language)
    referral = referral_services.create_referral(
        actor=network.manager, case=network.case(), referral_type=ReferralType.OUTSIDE
    )
    url = reverse("referrals:referral_send", args=[referral.case.number, referral.pk])
    response = client.get(url, follow=True)
    content = response.content.decode()
    assert ERRORS[language]["question"] not in content
    assert _error_next_to(content, "contact_person", ERRORS[language]["contact_person"])
    response = client.post(url, follow=True)
    assert _error_next_to(
        response.content.decode(), "organization_name", ERRORS[language]["organization_name"]
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DRAFT
