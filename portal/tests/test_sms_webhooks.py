"""Twilio's webhooks: delivery status callbacks recorded on the message, and the SMS people send
back handed to the apps' reply handlers (portal.sms.replies). Both are signed: a request Twilio
did not sign with our auth token gets 403 and changes nothing."""

from datetime import timedelta

import pytest
import time_machine
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from twilio.request_validator import RequestValidator

from portal import sms
from portal.models import DeliveryStatus, InboundSms, Message, MessageStatus
from portal.sms_services import HELP_INTERVAL, help_text, record_delivery_status
from tests.factories import UserFactory
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db

TOKEN = "test-auth-token"
SITE = "https://liaison.example.ca"
PHONE = "+15065550123"


@pytest.fixture(autouse=True)
def _twilio(settings):
    settings.SMS_TWILIO_AUTH_TOKEN = TOKEN


@pytest.fixture
def handlers():
    """Reply handlers registered for one test, and removed after it."""
    added = []

    def register(handler):
        sms.replies.register(handler)
        added.append(handler)
        return handler

    yield register
    for handler in added:
        sms.replies.unregister(handler)


def signed_post(client, name, params, *, token=TOKEN, signature=None):
    path = reverse(name)
    if signature is None:
        signature = RequestValidator(token).compute_signature(SITE + path, params)
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)


def status(client, sid, state, **extra):
    return signed_post(
        client, "portal:sms_twilio_status", {"MessageSid": sid, "MessageStatus": state, **extra}
    )


def inbound(client, sid, body, phone=PHONE):
    return signed_post(
        client,
        "portal:sms_twilio_inbound",
        {"MessageSid": sid, "From": phone, "To": "+15065550100", "Body": body},
    )


def sent_sms(sid="SM1"):
    return Message.objects.create(
        key=f"sms:{sid}",
        channel="sms",
        template="t",
        to_address=PHONE,
        language="fr",
        status=MessageStatus.SENT,
        sent_at=timezone.now(),
        provider_id=sid,
    )


# Status callbacks ----------------------------------------------------------------------------


def test_it_records_delivered(client):
    message = sent_sms()
    assert status(client, "SM1", "delivered").status_code == 204
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.DELIVERED
    assert message.delivery_error == ""
    assert message.delivery_updated_at is not None
    assert message.status == MessageStatus.SENT


def test_it_records_failed_with_the_providers_reason(client):
    message = sent_sms()
    status(client, "SM1", "undelivered", ErrorCode="30003")
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.UNDELIVERED
    assert message.delivery_error == "30003: Unreachable destination handset"
    second = sent_sms("SM2")
    status(client, "SM2", "failed", ErrorCode="39999")
    second.refresh_from_db()
    assert (second.delivery_status, second.delivery_error) == (DeliveryStatus.FAILED, "39999")


def test_the_same_callback_twice_changes_nothing_and_a_late_sent_never_undoes_delivered(client):
    message = sent_sms()
    status(client, "SM1", "sent")
    status(client, "SM1", "delivered")
    message.refresh_from_db()
    first = message.delivery_updated_at
    assert status(client, "SM1", "delivered").status_code == 204
    assert status(client, "SM1", "sent").status_code == 204
    assert status(client, "SM1", "queued").status_code == 204
    message.refresh_from_db()
    assert (message.delivery_status, message.delivery_updated_at) == (DeliveryStatus.DELIVERED, first)
    assert record_delivery_status(provider_id="SM1", status="delivered") is None


def test_an_unknown_message_id_is_answered_and_ignored(client):
    assert status(client, "SM404", "delivered").status_code == 204
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    "signature",
    [
        "",  # none
        "not-a-signature",
        RequestValidator("another-token").compute_signature(
            f"{SITE}/sms/twilio/status/", {"MessageSid": "SM1"}
        ),
    ],
)
def test_a_bad_signature_is_refused_and_changes_nothing(client, signature):
    message = sent_sms()
    response = signed_post(
        client,
        "portal:sms_twilio_status",
        {"MessageSid": "SM1", "MessageStatus": "failed"},
        signature=signature,
    )
    assert response.status_code == 403
    message.refresh_from_db()
    assert message.delivery_status == ""


def test_a_signature_over_other_parameters_is_refused(client):
    message = sent_sms()
    signature = RequestValidator(TOKEN).compute_signature(
        f"{SITE}/sms/twilio/status/", {"MessageSid": "SM1", "MessageStatus": "delivered"}
    )
    response = signed_post(
        client,
        "portal:sms_twilio_status",
        {"MessageSid": "SM1", "MessageStatus": "failed"},
        signature=signature,
    )
    assert response.status_code == 403
    message.refresh_from_db()
    assert message.delivery_status == ""


def test_without_an_auth_token_every_webhook_is_refused(client, settings):
    settings.SMS_TWILIO_AUTH_TOKEN = ""
    sent_sms()
    assert status(client, "SM1", "delivered").status_code == 403
    assert inbound(client, "SM9", "OUI").status_code == 403
    assert not InboundSms.objects.exists()


def test_the_webhooks_take_only_post(client):
    assert client.get(reverse("portal:sms_twilio_status")).status_code == 405
    assert client.get(reverse("portal:sms_twilio_inbound")).status_code == 405


def test_staff_see_the_delivery_on_the_outbox(client, settings):
    settings.DEBUG = True
    sent_sms()
    status(client, "SM1", "undelivered", ErrorCode="30005")
    staff = verified_client(UserFactory(is_staff=True, preferred_language="en"))
    page = staff.get(reverse("portal:outbox")).content.decode()
    assert "Delivery" in page
    assert "Not delivered (undelivered) (30005: Unknown destination handset)" in page


# Replies ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "answer", "language"),
    [
        ("1", "yes", "fr"),
        ("OUI", "yes", "fr"),
        ("oui", "yes", "fr"),
        ("YES", "yes", "en"),
        (" Yes.", "yes", "en"),
        ("2", "no", "fr"),
        ("NON", "no", "fr"),
        ("NO", "no", "en"),
        ("non!", "no", "fr"),
        ("Peut-être", None, "fr"),
        ("Oui merci", "yes", "fr"),
        ("Non, merci.", "no", "fr"),
        ("oui pour 2", None, "fr"),
        ("Yes no", None, "en"),
        ("merci oui", None, "fr"),
        ("", None, "fr"),
    ],
)
def test_answers_are_normalised(body, answer, language):
    assert sms.normalise_answer(body) == answer
    assert sms.guess_language(body) == language


def test_a_handler_answers_a_reply_through_notify(client, handlers, django_capture_on_commit_callbacks):
    heard = []

    @handlers
    def confirm(incoming):
        heard.append(incoming)
        return "Liaison : rendez-vous no 42 confirmé." if incoming.answer == "yes" else None

    with django_capture_on_commit_callbacks(execute=True):
        response = inbound(client, "SMa1", " Oui. ")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml"
    assert response.content.decode().endswith("<Response />")
    assert heard == [
        sms.IncomingSms(phone=PHONE, body=" Oui. ", answer="yes", language="fr", provider_id="SMa1")
    ]
    assert sms.outbox == [{"to": PHONE, "body": "Liaison : rendez-vous no 42 confirmé."}]
    received = InboundSms.objects.get()
    assert (received.answer, received.language, received.body) == ("yes", "fr", " Oui. ")
    assert received.handled_by.endswith("confirm")
    assert received.reply.status == MessageStatus.SENT
    assert received.reply.language == "fr"


def test_the_same_reply_delivered_twice_is_handled_and_answered_once(
    client, handlers, django_capture_on_commit_callbacks
):
    calls = []
    handlers(lambda incoming: calls.append(incoming) or "Cancelled.")
    with django_capture_on_commit_callbacks(execute=True):
        first = inbound(client, "SMdup", "NO")
        second = inbound(client, "SMdup", "NO")
    assert first.status_code == second.status_code == 200
    assert len(calls) == 1
    assert InboundSms.objects.count() == 1
    assert sms.outbox == [{"to": PHONE, "body": "Cancelled."}]


def test_the_first_handler_with_a_text_takes_it(client, handlers, django_capture_on_commit_callbacks):
    handlers(lambda incoming: None)
    handlers(lambda incoming: "Second.")
    handlers(lambda incoming: "Third.")
    with django_capture_on_commit_callbacks(execute=True):
        inbound(client, "SMo", "1")
    assert sms.outbox == [{"to": PHONE, "body": "Second."}]


def test_a_reply_no_handler_takes_gets_the_bilingual_help_once_in_a_while(
    client, handlers, django_capture_on_commit_callbacks
):
    handlers(lambda incoming: None)
    with django_capture_on_commit_callbacks(execute=True):
        inbound(client, "SMh1", "Bonjour, c'est pour demain?")
        # An automatic responder answering our help would loop: one help per interval.
        inbound(client, "SMh2", "Bonjour?")
    assert sms.outbox == [{"to": PHONE, "body": help_text()}]
    assert InboundSms.objects.get(provider_id="SMh2").reply is None
    with (
        time_machine.travel(timezone.now() + HELP_INTERVAL + timedelta(minutes=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        inbound(client, "SMh3", "?")
    assert len(sms.outbox) == 2


def test_the_help_is_in_french_then_english():
    french, english = help_text().split(" / ")
    assert english == "Liaison: reply 1 (YES) to confirm or 2 (NO) to cancel."
    with translation.override("fr"):
        assert french == gettext("Liaison: reply 1 (YES) to confirm or 2 (NO) to cancel.")


def test_a_failing_handler_is_skipped_and_the_sender_still_gets_help(
    client, handlers, django_capture_on_commit_callbacks, caplog
):
    @handlers
    def broken(incoming):
        InboundSms.objects.update(answer="no")  # undone with the handler's savepoint
        raise RuntimeError("the handler's bug")

    with django_capture_on_commit_callbacks(execute=True):
        assert inbound(client, "SMx", "OUI").status_code == 200
    assert sms.outbox == [{"to": PHONE, "body": help_text()}]
    received = InboundSms.objects.get()
    assert (received.answer, received.handled_by) == ("yes", "")
    assert "reply handler" in caplog.text


def test_an_inbound_sms_is_audited_without_its_text_and_never_logged(client, handlers, caplog):
    caplog.set_level("DEBUG")
    handlers(lambda incoming: "Merci, Tremblay.")
    inbound(client, "SMaud", "Hein? pour ma fille")
    received = InboundSms.objects.get()
    entries = LogEntry.objects.get_for_object(received)
    assert entries.filter(action=LogEntry.Action.CREATE).count() == 1
    assert all("body" not in entry.changes_dict for entry in entries)
    assert "ma fille" not in caplog.text
    assert "Tremblay" not in caplog.text
    assert PHONE not in caplog.text


def test_an_inbound_sms_without_its_id_or_sender_is_refused(client):
    assert signed_post(client, "portal:sms_twilio_inbound", {"Body": "OUI"}).status_code == 400
    assert not InboundSms.objects.exists()
