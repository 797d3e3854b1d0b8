"""SMS through Twilio's official library, against a local fake of Twilio's HTTP API on loopback
(no internet): the provider's id kept on the message, timeouts and 5xx retried per notify's
rules, 4xx failed at once with the provider's reason, and numbers never in the logs."""

import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from portal import services
from portal.models import DeliveryStatus, Message, MessageStatus
from portal.tasks import send_message
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ACCOUNT = "AC" + "0" * 32
TOKEN = "test-auth-token"
NUMBER = "+15065550123"


class FakeTwilio:
    """Twilio's Messages API on 127.0.0.1: answers from a script, then 201 with a new id."""

    def __init__(self):
        self.requests = []
        self.script = []  # ("status", http status, twilio code, message) or ("slow", seconds)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = {key: values[0] for key, values in parse_qs(self.rfile.read(length).decode()).items()}
                fake.requests.append(
                    {"path": self.path, "form": form, "auth": self.headers.get("Authorization")}
                )
                step = fake.script.pop(0) if fake.script else ("ok",)
                if step[0] == "slow":
                    time.sleep(step[1])
                    step = ("ok",)
                if step[0] == "ok":
                    sid = f"SM{len(fake.requests):032d}"
                    self._answer(
                        201, {"sid": sid, "status": "queued", "to": form.get("To"), "account_sid": ACCOUNT}
                    )
                else:
                    _kind, status, code, text = step
                    self._answer(status, {"code": code, "message": text, "status": status})

            def _answer(self, status, payload):
                body = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client gave up (a timeout test)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def twilio(settings):
    with FakeTwilio() as fake:
        settings.SMS_BACKEND = "portal.sms_providers.TwilioBackend"
        settings.SMS_TWILIO_ACCOUNT_SID = ACCOUNT
        settings.SMS_TWILIO_AUTH_TOKEN = TOKEN
        settings.SMS_TWILIO_FROM = "+15065550100"
        settings.SMS_TWILIO_MESSAGING_SERVICE_SID = ""
        settings.SMS_TWILIO_API_URL = fake.url
        settings.SMS_TIMEOUT = 0.5
        yield fake


def _notify_sms(django_capture_on_commit_callbacks, key="sms"):
    user = UserFactory(phone=NUMBER, preferred_language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            key=key, template="portal/emails/task_assigned", recipient=user, channels=("sms",), link="/x/"
        )
    return Message.objects.get(key=f"{key}:sms")


def test_it_sends_through_twilio_and_keeps_the_providers_id(twilio, django_capture_on_commit_callbacks):
    message = _notify_sms(django_capture_on_commit_callbacks)
    assert message.status == MessageStatus.SENT
    assert message.provider_id == "SM" + "1".zfill(32)
    assert message.attempts == 1
    [request] = twilio.requests
    assert request["path"] == f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
    assert request["auth"].startswith("Basic ")
    assert request["form"]["To"] == NUMBER
    assert request["form"]["From"] == "+15065550100"
    assert request["form"]["Body"].startswith("Liaison : une nouvelle tâche vous attend")
    assert request["form"]["StatusCallback"] == "https://liaison.example.ca/sms/twilio/status/"


def test_a_messaging_service_replaces_the_sender_number(twilio, settings, django_capture_on_commit_callbacks):
    settings.SMS_TWILIO_MESSAGING_SERVICE_SID = "MG" + "1" * 32
    _notify_sms(django_capture_on_commit_callbacks)
    form = twilio.requests[0]["form"]
    assert form["MessagingServiceSid"] == "MG" + "1" * 32
    assert "From" not in form


def test_a_5xx_is_retried_and_the_next_attempt_sends(twilio, django_capture_on_commit_callbacks):
    twilio.script = [("status", 503, 20500, "Service unavailable")]
    message = _notify_sms(django_capture_on_commit_callbacks)
    # In-process, Celery's retries run at once: the first attempt failed, the second left.
    assert message.status == MessageStatus.SENT
    assert message.attempts == 2
    assert message.error == ""
    assert len(twilio.requests) == 2


def test_a_timeout_is_retried(twilio, django_capture_on_commit_callbacks):
    twilio.script = [("slow", 1.5)]
    message = _notify_sms(django_capture_on_commit_callbacks)
    assert message.status == MessageStatus.SENT
    assert message.attempts == 2


def test_5xx_until_the_last_try_fails_the_message_with_the_providers_reason(
    twilio, django_capture_on_commit_callbacks
):
    twilio.script = [("status", 500, 20500, "Internal error")] * (send_message.max_retries + 1)
    message = _notify_sms(django_capture_on_commit_callbacks)
    assert message.status == MessageStatus.FAILED
    assert message.attempts == send_message.max_retries + 1
    assert message.error == "Twilio 20500 (HTTP 500): Internal error"


def test_a_4xx_fails_at_once_with_the_providers_reason_and_no_number(
    twilio, django_capture_on_commit_callbacks, caplog
):
    twilio.script = [("status", 400, 21211, f"The 'To' number {NUMBER} is not a valid phone number.")]
    message = _notify_sms(django_capture_on_commit_callbacks)
    assert message.status == MessageStatus.FAILED
    assert message.attempts == 1
    assert len(twilio.requests) == 1
    reason = "Twilio 21211 (HTTP 400): The 'To' number [number] is not a valid phone number."
    assert message.error == reason
    assert message.delivery_status == DeliveryStatus.FAILED
    assert message.delivery_error == reason
    assert message.delivery_updated_at is not None
    assert NUMBER not in caplog.text
    assert "tâche" not in caplog.text


def test_too_many_requests_is_retried(twilio, django_capture_on_commit_callbacks):
    twilio.script = [("status", 429, 20429, "Too Many Requests")]
    message = _notify_sms(django_capture_on_commit_callbacks)
    assert message.status == MessageStatus.SENT
    assert message.attempts == 2


def test_a_provider_that_is_not_listening_is_retried_then_failed(
    settings, django_capture_on_commit_callbacks
):
    with FakeTwilio() as fake:
        url = fake.url  # a port that answered once, closed below
    settings.SMS_BACKEND = "portal.sms_providers.TwilioBackend"
    settings.SMS_TWILIO_ACCOUNT_SID, settings.SMS_TWILIO_AUTH_TOKEN = ACCOUNT, TOKEN
    settings.SMS_TWILIO_FROM, settings.SMS_TWILIO_API_URL, settings.SMS_TIMEOUT = "+15065550100", url, 0.5
    message = _notify_sms(django_capture_on_commit_callbacks)
    assert message.status == MessageStatus.FAILED
    assert message.attempts == send_message.max_retries + 1
    assert message.error == "Twilio could not be reached (ConnectionError)"


def test_the_twilio_backend_refuses_to_start_without_its_credentials():
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SMS_")}
    environment.update(SMS_BACKEND="portal.sms_providers.TwilioBackend", SMS_TWILIO_ACCOUNT_SID=ACCOUNT)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parents[2],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SMS_TWILIO_AUTH_TOKEN" in result.stderr
