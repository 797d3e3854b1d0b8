"""The coordinator's calendar of one interpreter (issue 19, beyond the guides): a day and a week of
their assignments and absences in local time (America/Moncton), on DST days, across month and
year ends and midnight; the same number of queries for 1 assignment or 30; another bank's
interpreter is a 404 and a requester a 403; in French and in English."""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from interpreters.models import Availability, Request, RequestStatus, Unavailability
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db
MONCTON = ZoneInfo("America/Moncton")
RS = RequestStatus


@pytest.fixture(autouse=True)
def _moncton(settings):
    settings.TIME_ZONE = "America/Moncton"


def _t(text, language):
    with translation.override(language):
        return str(translation.gettext(text))


def _coordinator(world, language):
    world.coordinator.preferred_language = language
    world.coordinator.save(update_fields=["preferred_language"])
    client = verified_client(world.coordinator, membership=world.coordinator_membership)
    client.cookies["django_language"] = language
    return client


def _url(world, view, day, interpreter=None):
    interpreter = interpreter or world.near
    path = reverse("interpreters:interpreter_calendar", args=[interpreter.pk])
    return f"{path}?view={view}&date={day}"


def _held(world, day, start, minutes, status=RS.CONFIRMED, interpreter=None):
    """A request of the hospital held by the interpreter at a local date and time."""
    request = world.request(date=day, start_time=start, duration_minutes=minutes)
    Request.objects.filter(pk=request.pk).update(status=status, interpreter=interpreter or world.near)
    request.refresh_from_db()
    return request


def _cell(html, number):
    """The text of the list item of a request (its number, its span, its modality and place)."""
    match = re.search(
        r'<li class="calendar-entry">(?:(?!</li>).)*?' + re.escape(number) + r"(?:(?!</li>).)*</li>",
        html,
        re.S,
    )
    assert match, number
    return re.sub(r"<[^>]+>", " ", match.group(0))


def _day_sections(html):
    """The week's columns: each day's cell, in order (Monday first)."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_it_shows_a_week_of_assignments_and_absences_without_patient_details(world, language):
    with time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=MONCTON), tick=False):
        monday = date(2026, 11, 23)
        first = _held(world, monday, time(10, 0), 90)
        second = _held(world, monday + timedelta(days=2), time(14, 30), 60, status=RS.ASSIGNED)
        cancelled = _held(world, monday + timedelta(days=3), time(9, 0), 60, status=RS.CANCELLED)
        other = _held(world, monday, time(13, 0), 60, interpreter=world.far)
        Unavailability.objects.create(
            interpreter=world.near,
            starts_at=datetime(2026, 11, 26, 8, 0, tzinfo=MONCTON),
            ends_at=datetime(2026, 11, 26, 12, 0, tzinfo=MONCTON),
            reason="Rendez-vous personnel",
        )
        Availability.objects.create(interpreter=world.near, weekday=0, start_time=time(8), end_time=time(16))
        response = _coordinator(world, language).get(_url(world, "week", "2026-11-25"))
    assert response.status_code == 200
    html = response.content.decode()
    columns = _day_sections(html)
    assert len(columns) == 7
    assert first.number in columns[0] and second.number in columns[2]
    assert "10:00 – 11:30" in _cell(html, first.number)
    assert world.hospital.name in _cell(html, first.number)
    with translation.override(language):
        modality = str(first.get_modality_display())
    assert escape(modality) in _cell(html, first.number)
    assert escape(_t("Offered to an interpreter", language)) in columns[2]
    assert cancelled.number not in html and other.number not in html
    # The absence on Thursday, its reason kept to the interpreter; nothing of the patient.
    assert _t("Absence", language) in columns[3] and "08:00 – 12:00" in columns[3]
    assert "Rendez-vous personnel" not in html
    assert "Suivi" not in html and "Paul" not in html and "B-210" not in html
    # Monday's usual hours; the other days say there are none.
    hours = escape(_t("Usual hours: %(hours)s", language) % {"hours": "08:00–16:00"})
    assert hours in columns[0]
    assert escape(_t("No usual hours that day.", language)) in columns[1]
    # Previous, next and today, keeping the week view.
    assert 'view=week&amp;date=2026-11-18"' in html and 'view=week&amp;date=2026-12-02"' in html
    assert 'view=week&amp;date=2026-11-20"' in html
    assert escape(_t("Next week", language)) in html


@pytest.mark.parametrize("language", ["fr", "en"])
def test_it_shows_one_day_with_an_assignment_crossing_midnight_at_the_year_end(world, language):
    with time_machine.travel(datetime(2026, 12, 20, 9, 0, tzinfo=MONCTON), tick=False):
        night = _held(world, date(2026, 12, 31), time(23, 0), 120)
        client = _coordinator(world, language)
        new_year = client.get(_url(world, "day", "2027-01-01")).content.decode()
        eve = client.get(_url(world, "day", "2026-12-31")).content.decode()
        week = client.get(_url(world, "week", "2026-12-31")).content.decode()
        with translation.override(language):
            from portal import dates

            eve_label = dates.day_month(date(2026, 12, 31), weekday=True, short=True)
            new_year_label = dates.day_month(date(2027, 1, 1), weekday=True, short=True)
    # On the 31st it starts at 23:00 and ends the next day; on the 1st it started the day before.
    assert f"23:00 – {new_year_label} 01:00" in _cell(eve, night.number)
    assert f"{eve_label} 23:00 – 01:00" in _cell(new_year, night.number)
    # The week of 28 December to 3 January holds it on Thursday and Friday.
    columns = _day_sections(week)
    assert [night.number in column for column in columns] == [False, False, False, True, True, False, False]
    if language == "fr":
        assert new_year_label.startswith("ven. 1er ")
    # The day view's previous and next days cross the year.
    assert 'view=day&amp;date=2026-12-31"' in new_year and 'view=day&amp;date=2027-01-02"' in new_year


@pytest.mark.parametrize("language", ["fr", "en"])
def test_it_places_times_right_on_the_spring_dst_day(world, language):
    """14 March 2027: 2:00 becomes 3:00. Two real hours from 1:00 end at 4:00; 23:30 is on Sunday."""
    with time_machine.travel(datetime(2027, 3, 1, 9, 0, tzinfo=MONCTON), tick=False):
        early = _held(world, date(2027, 3, 14), time(1, 0), 120)
        late = _held(world, date(2027, 3, 14), time(23, 30), 15)
        monday = _held(world, date(2027, 3, 15), time(0, 15), 30)
        client = _coordinator(world, language)
        week = client.get(_url(world, "week", "2027-03-14")).content.decode()
        day = client.get(_url(world, "day", "2027-03-14")).content.decode()
    assert "01:00 – 04:00" in _cell(day, early.number)
    assert "23:30 – 23:45" in _cell(day, late.number)
    assert monday.number not in day and monday.number not in week
    columns = _day_sections(week)
    assert early.number in columns[6] and late.number in columns[6]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_it_places_times_right_on_the_fall_dst_day_and_across_the_month_end(world, language):
    """1 November 2026: 2:00 becomes 1:00. Two real hours from 0:30 end at 1:30; the week of
    26 October to 1 November crosses the month end; 23:30 on the 1st is not on the 2nd."""
    with time_machine.travel(datetime(2026, 10, 20, 9, 0, tzinfo=MONCTON), tick=False):
        night = _held(world, date(2026, 11, 1), time(0, 30), 120)
        late = _held(world, date(2026, 11, 1), time(23, 30), 15)
        october = _held(world, date(2026, 10, 31), time(22, 0), 60)
    # Read afterwards: in October the coordinator's membership (from today) had not begun.
    client = _coordinator(world, language)
    week = client.get(_url(world, "week", "2026-10-28")).content.decode()
    next_day = client.get(_url(world, "day", "2026-11-02")).content.decode()
    assert "00:30 – 01:30" in _cell(week, night.number)
    assert "22:00 – 23:00" in _cell(week, october.number)
    columns = _day_sections(week)
    assert october.number in columns[5]
    assert night.number in columns[6] and late.number in columns[6]
    assert late.number not in next_day
    assert 'view=week&amp;date=2026-11-04"' in week


def test_it_costs_the_same_queries_for_one_assignment_or_thirty(world, django_assert_num_queries):
    with time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=MONCTON), tick=False):
        monday = date(2026, 11, 23)
        client = _coordinator(world, "en")
        url = _url(world, "week", monday.isoformat())
        _held(world, monday, time(8, 0), 30)
        Unavailability.objects.create(
            interpreter=world.near,
            starts_at=datetime(2026, 11, 24, 8, 0, tzinfo=MONCTON),
            ends_at=datetime(2026, 11, 24, 9, 0, tzinfo=MONCTON),
        )
        client.get(url)
        with CaptureQueriesContext(connection) as few:
            assert client.get(url).status_code == 200
        for index in range(29):
            _held(world, monday + timedelta(days=index % 7), time(9 + index // 7, 0), 30)
            Unavailability.objects.create(
                interpreter=world.near,
                starts_at=datetime(2026, 11, 23, 20, 0, tzinfo=MONCTON) + timedelta(days=index % 7),
                ends_at=datetime(2026, 11, 23, 21, 0, tzinfo=MONCTON) + timedelta(days=index % 7),
            )
        with django_assert_num_queries(len(few.captured_queries)):
            response = client.get(url)
    assert response.content.decode().count('class="calendar-entry"') == 30


def test_another_banks_interpreter_is_a_404_and_a_requester_gets_a_403(world):
    from tests.factories import OrganizationFactory

    other_bank = OrganizationFactory(kind="interpreter_bank")
    _membership, stranger = world.interpreter("E1C 4M3", ["ar"], bank=other_bank)
    coordinator = _coordinator(world, "fr")
    assert coordinator.get(_url(world, "week", "2026-11-23", interpreter=stranger)).status_code == 404
    requester = verified_client(world.requester, membership=world.requester_membership)
    assert requester.get(_url(world, "week", "2026-11-23")).status_code == 403
    interpreter = verified_client(world.near.user, membership=world.near_membership)
    assert interpreter.get(_url(world, "week", "2026-11-23")).status_code == 403


@pytest.mark.parametrize(
    "value", ["", "nope", "2026-02-30", "0001-01-01", "9999-12-31", "2026-W01", "<script>"]
)
def test_any_date_or_view_in_the_address_answers_a_page(world, value):
    client = _coordinator(world, "fr")
    path = reverse("interpreters:interpreter_calendar", args=[world.near.pk])
    for view in ("week", "day", "month", ""):
        assert client.get(path, {"view": view, "date": value}).status_code == 200


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_bank_list_and_the_profile_link_to_the_calendar(world, language):
    client = _coordinator(world, language)
    url = reverse("interpreters:interpreter_calendar", args=[world.near.pk])
    assert f'href="{url}"' in client.get(reverse("interpreters:interpreters")).content.decode()
    profile = client.get(reverse("interpreters:interpreter_edit", args=[world.near.pk])).content.decode()
    assert f'href="{url}"' in profile
