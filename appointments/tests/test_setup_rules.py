"""Rules added after review: own pilot role, fixed-capacity teams, pilots counted as people,
changing a campaign's duration, and records of another application refused by the services."""

import pytest
from django.utils import translation

from appointments.accounts import services as accounts_services
from appointments.booking import services as booking_services
from appointments.configuration import services as configuration_services
from appointments.follow_up import services as follow_up_services
from appointments.models import Service
from portal.workflow import ActionError
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _message(error):
    with translation.override("en"):
        return " ".join(error.value.messages)


def test_a_pilot_cannot_change_or_end_their_own_pilot_role(world):
    membership = world.memberships["pilot"]
    with pytest.raises(ActionError) as error:
        accounts_services.change_role(
            actor=world.pilot,
            organization=world.clinic,
            membership=membership,
            role="appointments.management_1",
            location=None,
            valid_from=None,
            valid_to=None,
        )
    assert "own pilot role" in _message(error)
    membership.refresh_from_db()
    assert membership.role == "appointments.pilot"


def test_the_three_pilots_are_counted_as_people(world):
    MembershipFactory(organization=world.clinic, role="appointments.pilot")
    MembershipFactory(organization=world.clinic, role="appointments.pilot")
    # Changing a pilot's own dates keeps three people.
    accounts_services.change_role(
        organization=world.clinic,
        membership=world.memberships["pilot"],
        role="appointments.pilot",
        location=None,
        valid_from=None,
        valid_to=None,
    )
    with pytest.raises(ActionError) as error:
        accounts_services.add_role(
            organization=world.clinic,
            account=world.manager1,
            role="appointments.pilot",
            location=world.location_a,
            valid_from=None,
            valid_to=None,
        )
    assert "All locations" in _message(error)
    with pytest.raises(ActionError) as error:
        accounts_services.add_role(
            organization=world.clinic,
            account=world.manager1,
            role="appointments.pilot",
            location=None,
            valid_from=None,
            valid_to=None,
        )
    assert "three pilots" in _message(error)


def test_a_fixed_capacity_team_takes_one_appointment_per_interval(world):
    world.team_a.variable_capacity = False
    world.team_a.save()
    with pytest.raises(ActionError) as error:
        world.slot(team=world.team_a, per_interval=2)
    assert "fixed capacity" in _message(error)
    assert world.slot(team=world.team_a, per_interval=1).capacity == 4


def test_a_campaigns_duration_changes_for_both_doses_when_asked(world):
    world.second.duration_minutes = 20
    with pytest.raises(ActionError):
        configuration_services.save_service(organization=world.clinic, service=world.second)
    configuration_services.save_service(
        organization=world.clinic, service=world.second, apply_to_campaign=True
    )
    assert Service.objects.get(pk=world.first.pk).duration_minutes == 20
    assert Service.objects.get(pk=world.second.pk).duration_minutes == 20


def test_a_campaigns_duration_change_is_refused_when_upcoming_slots_use_the_other_dose(world):
    world.slot(team=world.team_b)  # the second dose, 15 minutes
    world.first.duration_minutes = 20
    with pytest.raises(ActionError) as error:
        configuration_services.save_service(
            organization=world.clinic, service=world.first, apply_to_campaign=True
        )
    assert "Upcoming slots" in _message(error)
    assert Service.objects.get(pk=world.second.pk).duration_minutes == 15


def test_a_slot_with_another_applications_service_is_refused(world):
    with pytest.raises(ActionError) as error:
        world.slot(services_=[world.other_service])
    assert "another application" in _message(error)


def test_the_role_list_shows_only_the_schedulers_roles(world):
    from appointments import selectors

    MembershipFactory(organization=world.clinic, role="portal.administrator", user=world.manager2)
    account = selectors.access_accounts(world.clinic).get(pk=world.manager2.pk)
    assert [m.role for m in account.clinic_memberships] == ["appointments.management_2"]


def test_staff_cannot_send_a_reminder_at_night(world, monkeypatch):
    from datetime import datetime, time

    from django.utils import timezone

    slot = world.slot(day=2)
    appointment = booking_services.book_place(
        actor=world.manager1,
        slot=slot,
        service=world.first,
        starts_at=slot.starts_at,
        first_name="Anne",
        last_name="Roy",
        email="anne@example.com",
    )
    night = timezone.make_aware(
        datetime.combine(timezone.localdate(), time(22, 30)), timezone.get_current_timezone()
    )
    monkeypatch.setattr(follow_up_services, "_clock", lambda: night)
    done, refused = follow_up_services.batch_action(
        actor=world.manager1, appointments=[appointment], action="reminder"
    )
    assert done == 0
    assert "between 21:00 and 8:00" in refused[0][1]
    appointment.refresh_from_db()
    assert appointment.reminders == 0


def _past(appointment, hours):
    """Move an appointment (and its slot) into the past, as if time had gone by."""
    from datetime import timedelta

    from appointments.models import Appointment, Slot

    shift = timedelta(hours=hours)
    Slot.objects.filter(pk=appointment.slot_id).update(
        starts_at=appointment.slot.starts_at - shift, ends_at=appointment.slot.ends_at - shift
    )
    Appointment.objects.filter(pk=appointment.pk).update(starts_at=appointment.starts_at - shift)
    appointment.refresh_from_db()
    return appointment


def test_a_past_appointment_never_blocks_booking_the_same_service_again(world):
    from appointments.tests.conftest import book_person

    first = book_person(world, world.slot(day=1, start=9, end=10))
    _past(first, 24 * 3)  # three days ago; nobody recorded the presence
    again = book_person(world, world.slot(day=2, start=9, end=10))
    assert again.pk != first.pk


def test_no_relaunch_for_a_person_who_booked_again_nor_for_old_cancellations(world):
    from datetime import timedelta

    from django.utils import timezone

    from appointments.models import Appointment, CommunicationRule
    from appointments.tests.conftest import book_person

    CommunicationRule.objects.create(
        organization=world.clinic, kind="cancellation_relaunch", is_active=True, delay_hours=2
    )
    rebooked = book_person(world, world.slot(day=1), email="anne@example.com")
    follow_up_services.cancel_appointment(actor=world.manager1, appointment=rebooked)
    book_person(world, world.slot(day=2), email="anne@example.com")
    old = book_person(world, world.slot(day=3), name=("Marc", "Roy"), email="marc@example.com")
    follow_up_services.cancel_appointment(actor=world.manager1, appointment=old)
    noon = timezone.make_aware(
        timezone.datetime.combine(timezone.localdate(), timezone.datetime.min.time().replace(hour=12)),
        timezone.get_current_timezone(),
    )
    Appointment.objects.filter(pk=rebooked.pk).update(cancelled_at=noon - timedelta(hours=3))
    Appointment.objects.filter(pk=old.pk).update(cancelled_at=noon - timedelta(days=30))

    assert follow_up_services.send_due_communications(now=noon) == 0
    rebooked.refresh_from_db()
    old.refresh_from_db()
    assert rebooked.relaunch_at is not None and rebooked.relaunches == 0
    assert old.relaunch_at is None


def test_the_absence_relaunch_counts_its_delay_from_the_appointment(world):
    from datetime import timedelta

    from django.utils import timezone

    from appointments.models import CommunicationRule
    from appointments.tests.conftest import book_person

    CommunicationRule.objects.create(
        organization=world.clinic, kind="absence_relaunch", is_active=True, delay_hours=2
    )
    appointment = _past(
        book_person(world, world.slot(day=1, start=9, end=10), email="anne@example.com"), 24 + 1
    )
    follow_up_services.mark_attendance(actor=world.manager1, appointment=appointment, attendance="absent")
    start = timezone.localtime(appointment.starts_at)
    assert follow_up_services.send_due_communications(now=start + timedelta(hours=1, minutes=59)) == 0
    assert follow_up_services.send_due_communications(now=start + timedelta(hours=2, minutes=1)) == 1
    appointment.refresh_from_db()
    assert appointment.relaunches == 1


def test_the_worker_holds_a_reminder_at_night_and_drops_it_once_cancelled(
    world, monkeypatch, django_capture_on_commit_callbacks, mailoutbox
):
    from datetime import timedelta

    from portal import services as portal_services
    from portal.models import Message
    from portal.tasks import send_message

    slot = world.slot(day=2)
    appointment = booking_services.book_place(
        actor=world.manager1,
        slot=slot,
        service=world.first,
        starts_at=slot.starts_at,
        first_name="Anne",
        last_name="Roy",
        email="anne@example.com",
    )
    monkeypatch.setattr(portal_services, "sending_time", lambda moment: moment + timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        follow_up_services.send_reminder(actor=world.manager1, appointment=appointment)
    message = Message.objects.get(template="appointments/emails/reminder")
    assert message.status == "queued" and mailoutbox == []
    follow_up_services.cancel_appointment(actor=world.manager1, appointment=appointment)
    monkeypatch.setattr(portal_services, "sending_time", lambda moment: moment)  # morning
    send_message(message.pk)
    message.refresh_from_db()
    assert message.status == "failed"
    assert not [mail for mail in mailoutbox if "confirm" in mail.subject.lower() and "#" in mail.subject]


def test_online_only_the_same_contact_replaces_a_second_dose(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    from appointments.tests.conftest import book_person, open_online_booking

    open_online_booking(world)
    later = world.slot(day=4, team=world.team_b)
    earlier = world.slot(day=2, team=world.team_b)
    with django_capture_on_commit_callbacks(execute=True):
        held = book_person(world, later, service=world.second, email="anne@example.com")
    with pytest.raises(ActionError) as error:
        book_person(world, earlier, service=world.second, actor=None, online=True, email="other@example.com")
    assert "already has an appointment" in _message(error)
    held.refresh_from_db()
    assert held.status == "booked"
    with django_capture_on_commit_callbacks(execute=True):
        new = book_person(
            world, earlier, service=world.second, actor=None, online=True, email="ANNE@example.com"
        )
    held.refresh_from_db()
    assert held.status == "cancelled" and new.replaced == held
    assert any(held.number in mail.subject for mail in mailoutbox)  # the old contact is told


def test_the_one_appointment_rule_uses_the_email_without_a_date_of_birth(world):
    from appointments.tests.conftest import book_person

    book_person(world, world.slot(day=2), born=None, email="anne@example.com")
    with pytest.raises(ActionError):
        book_person(world, world.slot(day=3), born=None, email="anne@example.com")
    book_person(world, world.slot(day=3, start=11, end=12), born=None)  # names only: no rule


def test_a_pilot_role_covers_all_locations(world):
    with pytest.raises(ActionError) as error:
        accounts_services.change_role(
            organization=world.clinic,
            membership=world.memberships["manager1"],
            role="appointments.pilot",
            location=world.location_a,
            valid_from=None,
            valid_to=None,
        )
    assert "All locations" in _message(error)


def test_public_links_with_odd_characters_answer_404(world):
    from django.test import Client

    client = Client()
    assert client.get("/appointments/r/%00abc/").status_code == 404
    assert client.get(f"/appointments/public/{world.clinic.pk}/confirmation/%00/").status_code == 404


def test_the_follow_up_finds_a_mobile_number_as_typed(world):
    from appointments import selectors
    from appointments.tests.conftest import book_person

    book_person(world, world.slot(day=1), mobile_phone="+15065550123")
    rows = selectors.follow_up_queryset(
        world.manager1, {"report": "all", "number": "", "phone": "506 555-0123"}
    )
    assert rows.count() == 0  # the period is today by default
    found = selectors.follow_up_queryset(
        world.manager1,
        {"report": "all", "period": "week", "date": world.at(1, 9).date(), "phone": "(506) 555-0123"},
    )
    assert found.count() == 1


def test_public_cancel_attempts_are_limited_per_address(world, settings):
    from django.test import Client
    from django.urls import reverse

    settings.APPOINTMENTS_PUBLIC_ATTEMPTS_PER_HOUR = 3
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("appointments:public_cancel", args=[world.clinic.pk])
    for _attempt in range(3):
        response = client.post(url, {"number": "ZZZZZZ", "last_name": "Roy"})
        assert "No appointment matches" in response.content.decode()
    response = client.post(url, {"number": "ZZZZZZ", "last_name": "Roy"})
    assert "Too many attempts" in response.content.decode()


def test_a_pilot_ends_someones_access(world):
    from django.utils import timezone

    from portal.models import Membership

    accounts_services.end_access(actor=world.pilot, organization=world.clinic, account=world.manager2)
    membership = Membership.objects.get(pk=world.memberships["manager2"].pk)
    assert membership.valid_to < timezone.localdate()
    assert not Membership.objects.valid_now().filter(user=world.manager2).exists()
    with pytest.raises(ActionError) as error:
        accounts_services.end_access(actor=world.pilot, organization=world.clinic, account=world.manager2)
    assert "already ended" in _message(error)
    with pytest.raises(ActionError):
        accounts_services.end_access(actor=world.pilot, organization=world.clinic, account=world.pilot)
