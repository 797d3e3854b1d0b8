"""Answering an offer SMS (issue 17): "1"/"OUI"/"YES" accepts the request offered, "2"/"NON"/"NO"
declines it, through Twilio's signed inbound webhook, matched by the interpreter's phone and the
offer waiting for their answer; the request's history says "SMS reply"; a repeat changes nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from twilio.request_validator import RequestValidator

from interpreters import sms_replies
from interpreters.models import RequestStatus
from interpreters.requests import services
from portal import sms
from portal.sms_services import help_text
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db

TOKEN = "test-auth-token"
PHONE = "+15145550123"


@pytest.fixture(autouse=True)
def _twilio(settings):
    settings.SMS_TWILIO_AUTH_TOKEN = TOKEN


@pytest.fixture
def send(client, django_capture_on_commit_callbacks):
    """An SMS sent to Liaison's number, signed as Twilio signs it; returns the texts sent back."""
    count = [0]

    def post(body, phone=PHONE):
        count[0] += 1
        params = {"MessageSid": f"SMi{count[0]}", "From": phone, "To": "+15065550100", "Body": body}
        path = reverse("portal:sms_twilio_inbound")
        signature = RequestValidator(TOKEN).compute_signature("https://liaison.example.ca" + path, params)
        before = len(sms.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)
        assert response.status_code == 200
        return [message["body"] for message in sms.outbox[before:] if message["to"] == phone]

    return post


@pytest.fixture
def offered(world, django_capture_on_commit_callbacks):
    """A request offered to the near interpreter, whose phone got the offer SMS."""
    user = world.near.user
    user.phone = PHONE
    user.save()

    def offer(interpreter=None, **changes):
        with django_capture_on_commit_callbacks(execute=True):
            return services.assign_interpreter(
                actor=world.coordinator,
                request=world.request(**changes),
                interpreter=interpreter or world.near,
            )

    return offer


def in_language(language, text, request):
    with translation.override(language):
        return gettext(text) % {
            "number": request.number,
            "date": request.date.isoformat(),
            "time": request.start_time.strftime("%H:%M"),
        }


ACCEPTED = "Liaison: you accepted request %(number)s (%(date)s %(time)s). Thank you."
DECLINED = "Liaison: you declined request %(number)s. The coordinators are told."


def sms_events(request):
    return list(request.events.filter(note=sms_replies.SMS_NOTE).values_list("action", "actor"))


def test_the_offer_sms_says_how_to_answer(world, offered):
    offered()
    body = sms.outbox[-1]["body"]
    assert sms.outbox[-1]["to"] == PHONE
    assert "Reply 1 to accept, 2 to decline." in body  # the interpreter's language: English


def test_a_yes_accepts_the_offer_and_a_repeat_changes_nothing(world, offered, send):
    request = offered()
    replies = send("1")
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED
    assert sms_events(request) == [("accept", world.near.user.pk)]
    assert replies == [in_language("en", ACCEPTED, request)]
    assert send("OUI") == replies
    assert sms_events(request) == [("accept", world.near.user.pk)]


def test_a_no_declines_the_offer_back_to_the_coordinators(world, offered, send):
    request = offered()
    replies = send("NON")
    request.refresh_from_db()
    assert request.status == RequestStatus.DECLINED
    assert request.interpreter is None
    assert sms_events(request) == [("decline", world.near.user.pk)]
    assert replies == [in_language("en", DECLINED, request)]
    assert send("2") == replies  # the repeat: nothing changes
    assert sms_events(request) == [("decline", world.near.user.pk)]


def test_the_answer_is_in_the_interpreters_language(world, offered, send):
    user = world.near.user
    user.preferred_language = "fr"
    user.save()
    request = offered()
    assert send("YES") == [in_language("fr", ACCEPTED, request)]


def test_an_offer_given_to_someone_else_since_is_no_longer_answered(world, offered, send):
    request = offered()
    services.assign_interpreter(actor=world.coordinator, request=request, interpreter=world.far)
    replies = send("1")
    request.refresh_from_db()
    assert (request.status, request.interpreter) == (RequestStatus.ASSIGNED, world.far)
    assert sms_events(request) == []
    assert replies == [
        in_language(
            "en", "Liaison: request %(number)s is no longer offered to you. Nothing was changed.", request
        )
    ]


def test_two_offers_waiting_are_not_guessed(world, offered, send):
    first = offered()
    second = offered(date=first.date + timedelta(days=1))
    replies = send("1")
    for request in (first, second):
        request.refresh_from_db()
        assert request.status == RequestStatus.ASSIGNED
    with translation.override("en"):
        assert replies == [
            gettext("Liaison: several requests are offered to you. Please answer each of them in Liaison.")
        ]


def test_an_unknown_number_gets_the_help(world, offered, send):
    request = offered()
    assert send("1", phone="+15145559999") == [help_text()]
    request.refresh_from_db()
    assert request.status == RequestStatus.ASSIGNED


def test_the_request_page_shows_the_sms_reply(world, offered, send):
    request = offered()
    send("1")
    coordinator = verified_client(world.coordinator, membership=world.coordinator_membership)
    page = coordinator.get(reverse("interpreters:request", args=[request.pk])).content.decode()
    assert "SMS reply" in page
