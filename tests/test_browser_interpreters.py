"""The interpreter bank in real Chromium, in French and in English: a requester asks for an
interpreter, a coordinator assigns one, the interpreter accepts on a phone-sized screen and records
the service, the coordinator validates it and the month's statement includes it."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from interpreters.models import Request, RequestStatus, Statement
from portal.demo import load_all_demo_data
from tests.browser import language_cookie, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "fr": {
        "language": "Langue",
        "arabic": "Arabe",
        "date": "Date",
        "time": "Heure de début",
        "in_person": "En présence",
        "address": "Adresse",
        "postal_code": "Code postal",
        "service": "Type de service",
        "medical": "Médical",
        "centre": "Centre de coûts à facturer",
        "phone": "Téléphone de la personne-ressource",
        "send": "Envoyer la demande",
        "assign": "Assigner",
        "accept": "Accepter",
        "record": "Consigner le service",
        "travel": "Déplacement (km)",
        "save": "Enregistrer",
        "validate": "Valider la réalisation",
        "month": "Mois",
        "issue": "Émettre",
    },
    "en": {
        "language": "Language",
        "arabic": "Arabic",
        "date": "Date",
        "time": "Start time",
        "in_person": "In person",
        "address": "Address",
        "postal_code": "Postal code",
        "service": "Type of service",
        "medical": "Medical",
        "centre": "Cost centre to bill",
        "phone": "Contact telephone",
        "send": "Send the request",
        "assign": "Assign",
        "accept": "Accept",
        "record": "Record the service",
        "travel": "Travel (km)",
        "save": "Save",
        "validate": "Validate the completion",
        "month": "Month",
        "issue": "Issue",
    },
}


def field(page, label):
    return page.get_by_label(re.compile("^" + re.escape(label)))


def sign_in(context, live_server, user, language, role=None):
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    context.clear_cookies()
    context.add_cookies(
        [language_cookie(live_server.url, language), session_cookie(live_server.url, user, role=role)]
    )


@pytest.mark.parametrize("language", ["fr", "en"])
def test_request_assign_accept_on_a_phone_record_validate_and_bill(live_server, browser, context, language):
    organizations, users = load_all_demo_data()
    words = WORDS[language]
    requester = users["requester@demo.liaison.ca"]
    coordinator = users["coordinator@demo.liaison.ca"]
    interpreter = users["interpreter@demo.liaison.ca"]
    page = context.new_page()

    # The requester asks for an Arabic interpreter, in person, next week.
    sign_in(context, live_server, requester, language)
    page.goto(live_server.url + reverse("interpreters:request_create"))
    field(page, words["language"]).select_option(label=words["arabic"])
    day = timezone.localdate() + timedelta(days=12)
    field(page, words["date"]).fill(day.isoformat())
    field(page, words["time"]).fill("06:00")
    page.get_by_label(words["in_person"]).check()
    field(page, words["address"]).fill("1000, rue Saint-Denis, Montréal")
    field(page, words["postal_code"]).fill("H2X 0C1")
    field(page, words["service"]).select_option(label=words["medical"])
    field(page, words["centre"]).select_option(index=1)
    field(page, words["phone"]).fill("506-555-0100")
    page.get_by_role("button", name=words["send"]).click()
    request = Request.objects.order_by("-pk").first()
    assert page.url.endswith(request.get_absolute_url())
    assert request.status == RequestStatus.SUBMITTED

    # The coordinator assigns the demo interpreter from the suggestions.
    sign_in(context, live_server, coordinator, language, role="interpreters.coordinator")
    page.goto(live_server.url + reverse("interpreters:assign", args=[request.pk]))
    row = page.locator("tr", has_text=interpreter.get_full_name())
    row.get_by_role("button", name=words["assign"]).click()
    request.refresh_from_db()
    assert (request.status, request.interpreter.user) == (RequestStatus.ASSIGNED, interpreter)

    # The interpreter accepts on a phone.
    interpreter.preferred_language = language
    interpreter.save(update_fields=["preferred_language"])
    phone = browser.new_context(viewport={"width": 375, "height": 740})
    phone.set_default_timeout(15000)
    phone.add_cookies(
        [language_cookie(live_server.url, language), session_cookie(live_server.url, interpreter)]
    )
    mobile = phone.new_page()
    mobile.goto(live_server.url + reverse("interpreters:my_work"))
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 375
    card = mobile.locator("article", has_text=request.number)
    card.get_by_role("button", name=words["accept"]).click()
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED

    # The service happened (moved into the past here), then the interpreter records it.
    Request.objects.filter(pk=request.pk).update(status=RequestStatus.CONFIRMED)
    start = timezone.now() - timedelta(hours=2)
    Request.objects.filter(pk=request.pk).update(
        date=timezone.localdate(start), starts_at=start, ends_at=start + timedelta(minutes=60)
    )
    mobile.goto(live_server.url + reverse("interpreters:completion_record", args=[request.pk]))
    field(mobile, words["travel"]).fill("14")
    mobile.get_by_role("button", name=words["save"]).click()
    request.refresh_from_db()
    assert request.status == RequestStatus.COMPLETED
    phone.close()

    # The coordinator validates, then issues the month's statements.
    page.goto(live_server.url + request.get_absolute_url())
    page.get_by_role("button", name=words["validate"]).click()
    request.refresh_from_db()
    assert request.status == RequestStatus.VALIDATED
    page.goto(live_server.url + reverse("interpreters:statements"))
    field(page, words["month"]).fill(request.date.strftime("%Y-%m"))
    page.get_by_role("button", name=words["issue"]).click()
    statement = Statement.objects.get(kind="establishment", lines__request=request)
    page.goto(live_server.url + reverse("interpreters:statement", args=[statement.pk]))
    assert page.get_by_text(request.number).first.is_visible()
