"""One set of channel rules for every message to the person (issue 14, duplicate D4):
booking.services.send_to_person serves the booking, the change, the cancellation, the reminder
and the relaunch; a changed booking's coupon goes by the same rules as the booking's."""

import pytest
from django.utils import timezone

from appointments.booking import services as booking_services
from appointments.follow_up import services as follow_up_services
from appointments.models import Appointment
from appointments.tests.conftest import book_person
from portal.models import Channel, Message

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def _move(world, appointment, slot):
    return follow_up_services.update_appointment(
        actor=world.manager1,
        appointment=appointment,
        details={
            "first_name": appointment.first_name,
            "last_name": appointment.last_name,
            "date_of_birth": appointment.date_of_birth,
            "email": appointment.email,
            "mobile_phone": appointment.mobile_phone,
            "details": appointment.details,
            "comment": appointment.comment,
        },
        slot=slot,
        service=world.first,
        starts_at=world.at(1, 9, 30),
    )


def _messages(appointment, suffix):
    return Message.objects.filter(key__startswith=f"appointments:{appointment.pk}:{suffix}")


def test_a_changed_booking_is_emailed_only_to_whom_asked_for_the_coupon(world):
    slot = world.slot(per_interval=2)
    asked = book_person(world, slot, email="anne@example.com", send_email=True)
    not_asked = book_person(world, slot, name=("Marc", "Roy"), email="marc@example.com", send_email=False)
    _move(world, asked, slot)
    _move(world, not_asked, slot)
    assert list(_messages(asked, "moved").values_list("channel", flat=True)) == [Channel.EMAIL]
    assert not _messages(not_asked, "moved").exists()


def test_a_changed_booking_carries_the_old_time_the_link_and_the_new_details(world):
    slot = world.slot(per_interval=2)
    appointment = book_person(world, slot, email="anne@example.com", send_email=True)
    before = timezone.localtime(appointment.starts_at).strftime("%H:%M")
    _move(world, appointment, slot)
    message = _messages(appointment, "moved").get()
    assert message.template == "appointments/emails/changed"
    assert message.context["old_time"] == before
    assert message.context["time"] == "09:30"
    assert message.context["number"] == appointment.number
    assert message.link.endswith(f"/r/{Appointment.objects.get(pk=appointment.pk).token}/")


def test_a_relaunch_and_a_cancellation_notice_carry_no_confirm_or_cancel_link(world):
    slot = world.slot(per_interval=2)
    appointment = book_person(world, slot, email="anne@example.com", send_email=False)
    follow_up_services.cancel_appointment(actor=world.manager1, appointment=appointment)
    follow_up_services.send_relaunch(actor=world.manager1, appointment=appointment)
    cancelled = _messages(appointment, "cancelled").get()
    relaunch = _messages(appointment, "relaunch").get()
    assert (cancelled.template, cancelled.link) == ("appointments/emails/cancelled", "")
    assert (relaunch.template, relaunch.link) == ("appointments/emails/relaunch_cancelled", "")


def test_the_daytime_and_coupon_rules_name_the_templates_that_exist():
    from pathlib import Path

    from django.conf import settings

    folder = Path(settings.BASE_DIR) / "templates" / "appointments" / "emails"
    for template in booking_services.COUPON_TEMPLATES + booking_services.DAYTIME_TEMPLATES:
        assert (folder / f"{template}_subject.txt").exists(), template
