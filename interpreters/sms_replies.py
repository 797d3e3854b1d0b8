"""Answers to an offer SMS: "1"/"OUI"/"YES" accepts the request offered, "2"/"NON"/"NO" declines it.

Registered with portal.sms.replies (InterpretersConfig.ready); portal.sms_services.receive_sms
calls `handle` once per SMS received and sends the text it returns (None: the next handler, then
portal's help).

The interpreter is the account whose phone (E.164) sent the answer and to which the offer SMS
went; the request is the one offered to them that still waits for their answer. When several
offers wait, nothing changes and the answer asks to reply in Liaison: accepting is a commitment,
never a guess between two requests. The change goes through REQUEST_FLOW's accept and decline
(interpreters.requests.services: the same guard, history, notices to the coordinators as the
"My work" page), by the interpreter, with the note "SMS reply". A repeat changes nothing: the
request already accepted (or declined) by them is answered as such. The answer, in the
interpreter's language, shows what the offer showed: the request's number, date and time.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from interpreters.models import Request, RequestStatus
from interpreters.requests.services import HELD, REQUEST_FLOW, decline_offer
from portal.models import User
from portal.selectors import texts_sent_to
from portal.sms import NO, YES, IncomingSms
from portal.workflow import ActionError

OFFER_TEMPLATE = "interpreters/emails/request_update"
# An offer older than this is not what a reply answers.
REPLY_WINDOW = timedelta(days=14)
# Stored untranslated in the history row's note; the request's page translates it when shown.
SMS_NOTE = gettext_noop("SMS reply")


def handle(incoming: IncomingSms, *, now: datetime | None = None) -> str | None:
    if incoming.answer not in (YES, NO) or not incoming.phone:
        return None
    now = now or timezone.now()
    offered = _offered(incoming.phone, now=now)
    if not offered:
        return None
    pending = [
        (request, user)
        for request, user in offered
        if request.status == RequestStatus.ASSIGNED
        and request.interpreter is not None
        and request.interpreter.user_id == user.pk
        and request.starts_at > now
    ]
    if len(pending) > 1:
        languages = {user.preferred_language for _request, user in pending}
        language = languages.pop() if len(languages) == 1 else incoming.language
        with translation.override(language):
            return _("Liaison: several requests are offered to you. Please answer each of them in Liaison.")
    if pending:
        request, user = pending[0]
        return _answer(request, user, incoming.answer)
    request, user = offered[0]
    return _already(request, user, incoming.answer)


def _offered(phone: str, *, now: datetime) -> list[tuple[Request, User]]:
    """The requests offered by SMS at this number lately, the last offered first, each with the
    account it was offered to (an active account that has this phone)."""
    people = {
        user.pk: user
        for user in User.objects.filter(phone=phone, is_active=True).only("pk", "preferred_language", "phone")
    }
    if not people:
        return []
    offered_to = {
        pk: recipient_id
        for pk, _sent_at, recipient_id in texts_sent_to(
            phone,
            template=OFFER_TEMPLATE,
            app="interpreters",
            since=now - REPLY_WINDOW,
            recipients=people,
            marker=":offer:",
        )
    }
    if not offered_to:
        return []
    requests = {
        request.pk: request
        for request in Request.objects.scoped("an SMS reply: the requests offered at the sender's number")
        .filter(pk__in=offered_to)
        .select_related("interpreter")
    }
    return [
        (requests[pk], people[user_pk])
        for pk, user_pk in offered_to.items()
        if pk in requests and user_pk in people
    ]


def _values(request: Request) -> dict[str, str]:
    return {
        "number": request.number,
        "date": request.date.isoformat(),
        "time": request.start_time.strftime("%H:%M"),
    }


def _accepted(request: Request) -> str:
    return _("Liaison: you accepted request %(number)s (%(date)s %(time)s). Thank you.") % _values(request)


def _declined(request: Request) -> str:
    return _("Liaison: you declined request %(number)s. The coordinators are told.") % _values(request)


def _answer(request: Request, user: User, answer: str) -> str:
    with translation.override(user.preferred_language):
        try:
            with transaction.atomic():
                # Still offered to them once the row is locked (not reassigned in the meantime).
                locked = REQUEST_FLOW.lock(request, allowed=(RequestStatus.ASSIGNED,))
                if locked.interpreter is None or locked.interpreter.user_id != user.pk:
                    return _no_longer(request)
                return _act(locked, user, answer)
        except ActionError as error:
            return _("Liaison: request %(number)s: %(reason)s") % {
                "number": request.number,
                "reason": " ".join(str(message) for message in error.messages),
            }


def _act(request: Request, user: User, answer: str) -> str:
    if answer == YES:
        REQUEST_FLOW.perform("accept", request, actor=user, note=SMS_NOTE)
        return _accepted(request)
    decline_offer(actor=user, request=request, reason=SMS_NOTE)
    return _declined(request)


def _no_longer(request: Request) -> str:
    return _("Liaison: request %(number)s is no longer offered to you. Nothing was changed.") % _values(
        request
    )


def _already(request: Request, user: User, answer: str) -> str:
    """An offer no longer waiting: the same answer again is told it was taken, anything else
    that the offer is no longer theirs to answer (taken back, reassigned, passed)."""
    with translation.override(user.preferred_language):
        interpreter = request.interpreter
        if (
            answer == YES
            and request.status in HELD
            and interpreter is not None
            and interpreter.user_id == user.pk
        ):
            return _accepted(request)
        last = request.events.order_by("-at", "-pk").first()
        if answer == NO and last is not None and last.action == "decline" and last.actor_id == user.pk:
            return _declined(request)
        return _no_longer(request)
