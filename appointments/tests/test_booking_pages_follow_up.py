"""Follow-up through the test client (issue 8): batch actions, the follow-up list, its print and export,
the statistics."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from appointments.follow_up import services as follow_up_services
from appointments.follow_up.forms import FOLLOW_UP_COLUMNS
from appointments.models import Appointment, AppointmentStatus, Attendance, ListPreference
from appointments.tests.conftest import book_person
from appointments.tests.helpers import client_for, iso_day, messages_text
from portal.models import Channel, Export, Message
from tests.helpers import assert_constant_queries, search

pytestmark = pytest.mark.django_db


# Batch actions -------------------------------------------------------------------------------------------------


def _batch(client, action, appointments, *, confirmed=True):
    data = {"action": action, "selected": [appointment.pk for appointment in appointments]}
    if confirmed:
        data["confirmed"] = "1"
    return client.post(reverse("appointments:follow_up_batch"), data)


BATCH_RESULTS = {
    "present": ("attendance", Attendance.PRESENT),
    "absent": ("attendance", Attendance.ABSENT),
    "not_eligible": ("attendance", Attendance.NOT_ELIGIBLE),
    "confirm": ("status", AppointmentStatus.CONFIRMED),
    "cancel": ("status", AppointmentStatus.CANCELLED),
    "reminder": ("reminders", 1),
    "relaunch": ("relaunches", 1),
}


@pytest.mark.parametrize("action", list(BATCH_RESULTS))
def test_a_batch_action_asks_for_confirmation_then_applies_once(world, manager, action):
    slot = world.slot(day=2, per_interval=3)
    chosen = [
        book_person(world, slot, name=(name, "Roy"), email=f"{name.lower()}@example.com")
        for name in ("Anne", "Marc")
    ]
    if action == "relaunch":
        for appointment in chosen:
            follow_up_services.mark_attendance(
                actor=world.manager1, appointment=appointment, attendance=Attendance.ABSENT
            )
    field, value = BATCH_RESULTS[action]
    before = list(Appointment.objects.order_by("pk").values_list(field, flat=True))
    response = _batch(manager, action, chosen, confirmed=False)
    assert response.status_code == 200
    assert [appointment.pk for appointment in response.context["appointments"]] == [a.pk for a in chosen]
    assert 'name="confirmed" value="1"' in response.content.decode()
    assert list(Appointment.objects.order_by("pk").values_list(field, flat=True)) == before
    response = _batch(manager, action, chosen)
    assert response.status_code == 302
    assert "2 appointments done" in messages_text(response)
    assert list(Appointment.objects.order_by("pk").values_list(field, flat=True)) == [value, value]
    # Again: a no-op, or a clear refusal for each appointment.
    response = _batch(manager, action, chosen)
    if action == "cancel":
        assert messages_text(response).count("already cancelled") == 2
    if action in ("reminder", "relaunch"):
        value += 1  # a reminder or relaunch asked again is sent again, and counted
    assert list(Appointment.objects.order_by("pk").values_list(field, flat=True)) == [value, value]


def test_a_batch_leaves_other_clinics_and_other_teams_appointments_untouched(world):
    mine = book_person(world, world.slot(day=2))  # team A
    other_team = book_person(world, world.slot(day=2, team=world.team_b), name=("Marc", "Roy"))
    foreign = Appointment.objects.create(
        organization=world.other_clinic,
        slot=world.slot(day=3),
        service=world.other_service,
        starts_at=world.at(3, 9),
        number="OTHER1",
        first_name="X",
        last_name="Y",
    )
    client = client_for(world, "manager3")
    response = _batch(client, "present", [mine, other_team, foreign])
    assert response.status_code == 302
    for appointment, expected in ((mine, "present"), (other_team, "undefined"), (foreign, "undefined")):
        appointment.refresh_from_db()
        assert appointment.attendance == expected
    # Nothing of theirs only: nothing done, a clear message.
    response = _batch(client, "cancel", [other_team, foreign])
    assert "Select at least one appointment" in messages_text(response)
    other_team.refresh_from_db()
    assert other_team.status == AppointmentStatus.BOOKED


@pytest.mark.parametrize("key", ["consult1", "consult2", "pilot"])
def test_roles_that_do_not_book_cannot_apply_batch_actions(world, key):
    appointment = book_person(world, world.slot(day=2))
    assert _batch(client_for(world, key), "cancel", [appointment]).status_code == 403
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_an_unknown_batch_action_changes_nothing(world, manager):
    appointment = book_person(world, world.slot(day=2))
    response = _batch(manager, "delete", [appointment])
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


# Follow-up list ------------------------------------------------------------------------------------------------


def _follow_up(client, **query):
    return search(client, reverse("appointments:follow_up"), query)


def _rows(response):
    return [appointment.number for appointment in response.context["rows"]]


def test_the_list_with_and_without_cancellations(world, manager):
    slot = world.slot(day=2, per_interval=2)
    kept = book_person(world, slot)
    cancelled = book_person(world, slot, name=("Marc", "Roy"))
    follow_up_services.cancel_appointment(actor=world.manager1, appointment=cancelled)
    assert _rows(_follow_up(manager, date=iso_day(2))) == [kept.number]
    response = _follow_up(manager, date=iso_day(2), report="all")
    assert _rows(response) == [kept.number, cancelled.number]
    assert "row--cancelled" in response.content.decode()


@pytest.mark.parametrize(("period", "count"), [("day", 1), ("week", 2), ("month", 3), ("quarter", 4)])
def test_the_list_by_day_week_month_and_three_months(world, manager, period, count):
    # A Wednesday far enough ahead that its week, month and quarter are all in the future.
    base = timezone.localdate() + timedelta(days=120)
    base = base.replace(day=1) + timedelta(days=40)
    base -= timedelta(days=base.weekday() - 2)
    offsets = {
        "day": base,
        "week": base + timedelta(days=1),  # Thursday
        "month": base.replace(day=28) if base.day < 25 else base.replace(day=1),
        "quarter": (base.replace(day=1) + timedelta(days=45)).replace(day=10),
    }
    for name, day in offsets.items():
        offset = (day - timezone.localdate()).days
        book_person(world, world.slot(day=offset), name=(name, "Roy"))
    response = _follow_up(manager, date=base.isoformat(), period=period)
    assert response.context["total"] == count


def test_the_list_filters_by_service_location_and_resource(world, manager):
    in_a = book_person(world, world.slot(day=2))
    in_b = book_person(world, world.slot(day=2, team=world.team_b), name=("Marc", "Roy"))
    in_c = book_person(
        world, world.slot(day=2, team=world.team_c, location=world.location_b), name=("Luc", "Roy")
    )
    assert set(_rows(_follow_up(manager, date=iso_day(2)))) == {in_a.number, in_b.number, in_c.number}
    assert _rows(_follow_up(manager, date=iso_day(2), services=world.second.pk)) == [in_b.number]
    assert _rows(_follow_up(manager, date=iso_day(2), locations=world.location_b.pk)) == [in_c.number]
    assert set(_rows(_follow_up(manager, date=iso_day(2), resources=[world.team_a.pk, world.team_c.pk]))) == {
        in_a.number,
        in_c.number,
    }


def test_the_view_types_show_availabilities_appointments_or_both(world, manager):
    slot = world.slot(day=2, per_interval=1)
    appointment = book_person(world, slot)
    response = _follow_up(manager, date=iso_day(2), view_type="availabilities")
    assert response.context["rows"] == []
    free = [moment for moment, _slot, _service, _left in response.context["availabilities"]]
    assert free == [world.at(2, 9, 15), world.at(2, 9, 30), world.at(2, 9, 45)]
    response = _follow_up(manager, date=iso_day(2), view_type="both")
    assert _rows(response) == [appointment.number] and len(response.context["availabilities"]) == 3
    response = _follow_up(manager, date=iso_day(2))
    assert response.context["availabilities"] == []


def test_the_advanced_search_crosses_first_name_and_date_of_birth(world, manager):
    slot = world.slot(day=2, per_interval=5)
    anne = book_person(world, slot, name=("Anne", "Roy"), born="1980-01-02")
    book_person(world, slot, name=("Anne", "Roy"), born="1990-01-02")
    book_person(world, slot, name=("Marc", "Roy"), born="1980-01-02")
    response = _follow_up(manager, date=iso_day(2), first_name="anne", date_of_birth="1980-01-02")
    assert _rows(response) == [anne.number]
    assert len(_rows(_follow_up(manager, date=iso_day(2), last_name="roy"))) == 3
    assert _rows(_follow_up(manager, date=iso_day(2), first_name="anne", date_of_birth="1970-01-01")) == []


def test_the_number_search_finds_an_appointment_on_any_day(world, manager):
    appointment = book_person(world, world.slot(day=40))
    response = _follow_up(manager, number=f" #{appointment.number.lower()}")
    assert _rows(response) == [appointment.number]
    assert _rows(_follow_up(manager, number="ZZZZZZ")) == []
    # Another clinic's number is not found.
    foreign = Appointment.objects.create(
        organization=world.other_clinic,
        slot=world.slot(day=3),
        service=world.other_service,
        starts_at=world.at(3, 9),
        number="OTHER1",
        first_name="X",
        last_name="Y",
    )
    assert _rows(_follow_up(manager, number=foreign.number)) == []


def test_the_columns_chosen_are_remembered_per_person(world, manager):
    book_person(world, world.slot(day=2), email="anne@example.com")
    response = manager.post(
        reverse("appointments:follow_up_columns"),
        {
            "columns": ["number", "email", "status"],
            "next": reverse("appointments:follow_up") + f"?date={iso_day(2)}",
        },
    )
    assert response.status_code == 302
    assert ListPreference.objects.get(user=world.manager1).columns == ["number", "email", "status"]
    response = _follow_up(manager, date=iso_day(2))
    assert response.context["columns"] == ["number", "email", "status"]
    assert "anne@example.com" in response.content.decode()
    other = client_for(world, "manager2")
    assert "email" not in _follow_up(other, date=iso_day(2)).context["columns"]
    # An empty choice is refused and keeps the saved columns.
    response = manager.post(reverse("appointments:follow_up_columns"), {})
    assert "at least one column" in messages_text(response)
    assert ListPreference.objects.get(user=world.manager1).columns == ["number", "email", "status"]


def _add_appointments(world, slot, count, *, start=0):
    Appointment.objects.bulk_create(
        [
            Appointment(
                organization=world.clinic,
                slot=slot,
                service=world.first,
                starts_at=slot.starts_at,
                number=f"T{start + index:05d}",
                first_name=f"P{start + index}",
                last_name="Roy",
                token=f"token-{slot.pk}-{start + index}",
            )
            for index in range(count)
        ]
    )


def test_the_print_view_shows_100_rows_a_page(world, manager):
    slot = world.slot(day=2, per_interval=200)
    _add_appointments(world, slot, 150)
    response = _follow_up(manager, date=iso_day(2), print="1")
    assert response.status_code == 200
    assert [template.name for template in response.templates][0] == "appointments/follow_up_print.html"
    assert len(response.context["rows"]) == 100
    assert (response.context["total"], response.context["pages"]) == (150, 2)
    assert response.content.decode().count("<tr>") == 101  # the header and 100 rows
    response = _follow_up(manager, date=iso_day(2), print="1", page="2")
    assert len(response.context["rows"]) == 50


def test_the_list_costs_the_same_queries_for_one_or_fifty_appointments(world, manager):
    slot = world.slot(day=2, per_interval=100)
    added = []

    def add_rows(count):
        _add_appointments(world, slot, count, start=len(added))
        added.extend(range(count))

    # Every column, so that every cell's data is counted.
    ListPreference.objects.create(user=world.manager1, columns=[code for code, _label in FOLLOW_UP_COLUMNS])
    assert_constant_queries(
        manager, reverse("appointments:follow_up") + f"?date={iso_day(2)}&view_type=both", add_rows
    )


def test_the_excel_export_is_emailed_to_the_person_who_asked(
    world, manager, django_capture_on_commit_callbacks, mailoutbox
):
    slot = world.slot(day=2, per_interval=3)
    anne = book_person(world, slot, email="anne@example.com")
    cancelled = book_person(world, slot, name=("Marc", "Roy"))
    follow_up_services.cancel_appointment(actor=world.manager1, appointment=cancelled)
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(
            reverse("appointments:follow_up_export"),
            {"date": iso_day(2), "period": "day", "services": [world.first.pk]},
        )
    assert response.status_code == 302
    assert "sent to your mailbox" in messages_text(response)
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == [world.manager1.email]
    ((name, content, mimetype),) = email.attachments
    assert name.endswith(".xlsx") and "spreadsheetml" in mimetype
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2  # the headers and Anne (the cancellation is left out)
    assert rows[0][10] == "Confirmation number"
    assert rows[1][5:11] == ("Anne", "Roy", rows[1][7], None, "anne@example.com", anne.number)
    assert Message.objects.filter(channel=Channel.EMAIL, key__startswith="portal:export:").count() == 1


def test_the_export_holds_only_what_the_role_sees(world, django_capture_on_commit_callbacks, mailoutbox):
    book_person(world, world.slot(day=2))
    hidden = book_person(world, world.slot(day=2, team=world.team_b), name=("Marc", "Roy"))
    client = client_for(world, "manager3")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("appointments:follow_up_export"), {"date": iso_day(2)})
    ((_name, content, _mimetype),) = mailoutbox[0].attachments
    numbers = [row[10] for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]
    assert len(numbers) == 2 and hidden.number not in numbers


# Statistics --------------------------------------------------------------------------------------------------


def test_the_statistics_are_for_the_pilot_only(world):
    for key in ("manager1", "manager2", "manager3", "consult1", "consult2"):
        client = client_for(world, key)
        assert client.get(reverse("appointments:statistics")).status_code == 403
        assert client.post(reverse("appointments:statistics_export")).status_code == 403
    assert client_for(world, "pilot").get(reverse("appointments:statistics")).status_code == 200


def test_the_statistics_count_bookings_cancellations_presences_absences(world):
    slot = world.slot(day=2, per_interval=5)
    present = book_person(world, slot, name=("Anne", "Roy"))
    absent = book_person(world, slot, name=("Marc", "Roy"))
    cancelled = book_person(world, slot, name=("Luc", "Roy"))
    book_person(world, world.slot(day=3, team=world.team_c, location=world.location_b), service=world.second)
    follow_up_services.mark_attendance(
        actor=world.manager1, appointment=present, attendance=Attendance.PRESENT
    )
    follow_up_services.mark_attendance(actor=world.manager1, appointment=absent, attendance=Attendance.ABSENT)
    follow_up_services.cancel_appointment(actor=world.manager1, appointment=cancelled)
    response = client_for(world, "pilot").get(
        reverse("appointments:statistics"), {"first_day": iso_day(0), "last_day": iso_day(7)}
    )
    data = response.context["data"]
    assert data["totals"] == {"bookings": 4, "cancellations": 1, "presences": 1, "absences": 1, "no_shows": 0}
    assert [(row["label"], row["bookings"]) for row in data["by_location"]] == [("Lieu A", 3), ("Lieu B", 1)]
    assert sorted(row["bookings"] for row in data["by_service"]) == [1, 3]
    assert [row["bookings"] for row in data["by_day"]] == [3, 1]
    assert "Lieu B" in response.content.decode()


def test_the_statistics_export_is_emailed(world, django_capture_on_commit_callbacks, mailoutbox):
    book_person(world, world.slot(day=2))
    refused = book_person(world, world.slot(day=3), name=("Luc", "Roy"))
    follow_up_services.mark_attendance(
        actor=world.manager1, appointment=refused, attendance=Attendance.NOT_ELIGIBLE
    )
    pilot = client_for(world, "pilot")
    with django_capture_on_commit_callbacks(execute=True):
        response = pilot.post(
            reverse("appointments:statistics_export"), {"first_day": iso_day(0), "last_day": iso_day(7)}
        )
    assert response.status_code == 302
    ((name, content, _mimetype),) = mailoutbox[0].attachments
    assert name.endswith(".xlsx")
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    # The file has the page's columns, "Not eligible" (guide 6.9) included.
    assert rows[0] == (
        "Grouped by",
        "Value",
        "Bookings",
        "Cancellations",
        "Attended",
        "Absences",
        "Not eligible",
        "No-shows",
    )
    assert ("Location", "Lieu A", 2, 0, 0, 0, 1, 0) in rows
    assert ("Day", iso_day(2), 1, 0, 0, 0, 0, 0) in rows
    assert ("Day", iso_day(3), 1, 0, 0, 0, 1, 0) in rows


@pytest.mark.parametrize(("first", "last"), [(7, 0), (-400, 7), ("x", 7)])
def test_a_statistics_export_for_a_bad_period_is_refused_with_a_message(
    world, django_capture_on_commit_callbacks, mailoutbox, first, last
):
    pilot = client_for(world, "pilot")
    with django_capture_on_commit_callbacks(execute=True):
        response = pilot.post(
            reverse("appointments:statistics_export"),
            {"first_day": iso_day(first) if isinstance(first, int) else first, "last_day": iso_day(last)},
        )
    assert response.status_code == 302
    assert "sent to your mailbox" not in messages_text(response)
    assert any(
        words in messages_text(response) for words in ("cannot be before", "one year at most", "valid date")
    )
    assert mailoutbox == []
    assert not Export.objects.exists()
