"""Referrals in real Chromium, in French and in English: each referral type sent end to end (the
emailed letter read back with a PDF reader), then a transfer completed by the receiving agency, with
both agencies' access checked before and after."""

import io
import re

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from portal.demo import load_all_demo_data
from referrals.models import Case, CaseStatus, Referral, ReferralStatus
from tests.browser import language_cookie, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "fr": {
        "referrals": "Renvois",
        "type": "Type de renvoi",
        "add": "Ajouter le renvoi",
        "organization": "Organisme",
        "contact": "Personne-ressource",
        "email": "Envoyer par courriel à",
        "send": "Envoyer le renvoi",
        "ok": "OK, l'envoyer",
        "emailed": "Envoyé par courriel",
        "types": {
            "transfer": "Transfert de dossier",
            "within": "Pour information (à l'intérieur du réseau)",
            "outside": "Pour information (à l'extérieur du réseau)",
        },
        "receiving": "Emploi Nouvelle Voie",
        "transfer_link": "Détails du dossier / Transfert",
        "office": "Bureau",
        "save": "Enregistrer",
        "confirm": "OK, transférer le dossier",
        "question": "Êtes-vous certain de vouloir transférer ce dossier?",
        "done": "Le dossier a été transféré avec succès.",
        "search": "Rechercher",
        "query": "Nom ou identifiant de dossier",
    },
    "en": {
        "referrals": "Referrals",
        "type": "Referral type",
        "add": "Add the referral",
        "organization": "Organization",
        "contact": "Contact person",
        "email": "Email to",
        "send": "Send the referral",
        "ok": "OK, send it",
        "emailed": "Emailed",
        "types": {
            "transfer": "Case transfer",
            "within": "Informational (within the network)",
            "outside": "Informational (outside the network)",
        },
        "receiving": "New Path Employment",
        "transfer_link": "Case details / Transfer",
        "office": "Office",
        "save": "Save",
        "confirm": "OK, transfer the case",
        "question": "Are you sure you want to transfer this case?",
        "done": "The case was transferred successfully.",
        "search": "Search",
        "query": "Name or case ID",
    },
}


def field(page, label):
    return page.get_by_label(re.compile("^" + re.escape(label)))


def sign_in(context, live_server, user, language):
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    context.clear_cookies()
    context.add_cookies([language_cookie(live_server.url, language), session_cookie(live_server.url, user)])


def send_referral(page, live_server, words, case, kind):
    page.goto(live_server.url + reverse("referrals:referrals", args=[case.number]))
    field(page, words["type"]).select_option(label=words["types"][kind])
    page.get_by_role("button", name=words["add"]).click()
    if kind == "outside":
        field(page, words["organization"]).fill("Centre communautaire Sainte-Anne")
        field(page, words["email"]).fill("accueil@example.ca")
    else:
        field(page, words["organization"]).select_option(label=words["receiving"])
        # The agency's general contact email fills in by itself.
        assert field(page, words["email"]).input_value() == "employment2@demo.liaison.ca"
    field(page, words["contact"]).fill("Denise Gallant")
    page.get_by_role("button", name=words["send"]).click()
    page.get_by_role("button", name=words["ok"]).click()
    referral = Referral.objects.filter(case=case, referral_type=kind).order_by("-pk").first()
    assert referral.status == ReferralStatus.EMAILED
    page.locator(f"#referral-{referral.pk}").get_by_text(words["emailed"]).wait_for()
    return referral


def letter_text(email):
    (_name, content, mimetype) = email.attachments[0]
    assert mimetype == "application/pdf"
    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_each_referral_type_then_a_transfer_completed_by_the_receiving_agency(live_server, context, language):
    organizations, users = load_all_demo_data()
    words = WORDS[language]
    sender = users["casemanager@demo.liaison.ca"]
    receiver = users["newpath@demo.liaison.ca"]
    case = (
        Case.objects.filter(
            case_manager=sender, status__in=[CaseStatus.PLAN_DEVELOPMENT, CaseStatus.PLAN_MANAGEMENT]
        )
        .exclude(referrals__transfer_status="pending")
        .first()
    )
    sign_in(context, live_server, sender, language)
    page = context.new_page()
    mail.outbox.clear()

    for kind in ("outside", "within", "transfer"):
        referral = send_referral(page, live_server, words, case, kind)
        email = mail.outbox[-1]
        assert email.to == [referral.email_to]
        assert case.person.last_name not in email.subject
        text = letter_text(email)
        assert f"{case.person.first_name} {case.person.last_name}" in text
        assert str(case.number) in text
        assert getattr(organizations["employment"], f"name_{language}") in text  # the letter's language
    assert len(mail.outbox) == 3

    # Before the transfer: the receiving agency finds the client but cannot open the case.
    sign_in(context, live_server, receiver, language)
    assert page.goto(live_server.url + case.get_absolute_url()).status == 404
    page.goto(live_server.url + reverse("referrals:incoming"))
    page.get_by_label(words["query"]).fill(str(case.number))
    page.get_by_role("button", name=words["search"]).click()
    page.locator("table").get_by_role("link", name=case.person.display_name).first.click()
    page.get_by_role("link", name=words["transfer_link"]).click()
    field(page, words["office"]).select_option(index=1)
    page.locator("select[name=agreement]").select_option(index=1)
    page.locator("select[name=delivery_location]").select_option(index=1)
    page.get_by_role("button", name=words["save"], exact=True).click()
    page.get_by_text(words["question"]).wait_for()  # waits for the page after the click (fails if never)
    page.get_by_role("button", name=words["confirm"]).click()
    page.get_by_text(words["done"]).wait_for()
    case.refresh_from_db()
    assert case.agency == organizations["employment2"]
    assert page.url.endswith(case.get_absolute_url())

    # After: the sending agency no longer sees the case.
    sign_in(context, live_server, sender, language)
    assert page.goto(live_server.url + case.get_absolute_url()).status == 404
