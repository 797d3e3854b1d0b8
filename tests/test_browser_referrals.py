"""Employment case management in real Chromium, in French and in English: a case manager completes
an assessment, finds the "Develop action plan" task, builds a plan with a funded and an unfunded
intervention (the delivering organization picked through the business partner search), deletes a
planned one, moves an end date and sees the notification move, and prints the plan (PDF read back)."""

import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from portal import dates
from portal.demo import load_all_demo_data
from portal.models import Notification
from referrals.models import Case, CaseStatus, Intervention
from tests.browser import language_cookie, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "fr": {
        "complete": "Sauvegarder et terminer l'évaluation",
        "task": "Préparer le plan d'action",
        "plan": "PARAT",
        "add": "Ajouter",
        "dimension": "Dimension de l'employabilité",
        "type": "Type d'intervention",
        "funding_type": "Type de financement",
        "funding": "Demande de financement",
        "external": "Externe, par un autre organisme",
        "start": "Date de début prévue",
        "end": "Date de fin prévue",
        "search": "Rechercher",
        "save": "Enregistrer",
        "delete": "Effacer les interventions choisies",
        "confirm": "OK, les effacer",
        "deleted": "1 intervention a été effacée.",
        "edit": "Modifier",
        "print": "Imprimer/Voir le plan",
        "download": "Télécharger le plan",
        "pdf_title": "Plan d'action pour le retour au travail",
        "signature": "Signature du gestionnaire de cas",
        "job_search": "Recherche d'emploi",
        "workshop": "RechercheEmploi-Atelier",
        "skills": "Perfectionnement des compétences",
        "training": "Perfectionnement-PropreÀL'emploi-Formel",
        "end_notice": "Mesure requise : une intervention se termine, assurez le suivi",
    },
    "en": {
        "complete": "Save and complete the assessment",
        "task": "Develop action plan",
        "plan": "RTW action plan",
        "add": "Add",
        "dimension": "Employability dimension",
        "type": "Intervention type",
        "funding_type": "Funding type",
        "funding": "Funding request",
        "external": "External, by another organization",
        "start": "Planned start date",
        "end": "Planned end date",
        "search": "Search",
        "save": "Save",
        "delete": "Delete the selected interventions",
        "confirm": "OK, delete them",
        "deleted": "1 intervention was deleted.",
        "edit": "Edit",
        "print": "Print/View plan",
        "download": "Download the plan",
        "pdf_title": "Return-to-work action plan",
        "signature": "Case manager's signature",
        "job_search": "Job Search",
        "workshop": "JobSearch-Workshop",
        "skills": "Skills Enhancement",
        "training": "SkillEnhancement-JobSpecific-Formal",
        "end_notice": "Action required: an intervention ends, follow up",
    },
}


def field(page, label):
    """A field by the start of its label (required fields add a mark after it)."""
    return page.get_by_label(re.compile("^" + re.escape(label)))


def select_option(page, label, text):
    select = field(page, label)
    value = select.locator("option", has_text=text).first.get_attribute("value")
    select.select_option(value)


def add_intervention(page, words, *, dimension, kind, start, end, funded=False, partner=None):
    page.get_by_role("link", name=words["add"], exact=True).click()
    select_option(page, words["dimension"], dimension)
    select_option(page, words["type"], kind)
    if funded:
        field(page, words["funding"]).check()
        select_option(page, words["funding_type"], "EDMT")
    page.get_by_label(words["external"]).check()
    field(page, words["start"]).fill(start.isoformat())
    field(page, words["end"]).fill(end.isoformat())
    if partner:
        # The business partner search, as in the guide: open it, search, pick a name.
        picker = page.locator("#picker-delivering_organization")
        picker.locator("summary").click()
        picker.get_by_label("Nom" if words is WORDS["fr"] else "Name", exact=True).fill(partner[:8])
        picker.get_by_role("button", name=words["search"]).click()
        page.locator("#picker-delivering_organization").get_by_label(partner, exact=False).check()
    page.get_by_role("button", name=words["save"], exact=True).click()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_case_manager_builds_and_prints_an_action_plan(live_server, context, language):
    organizations, users = load_all_demo_data()
    words = WORDS[language]
    manager = users["casemanager@demo.liaison.ca"]
    manager.preferred_language = language
    manager.save(update_fields=["preferred_language"])
    context.add_cookies(
        [language_cookie(live_server.url, language), session_cookie(live_server.url, manager)]
    )
    case = Case.objects.filter(case_manager=manager, status=CaseStatus.INTAKE).first()
    page = context.new_page()

    # Needs determination: two barriers, then complete the assessment.
    page.goto(live_server.url + reverse("referrals:needs", args=[case.number]))
    page.locator("input[name=barriers]").nth(4).check()
    page.locator("input[name=barriers]").nth(2).check()
    page.get_by_role("button", name=words["complete"]).click()
    assert page.locator(".notice--success, [role=status], .messages").first.is_visible()

    # The task is on the home page, its case ID leads to the case.
    page.goto(live_server.url + reverse("portal:home"))
    row = page.locator("tr", has_text=words["task"]).filter(has_text=str(case.number))
    assert row.count() == 1
    row.get_by_role("link", name=str(case.number)).click()
    assert page.url.endswith(case.get_absolute_url())

    # The plan: an unfunded workshop delivered by a partner found through the search, a funded training.
    page.get_by_role("link", name=words["plan"], exact=True).click()
    today = timezone.localdate()
    add_intervention(
        page,
        words,
        dimension=words["job_search"],
        kind=words["workshop"],
        start=today + timedelta(days=2),
        end=today + timedelta(days=3),
        partner="Centre de recherche d'emploi Atlantique",
    )
    add_intervention(
        page,
        words,
        dimension=words["skills"],
        kind=words["training"],
        start=today + timedelta(days=10),
        end=today + timedelta(days=12),
        funded=True,
    )
    add_intervention(
        page,
        words,
        dimension=words["job_search"],
        kind=words["workshop"],
        start=today + timedelta(days=30),
        end=today + timedelta(days=31),
    )
    interventions = list(Intervention.objects.filter(case=case).order_by("planned_start"))
    assert len(interventions) == 3
    assert interventions[0].delivering_organization.name == "Centre de recherche d'emploi Atlantique"
    assert interventions[1].funding_requested and interventions[1].funding_type.code == "edmt"

    # Delete the last planned one, after the warning.
    page.locator(f"#select-{interventions[2].pk}").check()
    page.get_by_role("button", name=words["delete"]).click()
    page.get_by_role("button", name=words["confirm"]).click()
    assert page.get_by_text(words["deleted"]).is_visible()
    assert Intervention.objects.filter(case=case).count() == 2

    # Move the training's end date: the end notification moves with it.
    training = interventions[1]
    page.get_by_role("link", name=words["training"]).click()
    page.get_by_role("link", name=words["edit"], exact=True).click()
    new_end = today + timedelta(days=20)
    field(page, words["end"]).fill(new_end.isoformat())
    page.get_by_role("button", name=words["save"], exact=True).click()
    ends = Notification.objects.filter(key__contains=f".intervention.{training.pk}.end.")
    assert list(ends.values_list("due_date", flat=True)) == [new_end]
    page.goto(live_server.url + reverse("portal:home"))
    with translation.override(language):
        shown = dates.long_date(new_end)
        old = dates.long_date(today + timedelta(days=12))
    notices = page.locator("#notifications-heading + * tr, section:has(#notifications-heading) tr").filter(
        has_text=words["end_notice"]
    )
    assert notices.filter(has_text=shown).count() == 1
    assert notices.filter(has_text=old).count() == 0

    # Print the plan and read the PDF back.
    page.goto(live_server.url + reverse("referrals:plan", args=[case.number]))
    page.get_by_role("button", name=words["print"]).click()
    link = page.get_by_role("link", name=words["download"])
    link.wait_for()
    with page.expect_download() as download_info:
        link.click()
    with open(download_info.value.path(), "rb") as pdf_file:
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_file.read())).pages)
    assert words["pdf_title"] in text
    assert str(case.number) in text
    assert case.person.display_name in text
    assert words["signature"] in text


@pytest.mark.parametrize("language", ["fr", "en"])
def test_case_search_without_accents_finds_an_accented_name(live_server, context, language):
    """Typed without accents or capitals, "elise belanger" finds Élise Bélanger (issue 13)."""
    organizations, users = load_all_demo_data()
    manager = users["casemanager@demo.liaison.ca"]
    manager.preferred_language = language
    manager.save(update_fields=["preferred_language"])
    case = Case.objects.filter(case_manager=manager).select_related("person").first()
    case.person.first_name, case.person.last_name = "Élise", "Bélanger"
    case.person.save(update_fields=["first_name", "last_name"])
    context.add_cookies(
        [language_cookie(live_server.url, language), session_cookie(live_server.url, manager)]
    )
    page = context.new_page()
    page.goto(live_server.url + reverse("referrals:case_list"))
    page.locator("input[name=q]").fill("elise BELANGER")
    page.get_by_role("button", name=WORDS[language]["search"], exact=True).click()
    rows = page.locator("table tbody tr")
    assert rows.count() == 1
    # Sent by POST and kept in the session: the name is not in the address (portal.search).
    assert "elise" not in page.url.lower() and "belanger" not in page.url.lower()
    assert "Bélanger, Élise" in rows.first.inner_text()
    assert str(case.number) in rows.first.inner_text()
