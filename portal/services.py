"""Every write of the shared layer: keyword-only functions, atomic.

Apps call these to create tasks and notifications, to send email and SMS, and to record that
someone looked at a personal record.
"""

import logging
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any
from urllib.parse import urljoin

from auditlog.signals import accessed
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Model, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise

from portal import outbound, queue, sms
from portal.dates import QUIET_FROM, QUIET_UNTIL, next_sending_time  # noqa: F401 (re-exported)
from portal.links import about, record_link_of
from portal.models import (
    Channel,
    DeliveryStatus,
    Message,
    MessageStatus,
    Notification,
    Organization,
    Task,
    User,
)

# A function the worker calls, named so that a queued message survives a restart:
# [dotted path, {keyword arguments}].
Hook = Sequence[Any]
# A gettext_lazy string or a plain one.
StrOrPromise = str | Promise

LANGUAGE_CODES = [code for code, _label in settings.LANGUAGES]
# The worker's side of notify, queued by name (portal.queue): this module never imports its tasks.
SEND_MESSAGE = "portal.tasks.send_message"
logger = logging.getLogger(__name__)


def absolute_url(path_or_url: str | None) -> str:
    """Links in messages are absolute, built on SITE_URL."""
    if not path_or_url:
        return ""
    if path_or_url.startswith(("http://", "https://")):
        return path_or_url
    return urljoin(settings.SITE_URL + "/", path_or_url.lstrip("/"))


def _in_each_language(text: StrOrPromise, params: dict[str, Any] | None) -> dict[str, str]:
    """{"title_fr": ..., "title_en": ...} from a lazy translatable string and its parameters."""
    values = {}
    for code in LANGUAGE_CODES:
        with translation.override(code):
            values[code] = str(text) % params if params else str(text)
    return values


# Tasks and notifications ----------------------------------------------------------------------


def _check_link(link: str) -> None:
    """Home-page items link to a page of this site: a path, never another site or a script."""
    if not link.startswith("/") or link.startswith("//"):
        raise ValueError(f"A task or notification links to a path of the site, not {link!r}.")


def _create_home_item(
    model: type[Task] | type[Notification],
    *,
    person_field: str,
    person: User,
    title: StrOrPromise,
    params: dict[str, Any] | None,
    key: str | None,
    link: str,
    record: Model | None,
    purpose: str,
    details: dict[str, str] | None = None,
    **fields: Any,
) -> Any:
    _check_link(link)
    if fields.get("record_link"):
        _check_link(fields["record_link"])
    titles = _in_each_language(title, params)
    values = {
        person_field: person,
        "link": link,
        **(record_link_of(record) if record is not None else {}),
        "purpose": purpose,
        "title": titles[settings.LANGUAGE_CODE],
        **{f"title_{code}": value for code, value in titles.items()},
        **fields,
    }
    if details:
        # Details are already bilingual ({"fr": ..., "en": ...}), e.g. a program's two names.
        values["details"] = details.get(settings.LANGUAGE_CODE, "")
        values.update({f"details_{code}": details.get(code, "") for code in LANGUAGE_CODES})
    if not key:
        return model.objects.create(**values)
    # Keys are per person, so two apps (or two people) cannot collide; a concurrent twin is harmless.
    key = f"{person.pk}:{key}"
    try:
        with transaction.atomic():
            return model.objects.get_or_create(key=key, defaults=values)[0]
    except IntegrityError:
        return model.objects.get(key=key)


@transaction.atomic
def create_task(
    *,
    assignee: User,
    title: StrOrPromise,
    due_date: date,
    link: str,
    params: dict[str, Any] | None = None,
    organization: Organization | None = None,
    key: str | None = None,
    record: Model | None = None,
    purpose: str = "",
    send_email: bool = False,
    title_in_email: bool = False,
    **columns: Any,
) -> Task:
    """A task for one person, linking to a record. `title` is a gettext_lazy string.

    `record` (a case, a summary…) and `purpose` ("develop-plan") are the typed link that readers
    and hand-overs ask by (portal.selectors.about); `link` is the page the person opens.

    With a `key`, creating the same task twice returns the first one. With `send_email`, the
    person also gets an email with the deep link; the title goes into its body only with
    `title_in_email`, for titles that carry record numbers and no personal details.
    `columns` fill the optional work-list columns: priority, record_number, record_link, about,
    details ({"fr": ..., "en": ...}) and created_by.
    """
    task = _create_home_item(
        Task,
        person_field="assignee",
        person=assignee,
        title=title,
        params=params,
        key=key,
        link=link,
        record=record,
        purpose=purpose,
        organization=organization,
        due_date=due_date,
        **columns,
    )
    if send_email:
        notify(
            key=f"task-assigned:{task.pk}",
            template="portal/emails/task_assigned",
            recipient=assignee,
            link=link,
            context={
                "due_date": due_date.isoformat(),
                "title": {code: getattr(task, f"title_{code}") for code in LANGUAGE_CODES}
                if title_in_email
                else {},
            },
        )
    return task


@transaction.atomic
def reassign_open_tasks(*, records: Iterable[Model], from_user: User, to_user: User) -> int:
    """Hand the open tasks about these records to someone else (a record changed hands)."""
    ids: dict[Any, list[Any]] = {}
    for record in records:
        ids.setdefault(record_link_of(record)["record_type"], []).append(record.pk)
    links = Q(pk__in=[])
    for record_type, pks in ids.items():
        links |= Q(record_type=record_type, record_id__in=pks)
    return Task.objects.filter(links, assignee=from_user, done_at__isnull=True).update(assignee=to_user)


@transaction.atomic
def hand_over_home_items(*, record: Model, from_user: User, to_user: User) -> int:
    """Give someone else the open tasks and unread notifications about a record."""
    tasks = Task.objects.filter(about(record), assignee=from_user, done_at__isnull=True)
    notifications = Notification.objects.filter(about(record), recipient=from_user, read_at__isnull=True)
    return tasks.update(assignee=to_user) + notifications.update(recipient=to_user)


@transaction.atomic
def complete_task(*, task: Task) -> Task:
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.done_at is not None:
        return task
    task.done_at = timezone.now()
    task.save(update_fields=["done_at"])
    return task


@transaction.atomic
def create_notification(
    *,
    recipient: User,
    title: StrOrPromise,
    link: str,
    params: dict[str, Any] | None = None,
    due_date: date | None = None,
    organization: Organization | None = None,
    key: str | None = None,
    record: Model | None = None,
    purpose: str = "",
    **columns: Any,
) -> Notification:
    """A notification for one person; `record`, `purpose` and `columns` as for create_task."""
    return _create_home_item(
        Notification,
        person_field="recipient",
        person=recipient,
        title=title,
        params=params,
        key=key,
        link=link,
        record=record,
        purpose=purpose,
        organization=organization,
        due_date=due_date or timezone.localdate(),
        **columns,
    )


@transaction.atomic
def withdraw_home_items(*, record: Model, purpose: str, link: str, due_date: date) -> int:
    """Remove the open tasks and unread notifications about a record made for this purpose, that
    lead to this page and fall due on this day, whoever holds them.

    Used when what they announce no longer holds (an intervention's end date moved, or it was
    deleted: its page and the day tell its notices from the other interventions' of the case).
    Done tasks and read notifications stay as history.
    """
    same = about(record, purpose=purpose) & Q(link=link, due_date=due_date)
    return (
        Notification.objects.filter(same, read_at__isnull=True).delete()[0]
        + Task.objects.filter(same, done_at__isnull=True).delete()[0]
    )


@transaction.atomic
def withdraw_home_items_about(*, record: Model) -> int:
    """Remove every open task and unread notification about a record (it left us)."""
    return (
        Notification.objects.filter(about(record), read_at__isnull=True).delete()[0]
        + Task.objects.filter(about(record), done_at__isnull=True).delete()[0]
    )


@transaction.atomic
def complete_tasks(*, record: Model, purpose: str) -> int:
    """Close the open tasks about a record made for this purpose (the work was done elsewhere)."""
    return Task.objects.filter(about(record, purpose=purpose), done_at__isnull=True).update(
        done_at=timezone.now()
    )


@transaction.atomic
def mark_notification_read(*, notification: Notification) -> Notification:
    notification = Notification.objects.select_for_update().get(pk=notification.pk)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


# Email and SMS -----------------------------------------------------------------------------

# Quiet hours (21:00 to 8:00) live in portal.dates; kept here under their old names for callers.
sending_time = next_sending_time


def notify(
    *,
    key: str,
    template: str,
    recipient: User | None = None,
    email: str | None = None,
    phone: str | None = None,
    language: str | None = None,
    channels: Iterable[Channel] = (Channel.EMAIL,),
    context: dict[str, Any] | None = None,
    link: str = "",
    attachments: Sequence[Hook] = (),
    quiet_hours: bool = False,
    send_only_if: Hook | None = None,
    from_email: str | None = None,
    on_sent: Hook | None = None,
    on_failed: Hook | None = None,
) -> list[Message]:
    """Queue an email and/or SMS; sent by a Celery task once the surrounding transaction commits.

    `template` names a set of templates rendered in the recipient's language:
    `<template>_subject.txt`, `<template>.txt` and `<template>.html` for email, `<template>_sms.txt`
    for SMS. Subjects and SMS carry a record number and a link, never personal details.
    `key` makes the call idempotent: the same key never sends twice. `context` holds only
    JSON values (ids, numbers): the worker renders the text. `attachments` lists
    `[dotted path, {kwargs}]` of functions the worker calls to get `(filename, bytes, mimetype)`
    (or None) for each email: files are read when sent, never stored twice. With `quiet_hours`,
    the worker never sends it between 21:00 and 8:00 (it stays queued until the morning run of
    requeue_stale_messages). `send_only_if` is `[dotted path, {kwargs}]` of a function the worker
    asks just before sending (e.g. "is the appointment still booked?"); False means not sent.
    `on_sent` and `on_failed` are `[dotted path, {kwargs}]` of services the worker calls once the
    message left (with `attempts=`) or failed for good (with `attempts=` and `reason=`), so that a
    record shows its email's state (a referral: Emailed or Failed). Every dotted path must be
    declared with portal.outbound.allow (the worker imports nothing else). `from_email` replaces
    DEFAULT_FROM_EMAIL (e.g. the referrals' no-reply address).
    """
    for dotted, _kwargs in [*attachments, *(item for item in (send_only_if, on_sent, on_failed) if item)]:
        outbound.check(dotted)

    if recipient is not None:
        email = email or recipient.email
        phone = phone or (str(recipient.phone) if recipient.phone else "")
        language = language or recipient.preferred_language
    language = language if language in LANGUAGE_CODES else settings.LANGUAGE_CODE
    addresses = {Channel.EMAIL: email, Channel.SMS: phone}
    messages = []
    for channel in channels:
        address = addresses[channel]
        if not address:
            continue
        message, created = _get_or_create_message(
            key=f"{key}:{channel}",
            defaults=dict(
                channel=channel,
                template=template,
                context={
                    **(context or {}),
                    **({"_attachments": list(attachments)} if attachments else {}),
                    **({"_quiet_hours": True} if quiet_hours else {}),
                    **({"_send_only_if": list(send_only_if)} if send_only_if else {}),
                    **({"_from_email": from_email} if from_email else {}),
                    **({"_on_sent": list(on_sent)} if on_sent else {}),
                    **({"_on_failed": list(on_failed)} if on_failed else {}),
                },
                recipient=recipient,
                to_address=address,
                language=language,
                link=absolute_url(link),
            ),
        )
        messages.append(message)
        if created:
            # A broker that is down must not turn a saved change into an error page: the message
            # stays queued and requeue_stale_messages queues it again.
            queue.enqueue(SEND_MESSAGE, message.pk)
    return messages


def _get_or_create_message(*, key: str, defaults: dict[str, Any]) -> tuple[Message, bool]:
    try:
        with transaction.atomic():
            return Message.objects.get_or_create(key=key, defaults=defaults)
    except IntegrityError:
        # Someone else created it between our read and our write: theirs stands.
        return Message.objects.get(key=key), False


# The first attempt and portal.tasks.SEND_RETRIES retries.
MESSAGE_ATTEMPTS = 6
_CALLABLE_KEYS = ("_send_only_if", "_on_sent", "_on_failed")


def _declared_paths(context: dict[str, Any]) -> list[str]:
    return [item[0] for item in context.get("_attachments", [])] + [
        context[name][0] for name in _CALLABLE_KEYS if context.get(name)
    ]


def send_queued_message(*, message_id: int, last_try: bool = True) -> bool:
    """The worker's side of notify: send one queued message and record what happened.

    Idempotent: the row lock makes a retried or duplicated task wait for the first one and then
    see the message sent. A mail server or SMS gateway error (OSError) before `last_try` leaves
    the message queued and is raised again, for Celery to retry; any other error, or the last
    try, marks it failed. Dotted paths of the message not on the allow-list fail it unimported.
    """
    failure = None
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status == MessageStatus.SENT:
            return False
        context = message.context
        if context.get("_quiet_hours"):
            now = timezone.now()
            if sending_time(now) != now:
                return False  # night: stays queued; requeue_stale_messages sends it after 8:00
        refused = [dotted for dotted in _declared_paths(context) if not outbound.is_allowed(dotted)]
        if refused:
            # A row that names code no app declared is never trusted (a declared hook still runs).
            _fail(message, str(outbound.NotAllowed(refused[0])))
            logger.error("Message %s refused: %s", message.pk, message.error)
            return False
        condition = context.get("_send_only_if")
        if condition and not outbound.load(condition[0])(**condition[1]):
            message.status, message.error = MessageStatus.FAILED, "Not sent: no longer needed."
            message.context = {}
            message.save(update_fields=["status", "error", "context"])
            return False
        message.attempts += 1
        try:
            rendered = _render(message)
            provider_id = _deliver(message, rendered)
        except Exception as error:  # recorded on the message; only OSError is worth retrying
            if isinstance(error, OSError) and not last_try:
                failure = error
                message.status, message.error = MessageStatus.QUEUED, str(error)
                message.save(update_fields=["attempts", "status", "error"])
            else:
                refused = _refused(message, error)
                _fail(message, str(error) or type(error).__name__, save=["attempts", *refused])
            logger.warning("Message %s not sent (attempt %s): %s", message.pk, message.attempts, error)
        else:
            message.subject = rendered.get("subject", "")
            message.status = MessageStatus.SENT
            message.sent_at = timezone.now()
            message.error = ""
            # The SMS provider's id: its status callbacks find the message by it (portal.sms_services).
            message.provider_id = provider_id or ""
            # Once sent, the context (which may hold a secret link or names) is no longer needed.
            message.context = {}
            message.save(
                update_fields=["attempts", "subject", "status", "sent_at", "error", "context", "provider_id"]
            )
            _run_hook(message, context.get("_on_sent"), attempts=message.attempts)
            return True
    # Outside the transaction, so that the attempt is recorded before Celery retries.
    if failure is not None:
        raise failure
    return False


def _fail(message: Message, reason: str, *, save: Sequence[str] = ()) -> None:
    hook = message.context.get("_on_failed")
    message.status, message.error = MessageStatus.FAILED, reason
    message.save(update_fields=[*save, "status", "error"])
    _run_hook(message, hook, attempts=message.attempts, reason=reason)


def _run_hook(message: Message, hook: Hook | None, **values: Any) -> None:
    """Tell the record about its message. Its own savepoint: a failing hook never undoes the
    message's state (an email that left must never be sent again)."""
    if not hook:
        return
    dotted, kwargs = hook
    try:
        with transaction.atomic():
            outbound.load(dotted)(**kwargs, **values)
    except Exception:
        logger.exception("Message %s: the hook %s failed", message.pk, dotted)


def _render(message: Message) -> dict[str, str]:
    context = {
        **message.context,
        "link": message.link,
        "site_url": settings.SITE_URL,
        "LANGUAGE_CODE": message.language,
    }
    with translation.override(message.language):
        if message.channel == Channel.SMS:
            return {"body": render_to_string(f"{message.template}_sms.txt", context).strip()}
        subject = " ".join(render_to_string(f"{message.template}_subject.txt", context).split())
        return {
            "subject": subject,
            "text": render_to_string(f"{message.template}.txt", context),
            "html": render_to_string(f"{message.template}.html", context),
        }


def _refused(message: Message, error: Exception) -> list[str]:
    """An SMS provider's refusal (a bad number) is also the message's delivery state, with the
    provider's reason; returns the fields it set."""
    if not isinstance(error, sms.SmsRejected):
        return []
    message.delivery_status, message.delivery_error = DeliveryStatus.FAILED, error.reason[:255]
    message.delivery_updated_at = timezone.now()
    return ["delivery_status", "delivery_error", "delivery_updated_at"]


def _deliver(message: Message, rendered: dict[str, str]) -> str | None:
    """Send the rendered message; an SMS provider's message id, or None."""
    if message.channel == Channel.SMS:
        return sms.send_sms(to=message.to_address, body=rendered["body"])
    email = EmailMultiAlternatives(
        subject=rendered["subject"],
        body=rendered["text"],
        from_email=message.context.get("_from_email") or settings.DEFAULT_FROM_EMAIL,
        to=[message.to_address],
        headers={"Content-Language": message.language},
    )
    email.attach_alternative(rendered["html"], "text/html")
    for dotted, kwargs in message.context.get("_attachments", []):
        attachment = outbound.load(dotted)(**kwargs)
        if attachment is not None:
            email.attach(*attachment)
    email.send()
    return None


def requeue_stale_messages(*, minutes: int = 10) -> int:
    """Queue again the messages still waiting after a while (a broker outage, a lost task)."""
    cutoff = timezone.now() - timedelta(minutes=minutes)
    ids = list(
        Message.objects.filter(
            status=MessageStatus.QUEUED, created_at__lt=cutoff, attempts__lt=MESSAGE_ATTEMPTS
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:500]
    )
    for message_id in ids:
        if not queue.publish(SEND_MESSAGE, message_id):
            break  # the broker is still away: the next run tries again
    return len(ids)


# Audit ------------------------------------------------------------------------------------


def record_view(*, instance: Model) -> None:
    """Leave an audit entry saying the current person looked at this personal record.

    The actor and address come from auditlog's middleware; the model must be registered with
    auditlog (see each app's apps.py).
    """
    accessed.send(sender=instance.__class__, instance=instance)


@transaction.atomic
def record_list_view(*, instances: Iterable[Model]) -> list[Any]:
    """One access entry per record a list shows (a follow-up list of people), in constant queries.

    The entries are those record_view would write, actor and address included (auditlog's
    request context fills them, as for a single save), and carry their organizations like every
    entry (portal.audit). Returns the entries.
    """
    from auditlog.cid import get_cid
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.db.models.signals import pre_save
    from django.utils.encoding import smart_str

    from portal import audit

    instances = [instance for instance in instances if instance.pk is not None]
    cid = get_cid()
    entries = []
    for instance in instances:
        entry = LogEntry(
            content_type=ContentType.objects.get_for_model(instance),
            object_pk=str(instance.pk),
            object_id=instance.pk if isinstance(instance.pk, int) else None,
            object_repr=smart_str(instance),
            action=LogEntry.Action.ACCESS,
            cid=cid,
        )
        # auditlog sets the actor and the address on a LogEntry's pre_save (its request context);
        # bulk_create sends no signal, so it is sent here, without a query.
        pre_save.send(sender=LogEntry, instance=entry, raw=False, using="default", update_fields=None)
        entries.append(entry)
    LogEntry.objects.bulk_create(entries)
    audit.scope_entries(list(zip(entries, instances, strict=True)))
    return entries
