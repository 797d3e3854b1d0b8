"""Issue 20, staff side: the messages say what happened — a relaunch after a cancellation says it
was cancelled (not "did not take place"), a changed appointment's email says what changed — and
the comment a person typed booking online reaches staff (slot page, follow-up list, export)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from appointments.follow_up import services as follow_up_services
from appointments.models import Attendance
from appointments.tests.conftest import book_person, open_online_booking
from portal import sms

pytestmark = pytest.mark.django_db
MONCTON = ZoneInfo("America/Moncton")
MOBILE = "+15065550123"

CANCELLED_EN = "was cancelled. If you still need one, you can book a new appointment online:"
CANCELLED_MSGID = (
    "Your appointment #%(number)s of %(date)s at %(time)s was cancelled. If you still need one, you can "
    "book a new appointment online:"
)
CANCELLED_FR = (
    "a été annulé. Si vous en avez encore besoin, vous pouvez prendre un nouveau rendez-vous en ligne :"
)


@pytest.fixture(autouse=True)
def _monday_morning():
    # Monday 1 February 2027, 10:00 in Moncton: messages go out (not quiet hours), dates are known.
    with time_machine.travel(datetime(2027, 2, 1, 10, 0, tzinfo=MONCTON), tick=False):
        yield


def _french_has(msgid):
    """Whether the French catalogue has this message yet (new messages are translated after review)."""
    with translation.override("fr"):
        return translation.gettext(msgid) != msgid


def _reachable(world, slot, *, language, name=("Anne", "Roy")):
    return book_person(
        world,
        slot,
        name=name,
        email=f"{name[0].lower()}@example.com",
        mobile_phone=MOBILE,
        send_sms=True,
        language=language,
    )


def _relaunch(world, language, what, capture):
    slot = world.slot(day=2, start=10, end=11)
    appointment = _reachable(world, slot, language=language)
    with capture(execute=True):
        if what == "cancelled":
            follow_up_services.cancel_appointment(actor=world.manager1, appointment=appointment)
        else:
            follow_up_services.mark_attendance(
                actor=world.manager1, appointment=appointment, attendance=Attendance.ABSENT
            )
    sms.outbox.clear()
    return appointment


def _sent(mailoutbox, appointment):
    """The relaunch's email (the last one) and its SMS, as the person gets them."""
    email = mailoutbox[-1]
    html = email.alternatives[0][0] if email.alternatives else ""
    return email, html, sms.outbox[-1]["body"]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_relaunch_after_a_cancellation_says_it_was_cancelled(
    world, language, mailoutbox, django_capture_on_commit_callbacks
):
    appointment = _relaunch(world, language, "cancelled", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        follow_up_services.send_relaunch(actor=world.manager1, appointment=appointment)
    email, html, text = _sent(mailoutbox, appointment)
    for body in (email.body, html):
        assert "did not take place" not in body and "n'a pas eu lieu" not in body
    assert "did not take place" not in text and "n'a pas eu lieu" not in text
    if language == "en":
        assert (
            f"Your appointment #{appointment.number} of Wednesday 3 February 2027 at 10:00 {CANCELLED_EN}"
            in (email.body)
        )
        assert CANCELLED_EN in html
        assert text.startswith(
            f"Liaison #{appointment.number}: your appointment of 2027-02-03 10:00 was cancelled."
        )
        assert email.subject == f"Book a new appointment (#{appointment.number})"
    else:
        if not _french_has(CANCELLED_MSGID):
            pytest.fail("the French catalogue does not have the cancellation relaunch's text yet")
        assert (
            f"Votre rendez-vous #{appointment.number} du mercredi 3 février 2027 à 10:00 {CANCELLED_FR}"
            in (email.body)
        )
        assert "a été annulé" in text
        assert email.subject == f"Reprendre un rendez-vous (#{appointment.number})"
    # No personal or health details in a subject or an SMS: a record number and a link.
    for private in ("Anne", "Roy", "dose", "COVID", "Lieu A"):
        assert private not in email.subject and private not in text
    assert "/public/" in text or "http" in text


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_relaunch_after_an_absence_says_it_did_not_take_place(
    world, language, mailoutbox, django_capture_on_commit_callbacks
):
    appointment = _relaunch(world, language, "absent", django_capture_on_commit_callbacks)
    with time_machine.travel(datetime(2027, 2, 3, 13, 0, tzinfo=MONCTON), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            follow_up_services.send_relaunch(actor=world.manager1, appointment=appointment)
    email, html, text = _sent(mailoutbox, appointment)
    if language == "en":
        assert f"Your appointment #{appointment.number} of Wednesday 3 February 2027 did not take place." in (
            email.body
        )
        assert "did not take place" in html and "cancelled" not in email.body
        assert "your appointment of 2027-02-03 did not take place" in text
    else:
        assert f"Votre rendez-vous #{appointment.number} du mercredi 3 février 2027 n'a pas eu lieu." in (
            email.body
        )
        assert "n'a pas eu lieu" in text and "annulé" not in email.body
    for private in ("Anne", "Roy", "dose", "COVID"):
        assert private not in email.subject and private not in text


# The comment a person types booking online reaches staff ------------------------------------------------

ONLINE_COMMENT = "=J'arrive en fauteuil roulant"  # formula-like on purpose: the export neutralises it


def _booked_online(world, slot, *, staff_comment=""):
    open_online_booking(world)
    appointment = book_person(
        world,
        slot,
        actor=None,
        online=True,
        details={"comment": ONLINE_COMMENT, "postal_code": "E1C 8K6"},
        comment=staff_comment,
    )
    assert appointment.details["comment"] == ONLINE_COMMENT and appointment.comment == staff_comment
    return appointment


def _staff(world, language):
    from appointments.tests.helpers import client_for

    world.manager1.preferred_language = language
    world.manager1.save()
    return client_for(world, "manager1")


@pytest.mark.parametrize(("language", "heading"), [("en", "Comment"), ("fr", "Commentaire")])
def test_the_online_comment_shows_on_the_slot_page_and_the_appointment_page(world, language, heading):
    import html

    from django.urls import reverse

    slot = world.slot(day=2, start=10, end=11)
    appointment = _booked_online(world, slot, staff_comment="Rappeler la veille")
    client = _staff(world, language)
    page = html.unescape(client.get(reverse("appointments:slot", args=[slot.pk])).content.decode())
    assert f'<th scope="col">{heading}</th>' in page
    assert f'<td class="prewrap">{ONLINE_COMMENT}\nRappeler la veille</td>' in page
    page = html.unescape(
        client.get(reverse("appointments:appointment", args=[appointment.pk])).content.decode()
    )
    # Once, under "Comment", with staff's (not a second "Comment" among the details).
    assert page.count(ONLINE_COMMENT) == 1
    assert f'<dt>{heading}</dt><dd class="prewrap">{ONLINE_COMMENT}\nRappeler la veille</dd>' in page


@pytest.mark.parametrize(("language", "heading"), [("en", "Comment"), ("fr", "Commentaire")])
def test_the_online_comment_is_in_the_follow_up_list(world, language, heading):
    import html

    from django.urls import reverse

    from appointments.models import ListPreference
    from tests.helpers import search

    slot = world.slot(day=2, start=10, end=11)
    _booked_online(world, slot)
    ListPreference.objects.create(user=world.manager1, columns=["time", "name", "comment"])
    client = _staff(world, language)
    response = search(client, reverse("appointments:follow_up"), {"date": "2027-02-03"})
    page = html.unescape(response.content.decode())
    assert heading in page
    assert ONLINE_COMMENT in page


@pytest.mark.parametrize(("language", "heading"), [("en", "Comment"), ("fr", "Commentaire")])
def test_the_online_comment_is_in_the_excel_and_csv_export(world, language, heading):
    from appointments import selectors
    from appointments.tables import FollowUpTable
    from portal import exports

    slot = world.slot(day=2, start=10, end=11, per_interval=3)
    online = _booked_online(world, slot)
    by_staff = book_person(world, slot, name=("Marc", "Roy"), comment="Allergie aux œufs")
    import csv
    import io

    from openpyxl import load_workbook

    def export():
        with translation.override(language):
            headers, rows = exports.from_table(
                FollowUpTable,
                selectors.follow_up_queryset(
                    world.manager1, {"date": slot.starts_at.date(), "period": "day"}
                ),
            )
            number = str(FollowUpTable.base_columns["number"].verbose_name)
        return headers, rows, headers.index(number), headers.index(heading)

    headers, rows, number, column = export()
    expected = {online.number: ONLINE_COMMENT, by_staff.number: "Allergie aux œufs"}
    assert {row[number]: row[column] for row in rows} == expected
    # The CSV: the formula-like comment starts with an apostrophe (never run).
    headers, rows, number, column = export()
    content, _count = exports._csv(headers, rows)
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert lines[0][column] == heading
    assert {line[number]: line[column] for line in lines[1:]} == {
        online.number: "'" + ONLINE_COMMENT,
        by_staff.number: "Allergie aux œufs",
    }
    # The Excel file: a text cell with the quote prefix, shown as typed.
    headers, rows, number, column = export()
    content, _count = exports._xlsx(headers, rows)
    sheet = load_workbook(io.BytesIO(content)).active
    cells = {row[number].value: row[column] for row in list(sheet.iter_rows())[1:]}
    assert cells[online.number].value == ONLINE_COMMENT
    assert cells[online.number].quotePrefix and cells[online.number].data_type == "s"
    assert cells[by_staff.number].value == "Allergie aux œufs"


def test_a_staff_change_keeps_the_comment_the_person_typed(world):
    slot = world.slot(day=2, start=10, end=11)
    appointment = _booked_online(world, slot)
    follow_up_services.update_appointment(
        actor=world.manager1,
        appointment=appointment,
        details={"first_name": "Annie", "details": {"postal_code": "E1C 4M2"}, "comment": "Vu au téléphone"},
    )
    appointment.refresh_from_db()
    assert appointment.details == {"comment": ONLINE_COMMENT, "postal_code": "E1C 4M2"}
    assert appointment.comments == f"{ONLINE_COMMENT}\nVu au téléphone"


# A changed appointment's email says what changed --------------------------------------------------------

CHANGED_MSGID = "Your appointment #%(number)s was changed. What changed:"


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_moved_appointments_email_says_what_changed(
    world, language, mailoutbox, django_capture_on_commit_callbacks
):
    slot = world.slot(day=2, start=10, end=11)
    other = world.slot(day=3, start=14, end=15, team=world.team_c, location=world.location_b)
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book_person(
            world,
            slot,
            email="anne@example.com",
            send_email=True,
            mobile_phone=MOBILE,
            send_sms=True,
            language=language,
        )
    mailoutbox.clear()
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        follow_up_services.update_appointment(
            actor=world.manager1,
            appointment=appointment,
            details={},
            slot=other,
            service=world.first,
            starts_at=other.starts_at,
        )
    (email,) = mailoutbox
    (text,) = [message["body"] for message in sms.outbox]
    html = email.alternatives[0][0]
    # The new coupon still carries the calendar file.
    (name,) = [name for name, _content, _type in email.attachments]
    assert name.endswith(f"-{appointment.number}.ics")  # named in the email's language (test_emails_ics)
    if language == "en":
        assert email.subject == f"Your appointment #{appointment.number} was changed"
        assert f"Your appointment #{appointment.number} was changed. What changed:" in email.body
        assert "When: Wednesday 3 February 2027 → Thursday 4 February 2027" in email.body
        assert "Time: 10:00 → 14:00" in email.body
        assert "Location: Lieu A → Lieu B" in email.body
        assert "Service:" not in email.body.split("Your appointment now:")[0]  # the service stayed
        assert "Time: 10:00 → <strong>14:00</strong>" in html
        assert "Your appointment is booked" not in email.body
        assert text.startswith(
            f"Liaison appointment #{appointment.number} changed: now 2027-02-04 14:00, 1 rue Main, Moncton NB E3B 5H1 "
            "(was 2027-02-03 10:00)."
        )
    else:
        if not _french_has(CHANGED_MSGID):
            pytest.fail("the French catalogue does not have the changed appointment's email yet")
        assert email.subject == f"Votre rendez-vous #{appointment.number} a été modifié"
        assert "Quand : mercredi 3 février 2027 → jeudi 4 février 2027" in email.body
        assert "Heure : 10:00 → 14:00" in email.body
        assert "Lieu : Lieu A → Lieu B" in email.body
        assert "(avant : 2027-02-03 10:00)" in text
    for private in ("Anne", "Roy", "dose", "COVID"):
        assert private not in email.subject and private not in text


def test_a_change_of_details_only_sends_nothing(world, mailoutbox, django_capture_on_commit_callbacks):
    slot = world.slot(day=2, start=10, end=11)
    appointment = book_person(world, slot, email="anne@example.com", send_email=True)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        follow_up_services.update_appointment(
            actor=world.manager1, appointment=appointment, details={"comment": "Vu au téléphone"}
        )
    assert mailoutbox == []
