"""The referrals forms with several submit buttons, by keyboard in real Chromium, in French and in
English (issue 19): Enter in a field submits the form's main action (or the search of the field it
is in), never a secondary button, and nothing typed is lost."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from portal.demo import load_all_demo_data
from referrals.models import Case, CaseStatus, Intervention, Referral, ReferralStatus
from tests.browser import sign_in

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


NEEDS = {
    "fr": {
        "comments": "Commentaires",
        "saved": "a été sauvegardée",
        "completed": "l'évaluation est terminée",
    },
    "en": {"comments": "Comments", "saved": "was saved.", "completed": "the assessment is completed"},
}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_enter_on_the_needs_form_saves_a_version_and_never_completes_the_assessment(
    live_server, context, language
):
    """Two submit buttons, "Save" and "Save and complete the assessment": Enter saves a version;
    completing (the case moves on, a task is given) is only ever the button's own click."""
    _organizations, users = load_all_demo_data()
    words = NEEDS[language]
    case = Case.objects.filter(status=CaseStatus.ASSESSMENT).order_by("pk").first()
    assert case is not None, "the demo has a case in assessment"
    manager = case.case_manager
    sign_in(context, live_server, manager, language)
    versions = case.needs_determinations.count()
    page = context.new_page()
    page.goto(live_server.url + reverse("referrals:needs", args=[case.number]))
    assert page.locator('button[name="complete"][value="1"]').is_visible()
    page.locator('input[name="barriers"]').first.check()
    comments = field(page, words["comments"])
    comments.fill("Première ligne")
    # Enter in the comments (a text area) is a new line: nothing is sent, nothing typed is lost.
    comments.press("End")
    comments.press("Enter")
    comments.type("Deuxième ligne")
    assert case.needs_determinations.count() == versions
    assert comments.input_value() == "Première ligne\nDeuxième ligne"
    # Enter on a barrier's checkbox submits the form's main action: Save.
    with page.expect_navigation():
        page.locator('input[name="barriers"]').first.press("Enter")
    assert words["saved"] in page.locator(".notice--success").inner_text()
    assert words["completed"] not in page.locator(".notice--success").inner_text()
    case.refresh_from_db()
    latest = case.needs_determinations.order_by("-version").first()
    assert case.needs_determinations.count() == versions + 1
    # (A text area sends its line breaks as CR LF.)
    assert (latest.comments.replace("\r\n", "\n"), latest.completes_assessment) == (
        "Première ligne\nDeuxième ligne",
        False,
    )
    assert case.status == CaseStatus.ASSESSMENT


@pytest.mark.parametrize("language", ["fr", "en"])
def test_enter_in_the_case_search_searches_and_keeps_the_criteria(live_server, context, language):
    """Two submit buttons, "Search" and "Clear fields": Enter searches, never clears."""
    _organizations, users = load_all_demo_data()
    manager = users["casemanager@demo.liaison.ca"]
    sign_in(context, live_server, manager, language)
    case = Case.objects.filter(agency__memberships__user=manager).order_by("pk").first()
    page = context.new_page()
    page.goto(live_server.url + reverse("referrals:case_list"))
    criteria = page.locator('form.search-form [name="q"]')
    criteria.fill(str(case.number))
    with page.expect_navigation():
        criteria.press("Enter")
    assert page.locator('form.search-form [name="q"]').input_value() == str(case.number)
    rows = page.locator("table tbody tr")
    assert rows.count() == 1 and str(case.number) in rows.first.inner_text()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_enter_in_a_correspondence_templates_field_saves_it_and_never_deletes_it(
    live_server, context, language
):
    """The template page has two forms, "Save" and "Delete the template": Enter in a field of the
    template saves what was typed; the template stays."""
    from referrals.models import CorrespondenceTemplate

    _organizations, users = load_all_demo_data()
    sign_in(
        context, live_server, users["worker@demo.liaison.ca"], language, role="referrals.department_staff"
    )
    template = CorrespondenceTemplate.objects.filter(referrals__isnull=True).order_by("pk").first()
    assert template is not None, "the demo has a template no referral uses (it can be deleted)"
    page = context.new_page()
    page.goto(live_server.url + reverse("referrals:template_edit", args=[template.pk]))
    assert page.locator('input[name="delete"]').count() == 1
    subject = page.locator("#id_default_subject")
    subject.fill("Objet corrigé au clavier")
    with page.expect_navigation():
        subject.press("Enter")
    with translation.override(language):
        saved = translation.gettext("The template was saved.")
    assert saved in page.locator("main").inner_text()
    template.refresh_from_db()
    assert template.default_subject == "Objet corrigé au clavier"
