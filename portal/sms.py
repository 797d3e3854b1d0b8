"""SMS backends, pluggable like Django's email backends (setting SMS_BACKEND).

A backend is a class with `send(to, body)`. Real providers are added as backends; the defaults
write files (development), keep messages in memory (tests) or print them.
"""

import threading
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class BaseBackend:
    def send(self, *, to, body):
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
        return path


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
    return get_backend().send(to=to, body=body)
