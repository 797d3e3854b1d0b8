"""Staff booking and staff changes of appointments through the test client (issue 8)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from appointments.booking.forms import time_value
from appointments.follow_up import services as follow_up_services
from appointments.models import Appointment
from appointments.tests.conftest import book_person
from appointments.tests.helpers import book_url, client_for, iso_day, messages_text, staff_person

pytestmark = pytest.mark.django_db


# Staff booking -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["manager1", "manager2"])
def test_management_1_and_2_book_any_teams_slot_even_locked(world, key):
    client = client_for(world, key)
    locked = world.slot(day=2, team=world.team_b, locked=True)
    url = book_url(world, locked, service=world.second)
    response = client.get(url)
    assert response.status_code == 200
    assert [moment for _value, _slot, moment, _left in response.context["times"]][0] == locked.starts_at
    response = client.post(
        url,
        staff_person(time=time_value(locked, locked.starts_at), email="anne@example.com", send_email="on"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    appointment = Appointment.objects.get()
    assert response["Location"] == reverse("appointments:appointment", args=[appointment.pk])
    assert (appointment.booked_online, appointment.created_by, appointment.send_email) == (
        False,
        getattr(world, key),
        True,
    )
    assert client.get(response["Location"]).status_code == 200


def test_management_3_books_only_its_teams_slots(world):
    client = client_for(world, "manager3")
    own = world.slot(day=2)  # team A: manager3 is a member
    foreign = world.slot(day=2, team=world.team_b)
    response = client.get(book_url(world, own))
    assert {slot for _value, slot, _moment, _left in response.context["times"]} == {own}
    response = client.get(book_url(world, foreign, service=world.second))
    assert response.context["times"] == []
    response = client.post(
        book_url(world, foreign, service=world.second),
        staff_person(time=time_value(foreign, foreign.starts_at)),
    )
    assert response.status_code == 200
    assert "not available" in " ".join(response.context["time_form"].errors["time"])
    assert not Appointment.objects.exists()
    response = client.post(book_url(world, own), staff_person(time=time_value(own, own.starts_at)))
    assert response.status_code == 302
    assert Appointment.objects.get().slot == own


@pytest.mark.parametrize("key", ["consult1", "consult2", "pilot"])
def test_roles_that_do_not_book_get_403(world, key):
    client = client_for(world, key)
    slot = world.slot(day=2)
    assert client.get(reverse("appointments:book")).status_code == 403
    assert (
        client.post(book_url(world, slot), staff_person(time=time_value(slot, slot.starts_at))).status_code
        == 403
    )
    assert not Appointment.objects.exists()


def test_a_staff_booking_on_a_full_time_is_refused_next_to_the_time(world, manager):
    slot = world.slot(day=2, per_interval=1)
    book_person(world, slot, name=("Marc", "Roy"))
    response = manager.post(book_url(world, slot), staff_person(time=time_value(slot, slot.starts_at)))
    assert response.status_code == 200
    assert "no longer available" in " ".join(response.context["time_form"].errors["time"])
    assert Appointment.objects.count() == 1


def test_a_staff_booking_of_someone_holding_the_service_names_the_appointment(world, manager):
    slot = world.slot(day=2, per_interval=3)
    held = book_person(world, slot)
    response = manager.post(book_url(world, slot), staff_person(time=time_value(slot, slot.starts_at)))
    assert response.status_code == 200
    assert held.number in messages_text(response)
    assert Appointment.objects.count() == 1


def test_a_new_appointment_for_the_same_person_is_prefilled(world, manager):
    source = book_person(world, world.slot(day=2), email="anne@example.com", mobile_phone="+15065550123")
    second = world.slot(day=30, team=world.team_b)
    url = book_url(world, second, service=world.second, **{"from": source.pk})
    response = manager.get(url)
    assert response.status_code == 200
    person = response.context["person"]
    assert (person["first_name"].value(), person["last_name"].value(), person["email"].value()) == (
        "Anne",
        "Roy",
        "anne@example.com",
    )
    assert str(person["date_of_birth"].value()) == "1980-01-02"
    content = response.content.decode()
    assert 'value="anne@example.com"' in content and f'name="from" value="{source.pk}"' in content
    # Another clinic's appointment is not a source.
    assert manager.get(reverse("appointments:book") + "?from=999999").status_code == 404


# Staff changes -----------------------------------------------------------------------------------------------


def _edit(appointment):
    return reverse("appointments:appointment_edit", args=[appointment.pk])


def _edit_data(appointment, **changes):
    return {
        "first_name": appointment.first_name,
        "last_name": appointment.last_name,
        "date_of_birth": appointment.date_of_birth.isoformat() if appointment.date_of_birth else "",
        "email": appointment.email,
        "comment": appointment.comment,
        **changes,
    }


def test_an_upcoming_appointment_is_moved_to_a_time_with_room(world, manager):
    slot = world.slot(day=2, per_interval=1)
    appointment = book_person(world, slot)
    book_person(world, slot, at=world.at(2, 9, 15), name=("Marc", "Roy"))
    response = manager.get(_edit(appointment))
    assert response.status_code == 200
    offered = [moment for _value, _slot, moment, _left in response.context["times"]]
    assert world.at(2, 9) in offered and world.at(2, 9, 15) not in offered
    # A full time is refused next to the time, nothing changes.
    response = manager.post(
        _edit(appointment), _edit_data(appointment, time=time_value(slot, world.at(2, 9, 15)), comment="x")
    )
    assert response.status_code == 200
    assert "no longer available" in " ".join(response.context["time_form"].errors["time"])
    appointment.refresh_from_db()
    assert (appointment.starts_at, appointment.comment) == (world.at(2, 9), "")
    response = manager.post(
        _edit(appointment),
        _edit_data(appointment, time=time_value(slot, world.at(2, 9, 30)), comment="Moved"),
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.starts_at, appointment.comment) == (world.at(2, 9, 30), "Moved")


def test_an_upcoming_appointment_moves_to_another_day_and_location(world, manager):
    appointment = book_person(world, world.slot(day=2))
    other = world.slot(day=4, team=world.team_c, location=world.location_b)
    query = (
        f"?service={world.first.pk}&location={world.location_b.pk}"
        f"&date={timezone.localtime(other.starts_at).date().isoformat()}"
    )
    response = manager.post(
        _edit(appointment) + query, _edit_data(appointment, time=time_value(other, other.starts_at))
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.slot, appointment.starts_at) == (other, other.starts_at)


@pytest.mark.parametrize("state", ["past", "cancelled"])
def test_a_past_or_cancelled_appointment_changes_only_its_comment_and_details(world, manager, state):
    slot = world.slot(day=2)
    appointment = book_person(world, slot)
    if state == "past":
        Appointment.objects.filter(pk=appointment.pk).update(starts_at=world.at(-3, 9))
    else:
        follow_up_services.cancel_appointment(actor=world.manager1, appointment=appointment)
    appointment.refresh_from_db()
    starts_at = appointment.starts_at
    response = manager.get(_edit(appointment))
    assert response.status_code == 200
    assert response.context["movable"] is False and response.context["times"] == []
    assert 'name="time"' not in response.content.decode()
    other = world.slot(day=3)
    response = manager.post(
        _edit(appointment),
        _edit_data(
            appointment,
            comment="Called back",
            email="anne@example.com",
            time=time_value(other, other.starts_at),
        ),
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.comment, appointment.email) == ("Called back", "anne@example.com")
    assert (appointment.slot, appointment.starts_at) == (slot, starts_at)


def test_management_3_does_not_edit_another_teams_appointment(world):
    appointment = book_person(world, world.slot(day=2, team=world.team_b))
    client = client_for(world, "manager3")
    assert client.get(_edit(appointment)).status_code == 404
    assert client.get(reverse("appointments:appointment", args=[appointment.pk])).status_code == 404
    assert client_for(world, "consult1").get(_edit(appointment)).status_code == 403


def test_changing_the_service_on_the_edit_page_keeps_a_slot_that_offers_it(world, manager):
    slot = world.slot(day=2)  # team A: first dose only
    appointment = book_person(world, slot)
    query = f"?service={world.second.pk}&location={world.location_a.pk}&date={iso_day(2)}"
    response = manager.post(
        _edit(appointment) + query, _edit_data(appointment, time=time_value(slot, slot.starts_at))
    )
    assert response.status_code == 200
    assert "does not offer" in " ".join(response.context["time_form"].errors["time"])
    appointment.refresh_from_db()
    assert appointment.service == world.first
