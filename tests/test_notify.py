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
    assert "1er décembre 2026" in mailoutbox[0].body


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


# Dotted paths stored in the database: only declared functions are ever imported -------------


def _stored_message(user, **context):
    """A queued message as a row of the database holds it (e.g. one written by hand or tampered)."""
    return Message.objects.create(
        key=f"stored:{len(context)}:{sorted(context)}",
        channel="email",
        template="portal/emails/task_assigned",
        context=context,
        recipient=user,
        to_address=user.email,
        language="en",
    )


@pytest.mark.parametrize(
    "context",
    [
        {"_attachments": [["os.system", {"command": "touch /tmp/pwned"}]]},
        {"_send_only_if": ["os.system", {"command": "touch /tmp/pwned"}]},
        {"_on_sent": ["os.system", {"command": "touch /tmp/pwned"}]},
        {"_on_failed": ["os.system", {"command": "touch /tmp/pwned"}]},
    ],
)
def test_a_message_naming_an_undeclared_function_fails_without_importing_it(context, mailoutbox):
    from unittest import mock

    message = _stored_message(UserFactory(), **context)
    with mock.patch("portal.outbound.import_string") as importing:
        assert send_message.apply(args=[message.pk]).get() is False
    importing.assert_not_called()
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert "'os.system' is not on the list of functions a worker may call" in message.error
    assert mailoutbox == []


def test_notify_refuses_an_undeclared_function_before_storing_anything():
    from portal.outbound import NotAllowed

    with pytest.raises(NotAllowed):
        services.notify(
            key="undeclared",
            template="portal/emails/task_assigned",
            recipient=UserFactory(),
            attachments=[["os.system", {"command": "true"}]],
        )
    assert not Message.objects.exists()


def test_an_export_naming_an_undeclared_builder_fails_without_importing_it():
    from unittest import mock

    from portal import exports
    from portal.models import Export, ExportStatus
    from portal.outbound import NotAllowed
    from portal.tasks import build_export

    user = UserFactory()
    with pytest.raises(NotAllowed):
        exports.request_export(user=user, exporter="os.system", params={}, fmt="csv", name="x")
    export = Export.objects.create(user=user, exporter="os.system", params={}, fmt="csv", name="Tampered")
    with mock.patch("portal.outbound.import_string") as importing:
        assert build_export.apply(args=[export.pk]).get() is False
    importing.assert_not_called()
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED


def test_declared_hooks_hear_how_the_message_went(settings, mailoutbox):
    from portal import outbound

    outbound.allow("tests.test_notify.record_hook")
    heard.clear()
    user = UserFactory()
    services.notify(
        key="hooked",
        template="portal/emails/task_assigned",
        recipient=user,
        on_sent=["tests.test_notify.record_hook", {"name": "sent"}],
        on_failed=["tests.test_notify.record_hook", {"name": "failed"}],
    )
    assert heard == [{"name": "sent", "attempts": 1}]
    settings.EMAIL_BACKEND = "tests.test_notify.BrokenBackend"
    services.notify(
        key="hooked-broken",
        template="portal/emails/task_assigned",
        recipient=user,
        on_failed=["tests.test_notify.record_hook", {"name": "failed"}],
    )
    assert heard[1] == {
        "name": "failed",
        "attempts": send_message.max_retries + 1,
        "reason": "mail server down",
    }


def test_with_the_broker_down_a_message_stays_queued_and_the_requeue_sends_it_once(mailoutbox):
    from tests.outage import broker_down, requeue_later

    user = UserFactory()
    with broker_down():
        services.notify(key="outage", template="portal/emails/task_assigned", recipient=user, link="/")
    assert Message.objects.get().status == MessageStatus.QUEUED
    assert mailoutbox == []
    with broker_down():
        assert requeue_later()["messages"] == 1  # still down: stays queued
    assert requeue_later()["messages"] == 1
    assert requeue_later()["messages"] == 0
    assert len(mailoutbox) == 1


heard = []


def record_hook(**values):
    heard.append(values)
