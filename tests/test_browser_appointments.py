"""Appointment scheduling set-up in real Chromium, in French and in English (issue 7).

A pilot configures a service with two eligibility questions, a location and two team resources and
associates them; the same person, switched to Management #1, builds a typical day, clones it over
the next week, reaches a slot by keyboard and locks it; then the pilot opens online booking and the
public page stops showing the transitional message."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from appointments.models import ClinicSettings, EligibilityQuestion, Location, Service, Slot, TeamResource
from tests.browser import language_cookie, session_cookie
from tests.factories import MembershipFactory, OrganizationFactory, totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PILOT = "appointments.pilot"
MANAGER = "appointments.management_1"

WORDS = {
    "fr": {
        "name_fr": "Nom (français)",
        "name_en": "Nom (anglais)",
        "duration": "Durée (minutes)",
        "question_number": "Question {number}",
        "question_fr": "Question (français)",
        "question_en": "Question (anglais)",
        "yes": "Oui",
        "no": "Non",
        "save": "Enregistrer",
        "address": "Adresse",
        "city": "Ville",
        "postal_code": "Code postal",
        "team_name": "Nom de l'équipe",
        "associated_locations": "Lieux associés",
        "associated_services": "Services associés",
        "create_slot": "Créer une plage horaire",
        "date": "Date",
        "start": "Heure de début",
        "end": "Heure de fin",
        "team": "Ressource équipe",
        "resources": "Nombre de ressources",
        "appointments": "{count} rendez-vous",
        "clone_day": "Cloner une journée",
        "location": "Lieu",
        "typical_day": "Journée type à copier",
        "first_day": "Première journée à créer",
        "last_day": "Dernière journée à créer",
        "weekdays": ["lundi", "mardi", "mercredi", "jeudi", "vendredi"],
        "weekend": ["samedi", "dimanche"],
        "clone": "Cloner",
        "lock": "Verrouiller : mode admin seulement",
        "locked": "Verrouillée : mode admin seulement",
        "staff_only": "Mode admin seulement",
        "slot_staff_only": "mode admin seulement",
        "open_online": "Ouverte en ligne",
        "back_to_schedule": "Retour à l'horaire",
        "open_booking": "Activer la prise de rendez-vous en ligne",
        "booking_open": "La prise de rendez-vous en ligne est ouverte.",
        "closed_title": "La prise de rendez-vous en ligne n'est pas disponible pour le moment",
    },
    "en": {
        "name_fr": "Name (French)",
        "name_en": "Name (English)",
        "duration": "Duration (minutes)",
        "question_number": "Question {number}",
        "question_fr": "Question (French)",
        "question_en": "Question (English)",
        "yes": "Yes",
        "no": "No",
        "save": "Save",
        "address": "Street address",
        "city": "City",
        "postal_code": "Postal code",
        "team_name": "Team name",
        "associated_locations": "Associated locations",
        "associated_services": "Associated services",
        "create_slot": "Create a slot",
        "date": "Date",
        "start": "Start time",
        "end": "End time",
        "team": "Team resource",
        "resources": "Number of resources",
        "appointments": "{count} appointments",
        "clone_day": "Clone a day",
        "location": "Location",
        "typical_day": "Typical day to copy",
        "first_day": "First day to create",
        "last_day": "Last day to create",
        "weekdays": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
        "weekend": ["Saturday", "Sunday"],
        "clone": "Clone",
        "lock": "Lock: staff only",
        "locked": "Locked: staff only",
        "staff_only": "Staff only",
        "slot_staff_only": "staff only",
        "open_online": "Open online",
        "back_to_schedule": "Back to the schedule",
        "open_booking": "Open online booking",
        "booking_open": "Online booking is open.",
        "closed_title": "Online booking is not available at the moment",
    },
}

SERVICE = {"fr": "Vaccination antigrippale", "en": "Flu vaccination"}
LOCATION = {"fr": "Centre de vaccination de Moncton", "en": "Moncton vaccination centre"}
TRANSITIONAL = {
    "fr": "La prise de rendez-vous ouvrira bientôt.",
    "en": "Booking opens soon.",
}


def field(scope, label):
    # Required fields append "(required)" / "(obligatoire)" to their label.
    return scope.get_by_label(re.compile("^" + re.escape(label)))


def sign_in(context, live_server, user, language, role):
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    context.clear_cookies()
    context.add_cookies(
        [language_cookie(live_server.url, language), session_cookie(live_server.url, user, role=role)]
    )


def pilot_configures(page, live_server, words, language):
    """Service with two eligibility questions, a location, two teams associated with both."""
    page.goto(live_server.url + reverse("appointments:service_create"))
    field(page, words["name_fr"]).fill(SERVICE["fr"])
    field(page, words["name_en"]).fill(SERVICE["en"])
    field(page, words["duration"]).fill("15")
    questions = [
        ("Avez-vous 65 ans ou plus?", "Are you 65 or older?", "yes"),
        ("Avez-vous eu de la fièvre cette semaine?", "Have you had a fever this week?", "no"),
    ]
    for number, (text_fr, text_en, answer) in enumerate(questions, start=1):
        group = page.get_by_role("group", name=words["question_number"].format(number=number), exact=True)
        field(group, words["question_fr"]).fill(text_fr)
        field(group, words["question_en"]).fill(text_en)
        group.get_by_label(words[answer], exact=True).check()
    page.get_by_role("button", name=words["save"], exact=True).click()
    page.wait_for_url(re.compile(re.escape(reverse("appointments:service_list")) + "$"))
    service = Service.objects.get()
    assert (service.name_fr, service.name_en, service.duration_minutes) == (SERVICE["fr"], SERVICE["en"], 15)
    assert list(service.questions.values_list("text_en", "eligible_answer")) == [
        ("Are you 65 or older?", "yes"),
        ("Have you had a fever this week?", "no"),
    ]

    page.goto(live_server.url + reverse("appointments:location_create"))
    field(page, words["name_fr"]).fill(LOCATION["fr"])
    field(page, words["name_en"]).fill(LOCATION["en"])
    field(page, words["address"]).fill("77, rue Westmorland")
    field(page, words["city"]).fill("Moncton")
    field(page, words["postal_code"]).fill("E1C 8K6")
    page.get_by_role("button", name=words["save"], exact=True).click()
    page.wait_for_url(re.compile(re.escape(reverse("appointments:location_list")) + "$"))
    location = Location.objects.get()
    # Coordinates left empty are filled from the postal code.
    assert location.latitude is not None and location.longitude is not None
    assert abs(float(location.latitude) - 46.08) < 0.1 and abs(float(location.longitude) + 64.79) < 0.1

    for name in ("Équipe A", "Équipe B"):
        page.goto(live_server.url + reverse("appointments:resource_create"))
        field(page, words["team_name"]).fill(name)
        page.get_by_role("button", name=words["save"], exact=True).click()
        page.wait_for_url(re.compile(r"/associations/$"))
        page.get_by_role(
            "group", name=re.compile("^" + re.escape(words["associated_locations"]))
        ).get_by_label(LOCATION[language], exact=True).check()
        page.get_by_role(
            "group", name=re.compile("^" + re.escape(words["associated_services"]))
        ).get_by_label(SERVICE[language], exact=True).check()
        page.get_by_role("button", name=words["save"], exact=True).click()
        page.wait_for_url(re.compile(re.escape(reverse("appointments:resource_list")) + "$"))
    teams = TeamResource.objects.order_by("name")
    assert [team.name for team in teams] == ["Équipe A", "Équipe B"]
    for team in teams:
        assert list(team.locations.all()) == [location] and list(team.services.all()) == [service]
    return service, location, teams


@pytest.mark.parametrize("language", ["fr", "en"])
def test_pilot_configures_manager_builds_clones_and_locks_pilot_opens_booking(live_server, context, language):
    words = WORDS[language]
    organization = OrganizationFactory(kind="clinic_network")
    pilot = MembershipFactory(organization=organization, role=PILOT).user
    MembershipFactory(organization=organization, user=pilot, role=MANAGER)
    totp_device(pilot)
    ClinicSettings.objects.create(
        organization=organization,
        transitional_message_fr=TRANSITIONAL["fr"],
        transitional_message_en=TRANSITIONAL["en"],
    )
    page = context.new_page()

    # Configuration (Pilot).
    sign_in(context, live_server, pilot, language, PILOT)
    service, location, teams = pilot_configures(page, live_server, words, language)

    # Schedules (Management #1): a typical day today, 09:00–11:00, two people per 15 minutes.
    sign_in(context, live_server, pilot, language, MANAGER)
    today = timezone.localdate()
    page.goto(live_server.url + reverse("appointments:calendar"))
    page.get_by_role("link", name=words["create_slot"], exact=True).click()
    assert field(page, words["date"]).input_value() == today.isoformat()
    field(page, words["start"]).fill("09:00")
    field(page, words["end"]).fill("11:00")
    field(page, words["team"]).select_option(label="Équipe A")
    field(page, SERVICE[language]).check()
    field(page, words["resources"]).fill("2")
    # The calculator counts whole 15-minute intervals × resources while typing: 8 × 2.
    page.locator("#capacity-output").filter(has_text=words["appointments"].format(count=16)).wait_for()
    page.get_by_role("button", name=words["save"], exact=True).click()
    page.wait_for_url(re.compile(re.escape(reverse("appointments:calendar")) + r"\?"))
    typical = Slot.objects.get()
    assert (typical.resource, typical.capacity, typical.per_interval) == (teams[0], 16, 2)
    assert timezone.localtime(typical.starts_at).date() == today
    assert list(typical.services.all()) == [service]

    # Clone the typical day onto next week's weekdays (Monday to Friday, not the weekend).
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
    page.get_by_role("link", name=words["clone_day"], exact=True).click()
    field(page, words["location"]).select_option(label=LOCATION[language])
    field(page, words["typical_day"]).fill(today.isoformat())
    field(page, words["first_day"]).fill(monday.isoformat())
    field(page, words["last_day"]).fill((monday + timedelta(days=6)).isoformat())
    for day in words["weekdays"]:
        page.get_by_label(day, exact=True).check()
    for day in words["weekend"]:
        page.get_by_label(day, exact=True).uncheck()
    page.get_by_role("button", name=words["clone"], exact=True).click()
    page.wait_for_url(re.compile(re.escape(reverse("appointments:calendar")) + r"\?"))
    assert Slot.objects.count() == 6
    clones = list(Slot.objects.exclude(pk=typical.pk).order_by("starts_at"))
    assert [timezone.localtime(slot.starts_at).date() for slot in clones] == [
        monday + timedelta(days=offset) for offset in range(5)
    ]
    assert all(slot.capacity == 16 and not slot.is_locked for slot in clones)
    # The calendar shows next week, every day open online.
    assert page.locator("a.slot").count() == 5
    assert page.locator(".lock--open").count() == 5

    # Keyboard only: tab to the first slot of the calendar (Monday's), Enter opens it.
    for _press in range(100):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('slot')"):
            break
    else:
        pytest.fail("no slot link reached with the Tab key")
    page.keyboard.press("Enter")
    monday_slot = clones[0]
    page.wait_for_url(re.compile(re.escape(reverse("appointments:slot", args=[monday_slot.pk])) + "$"))

    # Lock it: staff only.
    page.get_by_role("button", name=words["lock"], exact=True).click()
    page.locator("dd").filter(has_text=words["locked"]).wait_for()
    monday_slot.refresh_from_db()
    assert monday_slot.is_locked
    assert Slot.objects.filter(is_locked=True).count() == 1

    # The calendar shows the lock: Monday staff only, the other days open online.
    page.get_by_role("link", name=words["back_to_schedule"], exact=True).click()
    page.wait_for_url(re.compile(re.escape(reverse("appointments:calendar")) + r"\?"))
    locked = page.locator("a.slot--locked")
    assert locked.count() == 1
    assert words["slot_staff_only"] in locked.inner_text()
    assert locked.get_attribute("href") == reverse("appointments:slot", args=[monday_slot.pk])
    assert page.locator(".lock--locked").inner_text().strip().endswith(words["staff_only"])
    assert page.locator(".lock--open").count() == 4
    assert page.locator(".lock--open").first.inner_text().strip().endswith(words["open_online"])

    # Before booking opens, the public page shows the transitional message.
    public_url = live_server.url + reverse("appointments:public_page", args=[organization.pk])
    page.goto(public_url)
    assert page.get_by_role("heading", name=words["closed_title"]).is_visible()
    assert page.get_by_text(TRANSITIONAL[language]).is_visible()

    # The pilot opens online booking from the configuration pages.
    sign_in(context, live_server, pilot, language, PILOT)
    page.goto(live_server.url + reverse("appointments:checklist"))
    page.get_by_role("button", name=words["open_booking"], exact=True).click()
    page.get_by_text(words["booking_open"], exact=True).wait_for()
    assert ClinicSettings.objects.get(organization=organization).online_booking_open

    # The public page (no account) now offers booking, without the transitional message.
    context.clear_cookies()
    context.add_cookies([language_cookie(live_server.url, language)])
    page.goto(public_url)
    assert page.get_by_role("heading", name=SERVICE[language]).is_visible()
    assert page.get_by_role("heading", name=words["closed_title"]).count() == 0
    assert page.get_by_text(TRANSITIONAL[language]).count() == 0
    assert EligibilityQuestion.objects.filter(service=service).count() == 2
