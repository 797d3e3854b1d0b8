"""Appointment booking and follow-up in real Chromium, in French and in English (issue 8).

Signed out, a person finds the nearest locations by postal code, is first refused by the eligibility
question then accepted, picks a date and a time, gives their details and books; the confirmation
email carries an .ics file whose start is the booked time, and its link cancels the appointment
after asking (issue 20: also the consent's terms and privacy links, the health card number's format).
Then a Management #1 books for a person from the scheduler and moves the appointment to another
time, marks a day's appointments present and absent in batch, and receives the Excel export by
email."""

import io
import re
import time
from datetime import date

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar
from openpyxl import load_workbook

from appointments.models import (
    Appointment,
    AppointmentStatus,
    Attendance,
    ClinicSettings,
    EligibilityQuestion,
)
from appointments.tests.conftest import World
from portal import dates
from portal.models import Message, MessageStatus
from tests.browser import language_cookie, session_cookie
from tests.factories import totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MANAGER = "appointments.management_1"

WORDS = {
    "fr": {
        "popup_read": "J'ai lu ce message",
        "service": "Sélectionnez un service",
        "postal_code": "Saisir votre code postal",
        "search": "Rechercher",
        "appointment_at": r"Rendez-vous\s*, lieu\s*:\s*{name}",
        "yes": "Oui",
        "no": "Non",
        "continue": "Continuer",
        "not_eligible": "Non admissible",
        "first_name": "Prénom",
        "last_name": "Nom de famille",
        "date_of_birth": "Date de naissance",
        "email": "Courriel",
        "accept_terms": "J'ai lu les termes et conditions d'utilisation",
        "book": "Réserver le rendez-vous",
        "booked": "Conservez votre numéro de confirmation : {number}.",
        "confirmation_subject": "Confirmation de votre rendez-vous #{number}",
        "cancel": "Annuler le rendez-vous",
        "health_card": "Numéro d'assurance-maladie",
        "cancel_done": "Votre rendez-vous est annulé. Vous pouvez réserver une autre heure.",
        "status": "État :",
        "cancelled": "Annulé",
        "staff_service": "Service",
        "staff_location": "Lieu",
        "staff_date": "Date",
        "show_times": "Afficher les heures",
        "coupon_email": "Envoyer le coupon par courriel",
        "coupon_sms": "Envoyer le coupon par SMS",
        "save": "Enregistrer",
        "staff_booked": "Le rendez-vous est enregistré : confirmation {number}.",
        "modify": "Modifier le rendez-vous",
        "changed": "Le rendez-vous a été modifié.",
        "select": "Sélectionner {number}",
        "action": "Action",
        "apply": "Appliquer",
        "present": "Présent",
        "absent": "Absent",
        "batch_title": {
            "present": "Marquer des rendez-vous comme présent",
            "absent": "Marquer des rendez-vous comme absent",
        },
        "batch_done": ("{action} : {count} rendez-vous traité.", "{action} : {count} rendez-vous traités."),
        "export": "Exporter en Excel (envoyé par courriel)",
        "export_queued": "L'exportation est en préparation",
        "number_header": "Numéro de confirmation",
        "attendance_header": "Statut client",
    },
    "en": {
        "popup_read": "I have read this message",
        "service": "Select a service",
        "postal_code": "Your postal code",
        "search": "Search",
        "appointment_at": r"Appointment\s*, location:\s*{name}",
        "yes": "Yes",
        "no": "No",
        "continue": "Continue",
        "not_eligible": "Not eligible",
        "first_name": "First name",
        "last_name": "Last name",
        "date_of_birth": "Date of birth",
        "email": "Email",
        "accept_terms": "I have read the terms of use",
        "book": "Book the appointment",
        "booked": "Keep your confirmation number: {number}.",
        "confirmation_subject": "Confirmation of your appointment #{number}",
        "cancel": "Cancel the appointment",
        "health_card": "Health card number",
        "cancel_done": "Your appointment is cancelled. You can book another time.",
        "status": "Status:",
        "cancelled": "Cancelled",
        "staff_service": "Service",
        "staff_location": "Location",
        "staff_date": "Date",
        "show_times": "Show the times",
        "coupon_email": "Send the coupon by email",
        "coupon_sms": "Send the coupon by SMS",
        "save": "Save",
        "staff_booked": "The appointment is booked: confirmation {number}.",
        "modify": "Modify the appointment",
        "changed": "The appointment was changed.",
        "select": "Select {number}",
        "action": "Action",
        "apply": "Apply",
        "present": "Present",
        "absent": "Absent",
        "batch_title": {"present": "Mark appointments as present", "absent": "Mark appointments as absent"},
        "batch_done": ("{action}: {count} appointment done.", "{action}: {count} appointments done."),
        "export": "Export to Excel (sent by email)",
        "export_queued": "The export is being prepared",
        "number_header": "Confirmation number",
        "attendance_header": "Person's status",
    },
}

SERVICE = {"fr": "1re dose", "en": "First dose"}
# Issue 20's strings, matched in either language (the catalogue gets their French after this pass).
TERMS = re.compile(r"^(Terms of use|Conditions d'utilisation)")
PRIVACY = re.compile(r"^(Privacy policy|Politique de protection des renseignements personnels)")
HEALTH_CARD_HELP = re.compile(r"(9 digits|9 chiffres), (for example|par exemple) 123 456 789")
CANCEL_QUESTION = re.compile(r"^(Cancel this appointment\?|Annuler ce rendez-vous\s?\?)$")
CANCEL_YES = re.compile(r"^(Yes, cancel the appointment|Oui, annuler le rendez-vous)$")
CHANGE = re.compile(r"^(Change the time|Changer l'heure)$")
MOVE = re.compile(r"^(Move my appointment to this time|Déplacer mon rendez-vous à cette heure)$")
MOVED = re.compile(r"^(Your appointment is moved to|Votre rendez-vous est déplacé au)")
EXPORT_COLUMNS = re.compile(r"^(Columns of the Excel file|Colonnes du fichier Excel)$")
KEEP = re.compile(r"^(No, keep my appointment|Non, conserver mon rendez-vous)$")
POPUP = {"fr": "Apportez votre carte d'assurance-maladie.", "en": "Bring your health card."}
QUESTION = {"fr": "Avez-vous 65 ans ou plus?", "en": "Are you 65 or older?"}
NOT_ELIGIBLE = {
    "fr": "Ce service est réservé aux personnes de 65 ans ou plus.",
    "en": "This service is for people 65 or older.",
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


def close_popup(page, words):
    # The pop-up message opens as a modal dialog: the page behind it is inert until it is read.
    page.get_by_role("button", name=words["popup_read"], exact=True).click()
    page.locator("#popup-message").wait_for(state="hidden")


def day_label(day, language):
    # The page's day links: "mardi 1er décembre" / "Tuesday 1 December" (portal.dates).
    with translation.override(language):
        return dates.day_month(day, weekday=True)


def wait_for_email(predicate, seconds=10):
    """The live server sends on commit, in its own thread: wait a little for the message."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = [email for email in mail.outbox if predicate(email)]
        if found:
            return found[-1]
        time.sleep(0.1)
    pytest.fail(f"no such email in the outbox: {[email.subject for email in mail.outbox]}")


def attachment(email, suffix):
    matches = [(name, content) for name, content, _mimetype in email.attachments if name.endswith(suffix)]
    assert len(matches) == 1, [name for name, *_rest in email.attachments]
    content = matches[0][1]
    return content.encode() if isinstance(content, str) else content


def public_booking(page, live_server, world, words, language, slot):
    """Guide 5: postal code, nearest locations, eligibility (no, then yes), date, time, details."""
    page.goto(live_server.url + reverse("appointments:public_page", args=[world.clinic.pk]))
    assert page.get_by_text(POPUP[language]).first.is_visible()
    close_popup(page, words)
    field(page, words["service"]).select_option(label=SERVICE[language])
    field(page, words["postal_code"]).fill("e1c4m2")
    page.get_by_role("button", name=words["search"], exact=True).click()
    page.wait_for_url(re.compile(re.escape(reverse("appointments:public_search", args=[world.clinic.pk]))))
    # Both locations offer the first dose; the nearest (Moncton) comes first, with its distance.
    cards = page.locator("li.card h3")
    assert cards.count() == 2
    assert re.fullmatch(r"Lieu A — \d+ km", cards.nth(0).inner_text().strip())
    assert re.fullmatch(r"Lieu B — \d+ km", cards.nth(1).inner_text().strip())
    page.get_by_role("link", name=re.compile("^" + words["appointment_at"].format(name="Lieu A") + "$")).click()

    # Eligibility: the wrong answer stops with the service's message; the right one continues.
    page.wait_for_url(re.compile(r"/book/\d+/\d+/$"))
    # The pop-up shows once per visit: read on the first page, it does not open again.
    assert not page.locator("#popup-message").is_visible()
    question = page.get_by_role("group", name=re.compile("^" + re.escape(QUESTION[language])))
    question.get_by_label(words["no"], exact=True).check()
    page.get_by_role("button", name=words["continue"], exact=True).click()
    alert = page.get_by_role("alert")
    alert.get_by_role("heading", name=words["not_eligible"]).wait_for()
    assert NOT_ELIGIBLE[language] in alert.inner_text()
    assert not Appointment.objects.filter(slot=slot).exists()
    question = page.get_by_role("group", name=re.compile("^" + re.escape(QUESTION[language])))
    question.get_by_label(words["yes"], exact=True).check()
    page.get_by_role("button", name=words["continue"], exact=True).click()

    # A date (link), then a time (radio button).
    page.wait_for_url(re.compile(r"/time/"))
    booked_at = timezone.localtime(slot.starts_at).replace(minute=15)
    page.get_by_role("link", name=day_label(booked_at.date(), language), exact=True).click()
    page.wait_for_url(re.compile(r"\?date=" + booked_at.date().isoformat()))
    page.get_by_label(f"{booked_at:%H:%M}", exact=True).check()
    page.get_by_role("button", name=words["continue"], exact=True).click()

    # The personal details and the consent.
    page.wait_for_url(re.compile(r"/details/$"))
    field(page, words["first_name"]).fill("Anne")
    field(page, words["last_name"]).fill("Robichaud")
    field(page, words["date_of_birth"]).fill("1950-04-02")
    field(page, words["email"]).fill("anne.robichaud@example.com")
    # The health card number (issue 20): the province's format in the help, a clear message next
    # to the field for another one, and nothing typed lost.
    card = field(page, words["health_card"])
    assert HEALTH_CARD_HELP.search(page.locator("#id_health_card_number_help").inner_text())
    card.fill("12345")
    # The consent links to the terms of use and the privacy policy, opened beside the form.
    consent_help = page.locator("#id_accept_terms_help")
    for name, url_name in ((TERMS, "public_terms"), (PRIVACY, "public_privacy")):
        link = consent_help.get_by_role("link", name=name)
        assert link.get_attribute("href") == reverse(f"appointments:{url_name}", args=[world.clinic.pk])
        assert link.get_attribute("target") == "_blank"
    with page.context.expect_page() as opened:
        consent_help.get_by_role("link", name=PRIVACY).click()
    notice = opened.value
    notice.wait_for_load_state()
    assert notice.get_by_role("heading", level=1, name=PRIVACY).is_visible()
    notice.close()
    field(page, words["accept_terms"]).check()
    page.get_by_role("button", name=words["book"], exact=True).click()
    page.locator("#id_health_card_number_errors").wait_for()
    assert HEALTH_CARD_HELP.search(page.locator("#id_health_card_number_errors").inner_text())
    assert card.get_attribute("aria-invalid") == "true"
    assert field(page, words["first_name"]).input_value() == "Anne"
    assert not Appointment.objects.filter(slot=slot).exists()
    card.fill("123-456-789")
    field(page, words["accept_terms"]).check()
    page.get_by_role("button", name=words["book"], exact=True).click()
    page.wait_for_url(re.compile(r"/confirmation/"))
    appointment = Appointment.objects.get(slot=slot)
    assert (appointment.first_name, appointment.last_name, appointment.date_of_birth) == (
        "Anne",
        "Robichaud",
        date(1950, 4, 2),
    )
    assert appointment.starts_at == booked_at and appointment.booked_online
    assert appointment.details["health_card_number"] == "123456789"
    assert appointment.status == AppointmentStatus.BOOKED
    assert page.get_by_text(words["booked"].format(number=appointment.number)).is_visible()
    return appointment


def email_then_cancel(page, live_server, words, language, appointment):
    """The confirmation email in the booking's language, its .ics, and its link that cancels."""
    email = wait_for_email(lambda email: email.to == ["anne.robichaud@example.com"])
    assert email.subject == words["confirmation_subject"].format(number=appointment.number)
    calendar = Calendar.from_ical(attachment(email, ".ics"))
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == appointment.starts_at
    assert appointment.number in str(event.get("summary"))
    link = re.search(r"https?://[^/\s]+(/\S*/r/[\w-]+/)", email.body)
    assert link, email.body
    assert link.group(1) == reverse("appointments:manage", args=[appointment.token])
    context = page.context
    context.clear_cookies()
    context.add_cookies([language_cookie(live_server.url, language)])
    page.goto(live_server.url + link.group(1))
    # "Change the time" (issue 20): another time of the same day; the details and number stay.
    page.get_by_role("link", name=CHANGE).click()
    moved_to = timezone.localtime(appointment.starts_at).replace(minute=30)
    page.get_by_role("link", name=day_label(moved_to.date(), language), exact=True).click()
    page.get_by_label(f"{moved_to:%H:%M}", exact=True).check()
    page.get_by_role("button", name=MOVE).click()
    page.get_by_text(MOVED).wait_for()
    appointment.refresh_from_db()
    assert appointment.starts_at == moved_to and appointment.first_name == "Anne"
    assert appointment.status == AppointmentStatus.BOOKED
    # "Cancel" asks first (issue 20): "No" keeps the appointment, "Yes" cancels it.
    page.get_by_role("link", name=words["cancel"], exact=True).click()
    page.get_by_role("heading", level=1, name=CANCEL_QUESTION).wait_for()
    page.get_by_role("link", name=KEEP).click()
    page.get_by_role("link", name=words["cancel"], exact=True).wait_for()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    page.get_by_role("link", name=words["cancel"], exact=True).click()
    page.get_by_role("button", name=CANCEL_YES).click()
    page.get_by_text(words["cancel_done"], exact=True).wait_for()
    assert page.get_by_text(f"{words['status']} {words['cancelled']}", exact=True).is_visible()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert page.get_by_role("link", name=words["cancel"], exact=True).count() == 0
    assert page.get_by_role("button", name=CANCEL_YES).count() == 0


def staff_books_and_modifies(page, live_server, world, words, language, slot):
    """Guide 4.3–4.5: book for a person from the scheduler, then move the appointment."""
    day = timezone.localtime(slot.starts_at).date()
    page.goto(live_server.url + reverse("appointments:book"))
    field(page, words["staff_service"]).select_option(label=SERVICE[language])
    field(page, words["staff_location"]).select_option(label="Lieu A")
    field(page, words["staff_date"]).fill(day.isoformat())
    page.get_by_role("button", name=words["show_times"], exact=True).click()
    page.wait_for_url(re.compile(r"\?service="))
    page.get_by_label(re.compile("^09:00 ")).check()
    field(page, words["first_name"]).fill("Paul")
    field(page, words["last_name"]).fill("Gallant")
    field(page, words["date_of_birth"]).fill("1948-11-30")
    # Typing an email ticks the coupon by email; without a mobile number, no SMS.
    field(page, words["email"]).fill("paul.gallant@example.com")
    assert field(page, words["coupon_email"]).is_checked()
    assert not field(page, words["coupon_sms"]).is_checked()
    page.get_by_role("button", name=words["save"], exact=True).click()
    page.wait_for_url(re.compile(r"/appointments/appointments/\d+/$"))
    appointment = Appointment.objects.get(last_name="Gallant")
    assert timezone.localtime(appointment.starts_at).strftime("%H:%M") == "09:00"
    assert not appointment.booked_online and appointment.created_by == world.manager1
    assert appointment.send_email and not appointment.send_sms
    assert page.get_by_text(words["staff_booked"].format(number=appointment.number)).is_visible()

    page.get_by_role("link", name=words["modify"], exact=True).click()
    page.wait_for_url(re.compile(r"/edit/$"))
    page.get_by_label(re.compile("^09:45 ")).check()
    page.get_by_role("button", name=words["save"], exact=True).click()
    page.wait_for_url(re.compile(re.escape(reverse("appointments:appointment", args=[appointment.pk])) + "$"))
    assert page.get_by_text(words["changed"], exact=True).is_visible()
    appointment.refresh_from_db()
    assert timezone.localtime(appointment.starts_at).strftime("%H:%M") == "09:45"
    assert appointment.slot == slot and appointment.status == AppointmentStatus.BOOKED


def batch_present_and_absent(page, live_server, words, appointments):
    """Guide 6.7: present for two selected rows, absent for the third, each after a confirmation."""
    day = timezone.localtime(appointments[0].starts_at).date()
    follow_up = live_server.url + reverse("appointments:follow_up") + f"?date={day.isoformat()}"
    page.goto(follow_up)
    assert page.locator("table.follow-up tbody tr").count() == 3
    for chosen, action in ((appointments[:2], "present"), (appointments[2:], "absent")):
        for appointment in chosen:
            page.get_by_label(words["select"].format(number=appointment.number), exact=True).check()
        field(page, words["action"]).select_option(label=words[action])
        page.get_by_role("button", name=words["apply"], exact=True).click()
        title = words["batch_title"][action]
        page.get_by_role("heading", name=title, exact=True).wait_for()
        for appointment in chosen:
            assert page.get_by_text(appointment.number).is_visible()
        page.get_by_role("button", name=words[action], exact=True).click()
        page.wait_for_url(follow_up)
        # One or several appointments (ngettext, issue 20: "1 rendez-vous traité").
        batch_done = words["batch_done"][len(chosen) > 1]
        with translation.override("fr"):
            singular, plural = (
                "%(action)s: %(count)d appointment done.",
                "%(action)s: %(count)d appointments done.",
            )
            if words is WORDS["fr"] and translation.ngettext(singular, plural, 2) == plural:
                # Until the French catalogue has the plural entry, the French page shows the English one.
                batch_done = WORDS["en"]["batch_done"][len(chosen) > 1]
        done = batch_done.format(action=words[action], count=len(chosen))
        assert page.get_by_text(done, exact=True).is_visible()
    attendance = dict(
        Appointment.objects.filter(pk__in=[a.pk for a in appointments]).values_list("pk", "attendance")
    )
    assert [attendance[a.pk] for a in appointments] == [
        Attendance.PRESENT,
        Attendance.PRESENT,
        Attendance.ABSENT,
    ]


def export_by_email(page, world, words, appointments):
    """Guide 6.12: the Excel export is built in the background and sent to the person who asked."""
    mail.outbox.clear()
    # The file follows its column chooser (initially the list's columns): the confirmation number added.
    chooser = page.locator("form.export-form")
    chooser.locator("details.panel > summary", has_text=EXPORT_COLUMNS).click()
    chooser.get_by_role("checkbox", name=words["number_header"], exact=True).check()
    page.get_by_role("button", name=words["export"], exact=True).click()
    page.get_by_text(re.compile("^" + re.escape(words["export_queued"]))).wait_for()
    email = wait_for_email(lambda email: email.to == [world.manager1.email])
    workbook = load_workbook(io.BytesIO(attachment(email, ".xlsx")), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    # The file is in the person's language, one row per appointment of the day listed.
    header = {title: index for index, title in enumerate(rows[0])}
    by_number = {row[header[words["number_header"]]]: row for row in rows[1:]}
    assert set(by_number) == {appointment.number for appointment in appointments}
    marc = by_number[appointments[0].number]
    assert (marc[header[words["first_name"]]], marc[header[words["last_name"]]]) == ("Marc", "Cormier")
    assert marc[header[words["attendance_header"]]] == words["present"]
    assert by_number[appointments[2].number][header[words["attendance_header"]]] == words["absent"]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_public_booking_email_and_cancel_then_staff_booking_batch_and_export(live_server, context, language):
    words = WORDS[language]
    world = World()
    ClinicSettings.objects.create(
        organization=world.clinic,
        online_booking_open=True,
        popup_message_fr=POPUP["fr"],
        popup_message_en=POPUP["en"],
    )
    world.first.message_not_eligible_fr = NOT_ELIGIBLE["fr"]
    world.first.message_not_eligible_en = NOT_ELIGIBLE["en"]
    world.first.save()
    EligibilityQuestion.objects.create(
        service=world.first, text_fr=QUESTION["fr"], text_en=QUESTION["en"], eligible_answer="yes"
    )
    public_slot = world.slot(day=1, start=9, end=10)
    staff_slot = world.slot(day=2, start=9, end=10)
    batch_slot = world.slot(day=3, start=9, end=10)
    batch = [
        world.book(batch_slot, at=world.at(3, 9, minute), name=name)
        for minute, name in ((0, ("Marc", "Cormier")), (15, ("Julie", "Leblanc")), (30, ("Luc", "Doiron")))
    ]
    totp_device(world.manager1)
    mail.outbox.clear()
    page = context.new_page()

    # Signed out, in the person's language.
    context.add_cookies([language_cookie(live_server.url, language)])
    appointment = public_booking(page, live_server, world, words, language, public_slot)
    email_then_cancel(page, live_server, words, language, appointment)

    # Management #1.
    sign_in(context, live_server, world.manager1, language, MANAGER)
    staff_books_and_modifies(page, live_server, world, words, language, staff_slot)
    batch_present_and_absent(page, live_server, words, batch)
    export_by_email(page, world, words, batch)
    # Every message of the run (confirmations, cancellation, move, export) left, none failed.
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_pop_up_shows_once_per_visit_even_after_the_language_button(live_server, context, language):
    """Issue 20: the pop-up is read once; the language button, a new page of the same clinic or going
    back does not bring it again. A new visit (a new browser session) shows it again."""
    world = World()
    ClinicSettings.objects.create(
        organization=world.clinic,
        online_booking_open=True,
        popup_message_fr=POPUP["fr"],
        popup_message_en=POPUP["en"],
    )
    world.slot(day=1, start=9, end=10)
    context.add_cookies([language_cookie(live_server.url, language)])
    url = live_server.url + reverse("appointments:public_page", args=[world.clinic.pk])
    page = context.new_page()
    page.goto(url)
    popup = page.locator("#popup-message")
    assert popup.is_visible()
    assert POPUP[language] in popup.inner_text()
    close_popup(page, WORDS[language])
    other = "en" if language == "fr" else "fr"
    with page.expect_navigation():
        page.get_by_role("button", name="English" if language == "fr" else "Français", exact=True).click()
    assert page.locator("html").get_attribute("lang") == other
    assert page.get_by_role("button", name=WORDS[other]["search"], exact=True).is_visible()
    assert not popup.is_visible()
    page.reload()
    assert not popup.is_visible()
    page.close()

    fresh = context.browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        fresh.add_cookies([language_cookie(live_server.url, language)])
        visit = fresh.new_page()
        visit.goto(url)
        assert visit.locator("#popup-message").is_visible()
    finally:
        fresh.close()
