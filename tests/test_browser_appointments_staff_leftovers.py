"""Appointments, staff side (issue 20, what was left) in real Chromium, in French and in English.

Management #1 reads which day the follow-up list shows and moves to the next one, where the booked
person is (the batch panel shows once a row is selected); chooses the Excel file's columns (a personal detail the list has no column of) and gets
the file by email with those columns; then the calendar's day view draws the slot over its hour,
saying how many appointments are booked in each row."""

import io
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from appointments.tests.conftest import World, book_person
from tests.browser import language_cookie, session_cookie
from tests.factories import totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MANAGER = "appointments.management_1"

WORDS = {
    "fr": {
        "today": "Journée affichée : lundi 1er février 2027",
        "tomorrow": "Journée affichée : mardi 2 février 2027",
        "next": "Jour suivant",
        "select": "Sélectionner {number}",
        "apply": "Appliquer",
        "columns": "Colonnes du fichier Excel",
        "health_card": "Numéro d'assurance-maladie",
        "export": "Exporter en Excel (envoyé par courriel)",
        "prepared": "L'exportation est en préparation",
        "headers": ("Prénom", "Nom de famille", "Numéro d'assurance-maladie"),
        "continued": "Équipe A, 09:00–10:00 (suite)",
        "booked": "1 rendez-vous réservé",
    },
    "en": {
        "today": "Day shown: Monday 1 February 2027",
        "tomorrow": "Day shown: Tuesday 2 February 2027",
        "next": "Next day",
        "select": "Select {number}",
        "apply": "Apply",
        "columns": "Columns of the Excel file",
        "health_card": "Health card number",
        "export": "Export to Excel (sent by email)",
        "prepared": "The export is being prepared",
        "headers": ("First name", "Last name", "Health card number"),
        "continued": "Équipe A, 09:00–10:00 (continued)",
        "booked": "1 appointment booked",
    },
}
def _words(language):
    return WORDS[language]


def _wait_for_email(predicate, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = [email for email in mail.outbox if predicate(email)]
        if found:
            return found[-1]
        time.sleep(0.1)
    pytest.fail(f"no such email in the outbox: {[email.subject for email in mail.outbox]}")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_staff_move_through_the_follow_up_choose_the_files_columns_and_read_the_calendar(
    live_server,
    context,
    language,
):
    words = _words(language)
    # Monday 1 February 2027, 10:00 in Moncton; the clock runs on from there.
    with time_machine.travel(datetime(2027, 2, 1, 10, 0, tzinfo=ZoneInfo("America/Moncton")), tick=True):
        world = World()
        totp_device(world.manager1)
        world.manager1.preferred_language = language
        world.manager1.save(update_fields=["preferred_language"])
        slot = world.slot(day=1, start=9, end=10)
        anne = book_person(world, slot, name=("Anne", "Roy"), details={"health_card_number": "1234 567 890"})
        context.add_cookies(
            [
                language_cookie(live_server.url, language),
                session_cookie(live_server.url, world.manager1, role=MANAGER),
            ]
        )
        page = context.new_page()

        # The follow-up says which day it shows; "next day" shows Tuesday, where Anne is booked.
        page.goto(live_server.url + reverse("appointments:follow_up"))
        page.get_by_text(words["today"], exact=True).wait_for()
        assert anne.number not in page.locator("main").inner_text()
        page.get_by_role("link", name=words["next"], exact=True).click()
        page.get_by_text(words["tomorrow"], exact=True).wait_for()
        assert anne.number in page.locator("main").inner_text()
        # The batch panel appears once a row is selected, and goes when none is.
        apply = page.get_by_role("button", name=words["apply"], exact=True)
        assert not apply.is_visible()
        select = page.get_by_label(words["select"].format(number=anne.number), exact=True)
        select.check()
        apply.wait_for()
        select.uncheck()
        apply.wait_for(state="hidden")

        # The file's columns: the list's, plus the health card number (a detail the list lacks).
        page.get_by_text(words["columns"], exact=True).click()
        page.get_by_label(words["health_card"], exact=True).check()
        mail.outbox.clear()
        page.get_by_role("button", name=words["export"], exact=True).click()
        page.get_by_text(words["prepared"]).first.wait_for()
        email = _wait_for_email(lambda email: email.attachments and email.to == [world.manager1.email])
        ((name, content, _mimetype),) = email.attachments
        rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
        headers = rows[0]
        assert all(header in headers for header in words["headers"])
        assert rows[1][headers.index(words["headers"][2])] == "1234 567 890"
        assert rows[1][headers.index(words["headers"][0])] == "Anne"

        # The calendar's day view: the slot over its hour (its link, then three continued rows).
        page.goto(
            live_server.url
            + reverse("appointments:calendar")
            + f"?view=day&date=2027-02-02&location={world.location_a.pk}&grid=15"
        )
        grid = page.locator("table.calendar--grid")
        grid.wait_for()
        assert grid.get_by_text(words["continued"], exact=True).count() == 3
        nine = grid.get_by_role("row").filter(has=page.get_by_role("rowheader", name="09:00", exact=True))
        assert words["booked"] in nine.inner_text()
