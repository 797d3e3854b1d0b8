"""Issue 20, staff side, what was left: the follow-up list says which day or period it shows (with
previous and next), the statistics count "non admissible", the calendar draws slots over their span,
the Excel export follows the column chooser, and the memory aid lists the guide's remaining lines."""

import html
from datetime import datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from appointments.tests.conftest import book_person
from appointments.tests.helpers import client_for
from tests.helpers import search

pytestmark = pytest.mark.django_db
MONCTON = ZoneInfo("America/Moncton")


@pytest.fixture(autouse=True)
def _monday_morning():
    # Monday 1 February 2027, 10:00 in Moncton: every date below is known.
    with time_machine.travel(datetime(2027, 2, 1, 10, 0, tzinfo=MONCTON), tick=False):
        yield


def _translated(language, msgid, french):
    """`french` once the catalogue has the message's French (filled after review), else the msgid."""
    if language == "en":
        return msgid
    with translation.override("fr"):
        return french if translation.gettext(msgid) != msgid else msgid


def _staff(world, language, key="manager1"):
    user = getattr(world, key)
    user.preferred_language = language
    user.save()
    client = client_for(world, key)
    client.cookies["django_language"] = language
    return client


def _page(response):
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def _link(page, label):
    """The query (as a dict of single values) of the link whose text is `label`."""
    marker = f">{label}</a>"
    assert marker in page, label
    start = page.rindex('href="', 0, page.index(marker)) + len('href="')
    address = page[start : page.index('"', start)]
    return {key: values[0] for key, values in parse_qs(urlsplit(address).query).items()}


# 1. The follow-up list's period -----------------------------------------------------------------------------

DAY_SHOWN = {"en": "Day shown: {}", "fr": "Journée affichée : {}"}
PERIOD_SHOWN = {"en": "Period shown: from {} to {}", "fr": "Période affichée : du {} au {}"}


def _day_shown(language, day):
    text = _translated(language, "Day shown: %(day)s", DAY_SHOWN["fr"])
    return (DAY_SHOWN["fr"] if text == DAY_SHOWN["fr"] else DAY_SHOWN["en"]).format(day)


def _period_shown(language, first, last):
    text = _translated(language, "Period shown: from %(first)s to %(last)s", PERIOD_SHOWN["fr"])
    return (PERIOD_SHOWN["fr"] if text == PERIOD_SHOWN["fr"] else PERIOD_SHOWN["en"]).format(first, last)


@pytest.mark.parametrize(
    ("language", "today"), [("en", "Monday 1 February 2027"), ("fr", "lundi 1er février 2027")]
)
def test_it_says_which_day_the_follow_up_shows_with_the_previous_and_next_day(world, language, today):
    client = _staff(world, language)
    tomorrow = book_person(world, world.slot(day=1), name=("Anne", "Roy"))
    page = _page(client.get(reverse("appointments:follow_up")))
    assert _day_shown(language, today) in page
    assert tomorrow.number not in page
    with translation.override(language):
        next_label, previous_label = translation.gettext("Next day"), translation.gettext("Previous day")
    assert _link(page, previous_label)["date"] == "2027-01-31"
    following = _link(page, next_label)
    assert following == {"date": "2027-02-02", "period": "day"}
    page = _page(client.get(reverse("appointments:follow_up"), following))
    tuesday = "Tuesday 2 February 2027" if language == "en" else "mardi 2 février 2027"
    assert _day_shown(language, tuesday) in page
    assert tomorrow.number in page


@pytest.mark.parametrize("language", ["en", "fr"])
def test_it_says_which_week_and_quarter_the_follow_up_shows_and_moves_by_them(world, language):
    client = _staff(world, language)
    next_week = book_person(world, world.slot(day=9), name=("Anne", "Roy"))
    page = _page(search(client, reverse("appointments:follow_up"), {"period": "week", "date": "2027-02-03"}))
    if language == "en":
        first, last = "Monday 1 February 2027", "Sunday 7 February 2027"
    else:
        first, last = "lundi 1er février 2027", "dimanche 7 février 2027"
    with translation.override(language):
        labels = tuple(translation.gettext(label) for label in ("Previous week", "Next week"))
    assert _period_shown(language, first, last) in page
    assert next_week.number not in page
    assert _link(page, labels[0])["date"] == "2027-01-27"
    following = _link(page, labels[1])
    assert (following["date"], following["period"]) == ("2027-02-10", "week")
    assert next_week.number in _page(client.get(reverse("appointments:follow_up"), following))
    # Three months: February to April, the next ones from May.
    page = _page(client.get(reverse("appointments:follow_up"), {"period": "quarter", "date": "2027-02-03"}))
    if language == "en":
        first, last = "Monday 1 February 2027", "Friday 30 April 2027"
    else:
        first, last = "lundi 1er février 2027", "vendredi 30 avril 2027"
    assert _period_shown(language, first, last) in page
    with translation.override(language):
        label = translation.gettext("Next 3 months")
    assert _link(page, label)["date"] == "2027-05-03"


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_search_by_number_says_it_shows_every_date(world, language):
    client = _staff(world, language)
    far = book_person(world, world.slot(day=60), name=("Luc", "Roy"))
    page = _page(search(client, reverse("appointments:follow_up"), {"number": far.number}))
    assert far.number in page
    assert (
        _translated(
            language,
            "All dates: the search by confirmation number ignores the period.",
            "Toutes les dates : la recherche par numéro de confirmation ne tient pas compte de la période.",
        )
        in page
    )
    assert "Day shown" not in page and "Journée affichée" not in page


def test_the_follow_up_print_names_its_period(world):
    client = _staff(world, "en")
    page = _page(client.get(reverse("appointments:follow_up"), {"period": "week", "print": "1"}))
    assert "Appointments — 1 February 2027 to 7 February 2027" in page


# 2. Statistics: "non admissible" ------------------------------------------------------------------------------


def _marked(world):
    from appointments.follow_up import services as follow_up_services
    from appointments.models import Attendance

    slot = world.slot(day=2, per_interval=5)
    people = [book_person(world, slot, name=(first, "Roy")) for first in ("Anne", "Marc", "Luc")]
    attendances = (Attendance.NOT_ELIGIBLE, Attendance.NOT_ELIGIBLE, Attendance.PRESENT)
    for person, attendance in zip(people, attendances, strict=True):
        follow_up_services.mark_attendance(actor=world.manager1, appointment=person, attendance=attendance)
    other = world.slot(team=world.team_c, location=world.location_b, day=5)
    follow_up_services.mark_attendance(
        actor=world.manager1,
        appointment=book_person(world, other, service=world.second, name=("Zoé", "Roy")),
        attendance=Attendance.NOT_ELIGIBLE,
    )
    return people


def test_the_statistics_count_the_people_marked_not_eligible_by_day_service_and_location(world):
    from datetime import date

    from appointments.exports import STAT_MEASURES, statistics_data

    _marked(world)
    data = statistics_data(world.clinic, date(2027, 1, 25), date(2027, 2, 14))
    assert data["total_figures"][STAT_MEASURES.index("not_eligible")] == 3
    assert {row["day"]: row["not_eligible"] for row in data["by_day"]} == {
        date(2027, 2, 3): 2,
        date(2027, 2, 6): 1,
    }
    by_service = {row["service__pk"]: row["not_eligible"] for row in data["by_service"]}
    assert by_service == {world.first.pk: 2, world.second.pk: 1}
    by_location = {row["slot__location__pk"]: row["not_eligible"] for row in data["by_location"]}
    assert by_location == {world.location_a.pk: 2, world.location_b.pk: 1}
    # Not eligible is the person's status: neither a presence nor a no-show.
    assert (data["totals"]["presences"], data["totals"]["no_shows"], data["totals"]["bookings"]) == (1, 0, 4)
    row = next(row for row in data["by_day"] if row["day"] == date(2027, 2, 3))
    assert row["figures"] == [row[key] for key in STAT_MEASURES] == [3, 0, 1, 0, 2, 0]


@pytest.mark.parametrize(("language", "label"), [("en", "Not eligible"), ("fr", "Non admissible")])
def test_the_statistics_page_shows_the_not_eligible_figure(world, language, label):
    _marked(world)
    client = _staff(world, language, key="pilot")
    page = _page(
        client.get(reverse("appointments:statistics"), {"first_day": "2027-01-25", "last_day": "2027-02-14"})
    )
    assert f'<div class="panel stat-not_eligible"><dt>{label}</dt><dd class="figure">3</dd></div>' in page
    assert f'<th scope="col">{label}</th>' in page
    # Lieu A's row: 3 bookings, 1 presence, 2 not eligible.
    assert (
        '<th scope="row">Lieu A</th><td>3</td><td>0</td><td>1</td><td>0</td><td>2</td><td>0</td></tr>' in page
    )


# 3. The calendar draws slots over their whole span ----------------------------------------------------------


def _calendar(client, world, **params):
    query = {"date": "2027-02-02", "location": world.location_a.pk, "grid": 15, **params}
    return client.get(reverse("appointments:calendar"), query)


def _cells(response, column=0):
    """{row label: [(slot id, start row?, booked)]} of one column of the calendar grid."""
    return {
        row["label"]: [(entry["slot"].pk, entry["start"], entry["booked"]) for entry in row["cells"][column]]
        for row in response.context["rows"]
        if row["cells"][column]
    }


@pytest.mark.parametrize("view", ["day", "week"])
def test_a_slot_is_drawn_over_its_whole_span_with_the_appointments_booked_in_it(world, view):
    slot = world.slot(day=1, start=9, end=10, per_interval=2)  # Tuesday 2 February, team A
    book_person(world, slot, name=("Anne", "Roy"))
    book_person(world, slot, name=("Marc", "Roy"))
    book_person(world, slot, at=world.at(1, 9, 30), name=("Luc", "Roy"))
    cancelled = book_person(world, slot, at=world.at(1, 9, 45), name=("Eve", "Roy"))
    from appointments.follow_up import services as follow_up_services

    follow_up_services.cancel_appointment(actor=world.manager1, appointment=cancelled)
    # The week's columns are its days: Tuesday is the second.
    response = _calendar(client_for(world, "manager1"), world, view=view)
    cells = _cells(response, column=0 if view == "day" else 1)
    assert cells == {
        "09:00": [(slot.pk, True, 2)],
        "09:15": [(slot.pk, False, 0)],
        "09:30": [(slot.pk, False, 1)],
        "09:45": [(slot.pk, False, 0)],  # a cancelled appointment holds no place
    }


def test_two_teams_slots_overlap_in_a_week_column_each_over_its_span(world):
    long = world.slot(day=1, start=9, end=11)
    short = world.slot(day=1, start=10, end=11, team=world.team_b)
    cells = _cells(_calendar(client_for(world, "manager1"), world, view="week"), column=1)
    assert cells == {
        **{f"09:{minute}": [(long.pk, minute == "00", 0)] for minute in ("00", "15", "30", "45")},
        "10:00": [(long.pk, False, 0), (short.pk, True, 0)],
        **{f"10:{minute}": [(long.pk, False, 0), (short.pk, False, 0)] for minute in ("15", "30", "45")},
    }


def test_a_slot_starting_before_the_grid_continues_into_it(world):
    early = world.slot(day=1, start=6, end=8)
    response = _calendar(client_for(world, "manager1"), world, view="day", first_hour=7)
    cells = _cells(response)
    assert cells == {
        "Before 07:00": [(early.pk, True, 0)],
        "07:00": [(early.pk, False, 0)],
        **{f"07:{minute}": [(early.pk, False, 0)] for minute in ("15", "30", "45")},
    }


@pytest.mark.parametrize(
    ("language", "continued", "booked"),
    [
        ("en", "Équipe A, 09:00–10:00 (continued)", "2 appointments booked"),
        ("fr", "Équipe A, 09:00–10:00 (suite)", "2 rendez-vous réservés"),
    ],
)
def test_the_calendar_says_a_slot_continues_and_how_many_are_booked(world, language, continued, booked):
    slot = world.slot(day=1, start=9, end=10)
    book_person(world, slot, name=("Anne", "Roy"))
    book_person(world, slot, name=("Marc", "Roy"))
    page = _page(_calendar(_staff(world, language), world, view="day"))
    msgid = "%(team)s, %(start)s–%(end)s (continued)"
    if _translated(language, msgid, continued) == msgid:
        continued = "Équipe A, 09:00–10:00 (continued)"
    with translation.override(language):
        if translation.ngettext(
            "%(count)s appointment booked", "%(count)s appointments booked", 2
        ).startswith("%(count)s appointments"):
            booked = "2 appointments booked"
    assert page.count(continued) == 3
    assert page.count(f'<span class="slot__booked">{booked}</span>') == 1


# 4. The Excel export follows the column chooser -------------------------------------------------------------


def _export(client, data, capture):
    with capture(execute=True):
        return client.post(reverse("appointments:follow_up_export"), data)


def _workbook(mailoutbox):
    import io

    from openpyxl import load_workbook

    ((name, content, _mimetype),) = mailoutbox[-1].attachments
    assert name.endswith(".xlsx")
    return list(load_workbook(io.BytesIO(content)).active.iter_rows())


def _booked_with_details(world):
    return book_person(
        world,
        world.slot(day=2),
        name=("Anne", "Roy"),
        email="anne@example.com",
        details={"health_card_number": "123 456 789", "address": '=HYPERLINK("http://x")', "gender": "woman"},
    )


FILE_HEADERS = {
    "en": (
        "Date",
        "First name",
        "Last name",
        "Confirmation number",
        "Gender",
        "Health card number",
        "Address",
    ),
    "fr": (
        "Date",
        "Prénom",
        "Nom de famille",
        "Numéro de confirmation",
        "Genre",
        "Numéro d'assurance-maladie",
        "Adresse",
    ),
}


@pytest.mark.parametrize(("language", "gender"), [("en", "Woman"), ("fr", "Femme")])
def test_the_excel_export_has_the_columns_chosen_with_the_personal_details_asked(
    world, language, gender, django_capture_on_commit_callbacks, mailoutbox
):
    anne = _booked_with_details(world)
    client = _staff(world, language)
    chosen = ["date", "name", "number", "detail_gender", "detail_health_card_number", "detail_address"]
    response = _export(
        client,
        {"date": "2027-02-03", "period": "day", "choosing_columns": "1", "file_columns": chosen},
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    rows = _workbook(mailoutbox)
    assert tuple(cell.value for cell in rows[0]) == FILE_HEADERS[language]
    (row,) = rows[1:]
    assert [cell.value for cell in row[1:6]] == ["Anne", "Roy", anne.number, gender, "123 456 789"]
    assert row[0].is_date
    # A formula typed as an address is text in the file, shown as typed, never run.
    assert row[6].value == '=HYPERLINK("http://x")' and row[6].quotePrefix and row[6].data_type == "s"


def test_the_export_chooser_starts_with_the_lists_columns(world):
    from appointments.models import ListPreference

    ListPreference.objects.create(user=world.manager1, columns=["time", "name", "comment"])
    page = _page(_staff(world, "en").get(reverse("appointments:follow_up")))
    form = page[page.index('class="inline-form export-form"') :]
    form = form[: form.index("</form>")]
    checked = [
        chunk.split('value="')[1].split('"')[0] for chunk in form.split("<input")[1:] if "checked" in chunk
    ]
    # The list's columns, and the confirmation number (how a row of the file is found again).
    assert checked == ["time", "name", "number", "comment"]
    assert "Health card number" in form and 'name="choosing_columns"' in form


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Choose at least one column for the file."),
        ("fr", "Choisissez au moins une colonne pour le fichier."),
    ],
)
def test_a_file_of_no_column_is_refused_next_to_the_chooser_and_nothing_is_queued(
    world, language, message, django_capture_on_commit_callbacks, mailoutbox
):
    from portal.models import Export

    book_person(world, world.slot(day=2))
    client = _staff(world, language)
    response = _export(
        client,
        {"date": "2027-02-03", "period": "week", "choosing_columns": "1", "next": "/x"},
        django_capture_on_commit_callbacks,
    )
    page = _page(response)
    assert _translated(language, "Choose at least one column for the file.", message) in page
    assert not Export.objects.exists() and not mailoutbox
    # The list is the one asked (its week), its links lead back to the list, not to the export.
    assert "Period shown" in page or "Période affichée" in page
    assert 'action="/appointments/follow-up/"' in page
    assert '<input type="hidden" name="period" value="week">' in page


# 5. The memory aid's remaining lines (guide 2.7) ------------------------------------------------------------

DURATION = "I turn on showing the duration of the appointments (if applicable)"
SECTOR_ROLE = "I added a role for this sector or another sector if needed for each of my resources"
DAYS_AT_CREATION = "I activated the days at their creation (online booking is open)"
MEMORY_AID_FR = {
    DURATION: "J'active l'affichage de la durée des rendez-vous (si applicable)",
    SECTOR_ROLE: "J'ai ajouté un rôle pour ce secteur ou un autre secteur si nécessaire pour chacune de mes ressources",
    DAYS_AT_CREATION: "J'ai activé les journées à la création (la prise de rendez-vous en ligne est ouverte)",
}


def _memory_aid(world):
    from appointments.configuration.views import checklist_items

    with translation.override("en"):
        return {str(label): ok for _title, items in checklist_items(world.clinic) for label, ok in items}


def test_the_memory_aid_ticks_the_guides_remaining_lines_from_the_configuration(world):
    from appointments.tests.conftest import open_online_booking
    from tests.factories import MembershipFactory

    lines = _memory_aid(world)
    assert (lines[DURATION], lines[SECTOR_ROLE], lines[DAYS_AT_CREATION]) == (False, False, False)
    settings = open_online_booking(world)
    # A second role for a team member: at location B, as Consultation #1.
    MembershipFactory(
        user=world.manager3,
        organization=world.clinic,
        role="appointments.consultation_1",
        scope={"locations": [world.location_b.pk]},
    )
    lines = _memory_aid(world)
    assert (lines[DURATION], lines[SECTOR_ROLE], lines[DAYS_AT_CREATION]) == (True, True, True)
    settings.show_duration = False
    settings.online_booking_open = False
    settings.save()
    lines = _memory_aid(world)
    assert (lines[DURATION], lines[DAYS_AT_CREATION]) == (False, False)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_memory_aid_page_lists_the_remaining_lines(world, language):
    page = _page(_staff(world, language, key="pilot").get(reverse("appointments:checklist")))
    for msgid, french in MEMORY_AID_FR.items():
        assert _translated(language, msgid, french) in page


# 5. French details of the staff pages ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "monday", "tuesday"),
    [("en", "Mon 1 Feb.", "Tue 2 Feb."), ("fr", "lun. 1er fév.", "mar. 2 fév.")],
)
def test_the_week_shows_months_in_lowercase_abbreviations_and_day_states_without_emoji(
    world, language, monday, tuesday
):
    world.slot(day=1, start=9, end=10)
    page = _page(_calendar(_staff(world, language), world, view="week"))
    # The column headings: French writes the first of the month "1er" (issue 18).
    assert f">{monday}</a>" in page
    assert f">{tuesday}</a>" in page
    assert "Fév" not in page
    for emoji in ("🟢", "🔴", "🟠"):
        assert emoji not in page
    assert '<svg class="state-icon"' in page


@pytest.mark.parametrize(
    ("language", "team", "location"),
    [("en", "Choose a team", "Choose a location"), ("fr", "Choisissez une équipe", "Choisissez un lieu")],
)
def test_the_schedule_forms_have_no_dashes_for_a_first_choice(world, language, team, location):
    client = _staff(world, language)
    slot_page = _page(client.get(reverse("appointments:slot_create"), {"location": world.location_a.pk}))
    clone_page = _page(client.get(reverse("appointments:clone"), {"location": world.location_a.pk}))
    calendar_page = _page(_calendar(client, world, view="week"))
    for page in (slot_page, clone_page, calendar_page):
        assert "---------" not in page
    assert f'<option value="" selected>{_translated(language, "Choose a team", team)}</option>' in slot_page
    assert f'<option value="">{_translated(language, "Choose a location", location)}</option>' in clone_page
