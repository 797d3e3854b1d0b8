"""A reminder SMS answered "1" in real Chromium, in French and in English (issue 17).

A person booked with SMS gets the reminder and answers "1" (Twilio's signed webhook, posted to the
live server); a Management #1 then opens the person's appointment page: its status is confirmed
and its history shows the confirmation, by SMS reply, with no staff name."""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from twilio.request_validator import RequestValidator

from appointments import sms_replies
from appointments.follow_up import services as follow_up_services
from appointments.models import AppointmentStatus
from appointments.tests.conftest import World, book_person
from portal import sms
from tests.browser import language_cookie, session_cookie
from tests.factories import totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MANAGER = "appointments.management_1"
TOKEN = "test-auth-token"
MOBILE = "+15065550123"
WORDS = {
    "fr": {"history": "Historique", "status": "Confirmé", "reminder": "Rappel envoyé"},
    "en": {"history": "History", "status": "Confirmed", "reminder": "Reminder sent"},
}


def answer_by_sms(context, live_server, body):
    """What Twilio posts when the person answers, signed with our auth token."""
    path = reverse("portal:sms_twilio_inbound")
    params = {"MessageSid": f"SMbrowser{body}", "From": MOBILE, "To": "+15065550100", "Body": body}
    signature = RequestValidator(TOKEN).compute_signature("https://liaison.example.ca" + path, params)
    response = context.request.post(
        live_server.url + path, form=params, headers={"X-Twilio-Signature": signature}
    )
    assert response.status == 200


@pytest.mark.parametrize("language", ["fr", "en"])
def test_an_sms_yes_shows_as_a_confirmation_in_the_persons_history(
    live_server, context, settings, monkeypatch, language
):
    settings.SMS_TWILIO_AUTH_TOKEN = TOKEN
    # Staff send reminders by hand only in the daytime: this runs at any hour.
    monkeypatch.setattr(follow_up_services, "_check_daytime", lambda: None)
    from portal import services as portal_services

    monkeypatch.setattr(portal_services, "sending_time", lambda moment: moment)
    words = WORDS[language]
    world = World()
    appointment = book_person(world, world.slot(day=2), mobile_phone=MOBILE, send_sms=True, language=language)
    follow_up_services.send_reminder(actor=world.manager1, appointment=appointment)
    assert [message["to"] for message in sms.outbox] == [MOBILE, MOBILE]  # the coupon, the reminder

    answer_by_sms(context, live_server, "1")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CONFIRMED

    totp_device(world.manager1)
    world.manager1.preferred_language = language
    world.manager1.save(update_fields=["preferred_language"])
    context.add_cookies(
        [
            language_cookie(live_server.url, language),
            session_cookie(live_server.url, world.manager1, role=MANAGER),
        ]
    )
    page = context.new_page()
    page.goto(live_server.url + reverse("appointments:appointment", args=[appointment.pk]))
    history = page.locator("ul.history")
    page.get_by_role("heading", name=words["history"], exact=True).wait_for()
    with translation.override(language):
        note = gettext(sms_replies.SMS_NOTE)  # "Réponse par SMS" / "SMS reply"
    confirmed = history.locator("li").filter(has_text=re.compile(re.escape(f"{words['status']} — {note}")))
    assert confirmed.count() == 1
    # No staff name on that line: the person answered.
    assert "(" not in confirmed.inner_text()
    assert history.locator("li").filter(has_text=words["reminder"]).count() == 1
