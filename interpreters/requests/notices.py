"""What people are told about an interpreter request: the emails and SMS (through portal.notify,
with what an interpreter needs to decide and never the person served), the in-app notices to the
coordinators, the waiting offer's task, the request's messages and the day-before reminders.

The workflow (requests/services.py, REQUEST_FLOW) calls these as the notices of its transitions.
"""

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from interpreters import selectors
from interpreters.models import Message, Modality, Request, RequestEvent, RequestStatus
from portal import dates
from portal import services as portal_services
from portal.models import Channel, User
from portal.services import LANGUAGE_CODES, StrOrPromise

RS = RequestStatus


def stamp() -> str:
    """A key suffix for notices that may be sent again for the same request (each change)."""
    return f":{timezone.now():%Y%m%d%H%M%S}"


def in_each_language(read: Callable[[], Any]) -> dict[str, str]:
    """{"fr": ..., "en": ...}: the worker renders a message later, in its recipient's language."""
    values = {}
    for code in LANGUAGE_CODES:
        with translation.override(code):
            values[code] = str(read())
    return values


def decision_details(request: Request) -> dict[str, Any]:
    """What an interpreter needs to decide on an offer: the language, modality, expected duration,
    place (site and postal code) or call type (the modality), and establishment. Never the person
    served, the context, the contact person or the number or link of the call."""
    in_person = request.modality == Modality.IN_PERSON
    dialect = f" ({request.dialect})" if request.dialect else ""
    return {
        "language": in_each_language(lambda: f"{request.language.name}{dialect}"),
        "modality": in_each_language(request.get_modality_display),
        "duration": request.duration_minutes,
        "place": " ".join(part for part in (request.site_name, request.postal_code) if part) if in_person else "",
        "establishment": in_each_language(lambda: request.establishment.name),
    }


def tell(
    person: User | None,
    request: Request,
    event: str,
    *,
    sms: bool = False,
    suffix: str = "",
    quiet_hours: bool = False,
    link: str = "",
    **context: Any,
) -> None:
    """An email (and SMS) about a request: its number, date and a link; never the person served.
    With `quiet_hours`, the worker holds it between 21:00 and 8:00 (a reminder late from a queue).
    `context` adds what the event's templates show (decision_details, the interpreter's name)."""
    if person is None:
        return
    portal_services.notify(
        key=f"interpreters:{request.pk}:{event}:{person.pk}{suffix}",
        template="interpreters/emails/request_update",
        quiet_hours=quiet_hours,
        recipient=person,
        channels=(Channel.EMAIL, Channel.SMS) if sms else (Channel.EMAIL,),
        link=link or reverse("interpreters:request", args=[request.pk]),
        context={
            "event": event,
            "number": request.number,
            "date": request.date.isoformat(),
            "time": request.start_time.strftime("%H:%M"),
            **context,
        },
    )


def notify_in_app(
    people: Iterable[User | None], request: Request, title: StrOrPromise, actor: User | None, key: str
) -> None:
    for person in people:
        if person is None or person == actor:
            continue
        portal_services.create_notification(
            recipient=person,
            title=title,
            params={"number": request.number},
            link=reverse("interpreters:request", args=[request.pk]),
            key=f"interpreters.{request.pk}.{key}",
            record=request,
            purpose=key.split(".")[0],
            # No record number column: the title names the request, and the home page keeps its
            # case-management columns (record, person, program) for the items of a case.
            created_by=actor,
        )


def tell_coordinators(title: StrOrPromise, key: str) -> Any:
    """A notice to the bank's coordinators about the change just recorded (one per change)."""

    def notify(request: Request, event: RequestEvent) -> None:
        notify_in_app(
            selectors.coordinators(request.bank), request, title, event.actor, f"{key}.{request.events.count()}"
        )

    return notify


OFFER_TASK = "offer"


def offer(request: Request, event: RequestEvent) -> None:
    if request.interpreter is not None:
        tell(request.interpreter.user, request, "offer", sms=True, suffix=stamp(), **decision_details(request))
        # The waiting offer is a task on the interpreter's home page until it is answered (or
        # taken back): due the day before the service, never before today.
        portal_services.create_task(
            assignee=request.interpreter.user,
            title=_("Answer the offer of request %(number)s"),
            params={"number": request.number},
            due_date=max(timezone.localdate(), request.date - timedelta(days=1)),
            link=reverse("interpreters:request", args=[request.pk]),
            organization=request.bank,
            key=f"interpreters.{request.pk}.offer.{event.pk}",
            record=request,
            purpose=OFFER_TASK,
            created_by=event.actor,
        )


def offer_settled(request: Request, previous: str) -> None:
    """An offer answered (accepted, declined), taken back (given to someone else) or cancelled:
    its task is done."""
    if previous == RS.ASSIGNED:
        portal_services.complete_tasks(record=request, purpose=OFFER_TASK)


def confirmed(request: Request, event: RequestEvent) -> None:
    # The requester learns who comes (the interpreter's name: in the email's body, never its subject).
    interpreter = str(request.interpreter) if request.interpreter is not None else ""
    tell(request.requester, request, "confirmed", suffix=f":{request.events.count()}", interpreter=interpreter)


def cancelled(request: Request, event: RequestEvent) -> None:
    if request.interpreter is not None:
        tell(request.interpreter.user, request, "cancelled", sms=True)
    tell(request.requester, request, "cancelled")


@transaction.atomic
def post_message(*, actor: User, request: Request, text: str) -> Message:
    message = Message.objects.create(request=request, author=actor, text=text)
    people = {request.requester, *(selectors.coordinators(request.bank))}
    if request.interpreter is not None:
        people.add(request.interpreter.user)
    notify_in_app(people, request, _("New message on request %(number)s"), actor, f"message.{message.pk}")
    return message


def send_reminders(now: datetime | None = None) -> int:
    """The day before, between 8:00 and 21:00 local time: a reminder to each confirmed interpreter."""
    now = timezone.localtime(now or timezone.now())
    if dates.is_quiet(now):
        return 0
    tomorrow = now.date() + timedelta(days=1)
    count = 0
    for request in Request.objects.filter(
        status=RS.CONFIRMED, date=tomorrow, reminded_at__isnull=True
    ).select_related("interpreter__user"):
        with transaction.atomic():
            locked = (
                Request.objects.select_for_update(of=("self",))
                .select_related("interpreter__user")
                .get(pk=request.pk)
            )
            if locked.reminded_at is not None or locked.status != RS.CONFIRMED or locked.interpreter is None:
                continue
            tell(
                locked.interpreter.user, locked, "reminder", sms=True, quiet_hours=True, **decision_details(locked)
            )
            locked.reminded_at = now
            locked.save(update_fields=["reminded_at"])
            count += 1
    return count
