"""SMS backends, pluggable like Django's email backends (setting SMS_BACKEND), and the registry
of reply handlers for the SMS people send back.

A backend is a class with `send(*, to, body)` that returns the provider's message id (or None).
The defaults write files (development), keep messages in memory (tests) or print them; the real
provider is portal.sms_providers.TwilioBackend. A provider's refusal raises `SmsRejected` (never
retried: a bad number stays bad); a provider that is away or slow raises `SmsUnavailable`, an
OSError, which notify's worker retries (portal.services.send_queued_message).

Bodies and phone numbers are never logged here: an SMS may answer a question about someone's health.
"""

import logging
import re
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsRejected(Exception):
    """The provider refused the message for good (4xx: a bad number, an opted-out person)."""

    def __init__(self, reason, *, code=""):
        super().__init__(reason)
        self.reason = reason
        self.code = str(code or "")


class SmsUnavailable(OSError):
    """The provider could not take the message now (timeout, 5xx): worth another try."""

    def __init__(self, reason, *, code=""):
        super().__init__(reason)
        self.reason = reason
        self.code = str(code or "")

    def __str__(self):
        return self.reason


class BaseBackend:
    def send(self, *, to, body):
        """Send one SMS; return the provider's message id, or None when there is no provider."""
        raise NotImplementedError


class FileBackend(BaseBackend):
    """One file per message under SMS_FILE_PATH."""

    _lock = threading.Lock()

    def send(self, *, to, body):
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S-%f")
        with self._lock:
            path = folder / f"{stamp}.txt"
            path.write_text(f"From: {settings.SMS_FROM}\nTo: {to}\n\n{body}\n", encoding="utf-8")
        return None


# Messages sent through the locmem backend, for tests (like django.core.mail.outbox).
outbox = []


class LocmemBackend(BaseBackend):
    def send(self, *, to, body):
        outbox.append({"to": to, "body": body})


class ConsoleBackend(BaseBackend):
    def send(self, *, to, body):
        print(f"SMS to {to}: {body}")


def get_backend():
    return import_string(settings.SMS_BACKEND)()


def send_sms(*, to, body):
    """Send now through the configured backend; the provider's message id, or None."""
    return get_backend().send(to=to, body=body)


# Replies ------------------------------------------------------------------------------------

YES, NO = "yes", "no"
_ANSWERS = {"1": YES, "oui": YES, "yes": YES, "2": NO, "non": NO, "no": NO}
_FRENCH, _ENGLISH = {"oui", "non"}, {"yes", "no"}


def _words(body):
    """Lower-case words without accents or punctuation: ' Oui. ' -> ['oui']."""
    folded = unicodedata.normalize("NFKD", body or "").encode("ascii", "ignore").decode().lower()
    return re.findall(r"[a-z0-9]+", folded)


def normalise_answer(body):
    """'1', 'OUI', ' Yes.', 'Oui merci' -> 'yes'; '2', 'non', 'NO!' -> 'no'; anything else
    (no answer first, or two answers that disagree: 'oui pour 2') -> None."""
    words = _words(body)
    if not words or words[0] not in _ANSWERS:
        return None
    answers = {_ANSWERS[word] for word in words if word in _ANSWERS}
    return answers.pop() if len(answers) == 1 else None


def guess_language(body):
    """'fr' or 'en' from the words of a short reply; the site's language when they do not say."""
    words = set(_words(body))
    if words & _ENGLISH and not words & _FRENCH:
        return "en"
    if words & _FRENCH and not words & _ENGLISH:
        return "fr"
    return settings.LANGUAGE_CODE


@dataclass(frozen=True)
class IncomingSms:
    """What a reply handler receives: the sender's number (E.164), the text as sent, the answer
    it stands for ('yes', 'no' or None), the language it seems to be in, the provider's id."""

    phone: str
    body: str
    answer: str | None
    language: str
    provider_id: str


Handler = Callable[[IncomingSms], str | None]


class ReplyRegistry:
    """Apps register a handler for the SMS people send back (in their AppConfig.ready):

        from portal.sms import replies
        replies.register(appointments.replies.handle)

    Handlers are asked in the order they registered; the first that returns a text (the reply to
    send) takes the message. A handler that does not recognise it (no appointment awaiting an
    answer from that number) returns None. When none takes it, portal answers with a short help.
    """

    def __init__(self) -> None:
        self._handlers: list[Handler] = []

    def register(self, handler: Handler) -> Handler:
        if handler not in self._handlers:
            self._handlers.append(handler)
        return handler

    def unregister(self, handler: Handler) -> None:
        if handler in self._handlers:
            self._handlers.remove(handler)

    def handlers(self) -> list[Handler]:
        return list(self._handlers)


replies = ReplyRegistry()


def handler_name(handler):
    return f"{getattr(handler, '__module__', '?')}.{getattr(handler, '__qualname__', type(handler).__name__)}"
