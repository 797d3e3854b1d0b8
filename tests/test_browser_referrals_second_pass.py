"""Referrals second pass (issue 19) in real Chromium, in French and in English: the referral's
required fields are checked before the "Are you sure" page, next to each field; the intervention
type list follows the chosen dimension without JavaScript; after a transfer the receiving agency's
list still names the agency that sent an earlier referral."""

import re

import pytest
from django.urls import reverse

from portal.demo import load_all_demo_data
from referrals.models import Case, CaseStatus, InterventionType, Referral, ReferralStatus, ReferralType
from tests.browser import language_cookie, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "fr": {
        "type": "Type de renvoi",
        "add": "Ajouter le renvoi",
        "within": "Pour information (à l'intérieur du réseau)",
        "send": "Envoyer le renvoi",
        "question": "Êtes-vous certain",
        "contact_error": "Entrez la personne-ressource.",
        "agency_error": "Choisissez l'organisme qui reçoit le renvoi.",
        "contact": "Personne-ressource",
        "notes": "Notes",
        "dimension": "Dimension de l'employabilité",
        "type_field": "Type d'intervention",
        "end": "Date de fin prévue",
        "clients": "Clients qui nous sont renvoyés",
    },
    "en": {
        "type": "Referral type",
        "add": "Add the referral",
        "within": "Informational (within the network)",
        "send": "Send the referral",
        "question": "Are you sure",
        "contact_error": "Enter the contact person.",
        "agency_error": "Choose the agency that receives the referral.",
        "contact": "Contact person",
        "notes": "Notes",
        "dimension": "Employability dimension",
        "type_field": "Intervention type",
        "end": "Planned end date",
        "clients": "Clients referred to us",
    },
}


def field(page, label):
    return page.get_by_label(re.compile("^" + re.escape(label)))


def sign_in(context, live_server, user, language):
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    context.clear_cookies()
    context.add_cookies([language_cookie(live_server.url, language), session_cookie(live_server.url, user)])


@pytest.mark.parametrize("language", ["fr", "en"])
def test_sending_an_incomplete_referral_shows_the_errors_next_to_the_fields(live_server, context, language):
    _organizations, users = load_all_demo_data()
    words = WORDS[language]
    manager = users["casemanager@demo.liaison.ca"]
    sign_in(context, live_server, manager, language)
    case = Case.objects.filter(case_manager=manager, status=CaseStatus.PLAN_DEVELOPMENT).first()
    page = context.new_page()
    page.goto(live_server.url + reverse("referrals:referrals", args=[case.number]))
    field(page, words["type"]).select_option(label=words["within"])
    page.get_by_role("button", name=words["add"]).click()
    field(page, words["notes"]).fill("Notes tapées")
    page.get_by_role("button", name=words["send"]).click()
    page.wait_for_load_state()
    assert words["question"] not in page.content()
    assert page.locator("#id_contact_person_errors").inner_text() == words["contact_error"]
    assert page.locator("#id_agency_errors").inner_text() == words["agency_error"]
    assert field(page, words["contact"]).get_attribute("aria-invalid") == "true"
    assert field(page, words["notes"]).input_value() == "Notes tapées"
    referral = Referral.objects.filter(case=case).order_by("-pk").first()
    assert (referral.status, referral.notes) == (ReferralStatus.DRAFT, "")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_type_list_follows_the_dimension_without_javascript(browser, live_server, language):
    _organizations, users = load_all_demo_data()
    words = WORDS[language]
    manager = users["casemanager@demo.liaison.ca"]
    context = browser.new_context(java_script_enabled=False)
    try:
        sign_in(context, live_server, manager, language)
        case = Case.objects.filter(case_manager=manager, status=CaseStatus.PLAN_DEVELOPMENT).first()
        page = context.new_page()
        page.goto(live_server.url + reverse("referrals:intervention_add", args=[case.number]))
        kind = InterventionType.objects.select_related("dimension").get(code="se-job-specific-formal")
        field(page, words["dimension"]).select_option(str(kind.dimension_id))
        field(page, words["end"]).fill("2031-05-06")
        page.locator("button[name=refresh]").click()
        page.wait_for_load_state()
        values = field(page, words["type_field"]).locator("option").evaluate_all(
            "options => options.map(option => option.value).filter(Boolean)"
        )
        expected = InterventionType.objects.filter(dimension=kind.dimension, is_active=True)
        assert sorted(int(value) for value in values) == sorted(expected.values_list("pk", flat=True))
        assert field(page, words["end"]).input_value() == "2031-05-06"
        assert field(page, words["dimension"]).input_value() == str(kind.dimension_id)
    finally:
        context.close()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_after_a_transfer_the_list_still_names_the_sender(live_server, context, language):
    organizations, users = load_all_demo_data()
    words = WORDS[language]
    receiver = users["newpath@demo.liaison.ca"]
    informational = (
        Referral.objects.filter(referral_type=ReferralType.WITHIN, status=ReferralStatus.EMAILED)
        .select_related("case", "sending_agency")
        .first()
    )
    sender = informational.sending_agency
    # The case moved to the receiving agency since (as a completed transfer leaves it).
    Case.objects.filter(pk=informational.case_id).update(agency=informational.agency, case_manager=receiver)
    sign_in(context, live_server, receiver, language)
    page = context.new_page()
    page.goto(live_server.url + reverse("referrals:incoming"))
    assert page.get_by_role("heading", name=words["clients"]).is_visible()
    row = page.locator("tr", has_text=str(informational.case.number)).filter(has_text=words["within"])
    name = sender.name_fr if language == "fr" else sender.name_en
    assert name in row.first.inner_text()
    receiving = informational.agency.name_fr if language == "fr" else informational.agency.name_en
    assert receiving not in row.first.inner_text()
