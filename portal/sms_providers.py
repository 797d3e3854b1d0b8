"""Real SMS providers, through their official libraries: Twilio (SMS_BACKEND =
"portal.sms_providers.TwilioBackend", settings SMS_TWILIO_*).

Sending returns the provider's message id, which notify keeps on the Message; Twilio then calls
the status webhook (portal.sms_webhooks) as the message goes to the carrier and the phone. What
the provider says is sorted the way notify's worker retries (portal.services.send_queued_message):

- a timeout, a connection error, a 5xx or a 429 (too many requests) raise sms.SmsUnavailable,
  an OSError: the message stays queued and Celery tries again, up to notify's last try;
- any other 4xx (a bad number, a person who answered STOP) raises sms.SmsRejected: failed at
  once, with the provider's code and reason on the message.

Reasons are kept without phone numbers (Twilio's own text may quote the number), because they
reach the logs. Bodies are never logged.
"""

import re

import requests
from django.conf import settings
from django.urls import reverse
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from portal.sms import BaseBackend, SmsRejected, SmsUnavailable

TWILIO_API = "https://api.twilio.com"
_NUMBER = re.compile(r"\+?\d[\d ().-]{5,}\d")


def without_numbers(text):
    """A provider's reason with any phone number in it replaced: "The 'To' number [number]…"."""
    return _NUMBER.sub("[number]", str(text or "")).strip()


class _HttpClient(TwilioHttpClient):
    """Twilio's own HTTP client, sent to SMS_TWILIO_API_URL instead of api.twilio.com when set."""

    def __init__(self, *, base_url, timeout):
        super().__init__(timeout=timeout)
        self.base_url = base_url.rstrip("/")

    def request(self, method, url, *args, **kwargs):
        if self.base_url and url.startswith(TWILIO_API):
            url = self.base_url + url[len(TWILIO_API) :]
        return super().request(method, url, *args, **kwargs)


def twilio_client():
    return Client(
        settings.SMS_TWILIO_ACCOUNT_SID,
        settings.SMS_TWILIO_AUTH_TOKEN,
        http_client=_HttpClient(base_url=settings.SMS_TWILIO_API_URL, timeout=settings.SMS_TIMEOUT),
    )


def status_callback_url():
    return settings.SITE_URL + reverse("portal:sms_twilio_status")


class TwilioBackend(BaseBackend):
    def send(self, *, to, body):
        sender = (
            {"messaging_service_sid": settings.SMS_TWILIO_MESSAGING_SERVICE_SID}
            if settings.SMS_TWILIO_MESSAGING_SERVICE_SID
            else {"from_": settings.SMS_TWILIO_FROM}
        )
        try:
            message = twilio_client().messages.create(
                to=to, body=body, status_callback=status_callback_url(), **sender
            )
        except TwilioRestException as error:
            text = without_numbers(str(error.msg).removeprefix("Unable to create record: "))
            reason = f"Twilio {error.code or '-'} (HTTP {error.status}): {text}"
            if error.status >= 500 or error.status == 429:
                raise SmsUnavailable(reason, code=error.code or "") from None
            raise SmsRejected(reason, code=error.code or "") from None
        except requests.Timeout:
            raise SmsUnavailable(f"Twilio did not answer within {settings.SMS_TIMEOUT:g} s") from None
        except (requests.RequestException, TwilioException) as error:
            raise SmsUnavailable(f"Twilio could not be reached ({type(error).__name__})") from None
        return message.sid


def valid_twilio_signature(request):
    """Whether a webhook request was signed by Twilio with our auth token, for our public address.

    The address is SITE_URL's (what Twilio was given), not the one this process sees behind a
    proxy. Without an auth token nothing is valid (an empty key would be easy to forge).
    """
    token = settings.SMS_TWILIO_AUTH_TOKEN
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    url = settings.SITE_URL + request.get_full_path()
    return RequestValidator(token).validate(url, request.POST, signature)
