"""The notify service: email and SMS, queued on commit, idempotent, in the recipient's language."""

import pytest
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import services, sms
from portal.models import Message, MessageStatus
from portal.tasks import send_message
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_sends_email_and_sms_in_the_recipients_language_with_an_absolute_link(mailoutbox):
    user = UserFactory(preferred_language="en", phone="+15065550123", last_name="Tremblay")
    services.create_task(
        assignee=user,
        title=_("Welcome to Liaison: review your profile and language"),
        due_date=timezone.localdate(),
        link="/profile/",
        send_email=True,
    )
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.subject == "Liaison: a new task is waiting for you"
    assert "https://liaison.example.ca/profile/" in email.body
    assert 'href="https://liaison.example.ca/profile/"' in email.alternatives[0][0]
    assert "Tremblay" not in email.subject
    services.notify(
        key="sms-test", template="portal/emails/task_assigned", recipient=user, channels=("sms",), link="/x/"
    )
    assert sms.outbox == [
        {
            "to": "+15065550123",
            "body": "Liaison: a new task is waiting for you. https://liaison.example.ca/x/",
        }
    ]


def test_french_recipients_get_french(mailoutbox):
    user = UserFactory(preferred_language="fr")
    services.notify(
        key="fr",
        template="portal/emails/task_assigned",
        recipient=user,
        link="/",
        context={"due_date": "2026-12-01"},
    )
    assert mailoutbox[0].subject == "Liaison : une nouvelle tâche vous attend"
    assert "1 décembre 2026" in mailoutbox[0].body


def test_the_same_key_never_sends_twice(mailoutbox):
    user = UserFactory()
    for _attempt in range(3):
        services.notify(key="once", template="portal/emails/task_assigned", recipient=user, link="/")
    assert len(mailoutbox) == 1
    message = Message.objects.get()
    assert send_message.apply(args=[message.pk]).get() is False  # a retried task
    assert len(mailoutbox) == 1


def test_nothing_is_sent_when_the_transaction_rolls_back(mailoutbox):
    user = UserFactory()
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            services.notify(
                key="rolled-back", template="portal/emails/task_assigned", recipient=user, link="/"
            )
            raise RuntimeError
    assert mailoutbox == []
    assert not Message.objects.exists()


def test_it_waits_for_the_commit_before_sending(mailoutbox):
    user = UserFactory()
    with transaction.atomic():
        services.notify(key="later", template="portal/emails/task_assigned", recipient=user, link="/")
        assert mailoutbox == []
    assert len(mailoutbox) == 1
    assert Message.objects.get().status == MessageStatus.SENT


def test_a_failed_send_is_recorded_and_retried(settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.test_notify.BrokenBackend"
    user = UserFactory()
    services.notify(key="broken", template="portal/emails/task_assigned", recipient=user, link="/")
    message = Message.objects.get()
    # In-process, Celery's retries run at once: every attempt is counted, then it gives up.
    assert message.status == MessageStatus.FAILED
    assert message.attempts == send_message.max_retries + 1
    assert "mail server down" in message.error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_message.apply(args=[message.pk]).get() is True
    assert len(mailoutbox) == 1


def test_file_backends_write_under_var(settings, tmp_path):
    settings.SMS_BACKEND = "portal.sms.FileBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms")
    sms.send_sms(to="+15065550123", body="Liaison: OS-0001756 https://liaison.example.ca/x/")
    files = list((tmp_path / "sms").iterdir())
    assert len(files) == 1
    assert "OS-0001756" in files[0].read_text()


def test_a_recipient_without_a_phone_gets_no_sms():
    user = UserFactory(phone="")
    assert (
        services.notify(
            key="no-phone", template="portal/emails/task_assigned", recipient=user, channels=("sms",)
        )
        == []
    )


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("mail server down")
