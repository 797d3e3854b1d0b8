"""The referrals forms with several submit buttons, by keyboard in real Chromium, in French and in
English (issue 19): Enter in a field submits the form's main action (or the search of the field it
is in), never a secondary button, and nothing typed is lost."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.demo import load_all_demo_data
from referrals.models import Case, CaseStatus, Intervention, Referral, ReferralStatus
from tests.browser import language_cookie, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "fr": {
        "contact": "Personne-ressource",
        "subject": "Objet du courriel",
        "body": "Contenu du courriel",
        "saved": "L'ébauche du renvoi a été sauvegardée.",
        "name": "Nom",
        "found": "trouvé",
        "start": "Date de début prévue",
        "end": "Date de fin prévue",
        "dimension": "Dimension de l'employabilité",
        "type": "Type d'intervention",
        "external": "Externe, par un autre organisme",
        "added": "L'intervention a été ajoutée au plan d'action.",
    },
    "en": {
        "contact": "Contact person",
        "subject": "Email subject",
        "body": "Email body",
        "saved": "The draft referral was saved.",
        "name": "Name",
        "found": "found",
        "start": "Planned start date",
        "end": "Planned end date",
        "dimension": "Employability dimension",
        "type": "Intervention type",
        "external": "External, by another organization",
        "added": "The intervention was added to the action plan.",
    },
}


def field(page, label):
    return page.get_by_label(re.compile("^" + re.escape(label)))


def sign_in(context, live_server, user, language):
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    context.add_cookies([language_cookie(live_server.url, language), session_cookie(live_server.url, user)])


@pytest.mark.parametrize("language", ["fr", "en"])
def test_enter_on_the_referral_form_saves_the_draft_and_keeps_the_typed_text(live_server, context, language):
    _organizations, users = load_all_demo_data()
    words = WORDS[language]
    manager = users["casemanager@demo.liaison.ca"]
    sign_in(context, live_server, manager, language)
    referral = Referral.objects.filter(status=ReferralStatus.DRAFT, case__case_manager=manager).first()
    case = referral.case
    page = context.new_page()
    page.goto(live_server.url + reverse("referrals:referral_edit", args=[case.number, referral.pk]))
    field(page, words["subject"]).fill("Objet tapé à la main")
    field(page, words["body"]).fill("Un corps de courriel tapé à la main.")
    contact = field(page, words["contact"])
    contact.fill("Josée Léger")
    # Enter in a text field: the draft is saved (not "Apply the language", which would reset the
    # subject and the body to the template's).
    contact.press("Enter")
    page.wait_for_load_state()
    assert page.get_by_text(words["saved"]).is_visible()
    referral.refresh_from_db()
    assert (referral.contact_person, referral.subject, referral.body) == (
        "Josée Léger",
        "Objet tapé à la main",
        "Un corps de courriel tapé à la main.",
    )
    assert field(page, words["subject"]).input_value() == "Objet tapé à la main"
    assert field(page, words["body"]).input_value() == "Un corps de courriel tapé à la main."
    # Enter in the subject too.
    field(page, words["subject"]).fill("Deuxième objet")
    field(page, words["subject"]).press("Enter")
    page.wait_for_load_state()
    referral.refresh_from_db()
    assert referral.subject == "Deuxième objet"
    assert referral.status == ReferralStatus.DRAFT


@pytest.mark.parametrize("language", ["fr", "en"])
def test_enter_on_the_intervention_form_searches_in_a_search_field_and_saves_elsewhere(
    live_server, context, language
):
    _organizations, users = load_all_demo_data()
    words = WORDS[language]
    manager = users["casemanager@demo.liaison.ca"]
    sign_in(context, live_server, manager, language)
    case = Case.objects.filter(case_manager=manager, status=CaseStatus.PLAN_DEVELOPMENT).first()
    before = Intervention.objects.filter(case=case).count()
    page = context.new_page()
    page.goto(live_server.url + reverse("referrals:intervention_add", args=[case.number]))
    dimension = field(page, words["dimension"])
    dimension.select_option(index=1)
    kind = field(page, words["type"])
    kind.select_option(value=kind.locator("option:not([value=''])").first.get_attribute("value"))
    page.get_by_label(words["external"]).check()
    today = timezone.localdate()
    field(page, words["start"]).fill((today + timedelta(days=3)).isoformat())
    field(page, words["end"]).fill((today + timedelta(days=9)).isoformat())

    coordinator = page.locator("#picker-local_coordinator")
    coordinator.locator("summary").click()
    coordinator.get_by_label(words["name"], exact=True).fill("Texte du coordonnateur")
    delivering = page.locator("#picker-delivering_organization")
    delivering.locator("summary").click()
    search = delivering.get_by_label(words["name"], exact=True)
    search.fill("Coll")
    # Enter in the delivering organization's search: that search runs, nothing is saved, and the
    # local coordinator's search text and the other fields stay as typed.
    search.press("Enter")
    page.wait_for_load_state()
    assert page.locator("#picker-delivering_organization [role=status]").is_visible()
    assert words["found"] in page.locator("#picker-delivering_organization [role=status]").inner_text()
    assert Intervention.objects.filter(case=case).count() == before
    coordinator = page.locator("#picker-local_coordinator")
    assert coordinator.get_by_label(words["name"], exact=True).input_value() == "Texte du coordonnateur"
    assert field(page, words["end"]).input_value() == (today + timedelta(days=9)).isoformat()

    # Enter in the local coordinator's search runs that one, and keeps the other search's text.
    coordinator.get_by_label(words["name"], exact=True).fill("zzz-personne")
    coordinator.get_by_label(words["name"], exact=True).press("Enter")
    page.wait_for_load_state()
    assert "0" in page.locator("#picker-local_coordinator [role=status]").inner_text()
    delivering = page.locator("#picker-delivering_organization")
    assert delivering.get_by_label(words["name"], exact=True).input_value() == "Coll"
    assert Intervention.objects.filter(case=case).count() == before

    # Enter in a field of the form itself saves the intervention (the main action).
    field(page, words["end"]).press("Enter")
    page.wait_for_load_state()
    assert page.get_by_text(words["added"]).is_visible()
    assert Intervention.objects.filter(case=case).count() == before + 1
