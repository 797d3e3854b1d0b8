"""Answers to a reminder SMS: "1"/"OUI"/"YES" confirms the appointment, "2"/"NON"/"NO" cancels it.

Registered with portal.sms.replies (AppointmentsConfig.ready); portal.sms_services.receive_sms
calls `handle` once per SMS received (the provider's id makes a webhook delivered twice harmless)
and sends the text it returns; None leaves the SMS to the next handler, then to portal's help.

Which appointment an answer is about: the sender's number (E.164, as stored on the appointment and
on the reminder's message) and the reminders sent to it. Among the appointments that got a
reminder SMS at that number lately, the one whose reminder went out last and that can still be
answered (booked or confirmed, in the future) — or that this number already answered by SMS, so
that a repeat ("2" sent twice) finds the same appointment and changes nothing, instead of
cancelling an older one. When those appointments belong to more than one person or more than one
clinic network, nothing changes and the answer asks to call: a reply never acts on someone
else's appointment. An appointment whose reminder went out but that cannot be answered any more
(passed, cancelled by the clinic) gets the same refusal as the online page gives.

The changes go through the follow-up services, with the online page's rules (by the person, no
staff actor), and the history row says "SMS reply". The answer is in the appointment's language
and shows what the reminder showed: its number, date and time; never a name or a service.
"""

from datetime import datetime, timedelta

from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from appointments.follow_up.services import cancel_appointment, confirm_appointment
from appointments.models import HOLDING_STATUSES, Appointment, AppointmentEvent
from portal.models import Channel
from portal.selectors import texts_sent_to
from portal.sms import NO, YES, IncomingSms
from portal.workflow import ActionError

REMINDER_TEMPLATE = "appointments/emails/reminder"
# A reminder older than this is not what a reply answers (reminders go out 48 h and 24 h ahead).
REPLY_WINDOW = timedelta(days=14)
# Stored untranslated in the history row's note; the person's page translates it when shown.
SMS_NOTE = gettext_noop("SMS reply")


def handle(incoming: IncomingSms, *, now: datetime | None = None) -> str | None:
    if incoming.answer not in (YES, NO) or not incoming.phone:
        return None
    now = now or timezone.now()
    reminded = _reminded(incoming.phone, now=now)
    if not reminded:
        return None
    answered = _answered_by_sms(reminded)
    current = [
        appointment
        for appointment, sent_at in reminded
        if _answerable(appointment, now)
        or (appointment.pk in answered and answered[appointment.pk] >= sent_at)
    ]
    if current:
        target = current[0]
        if any(_whose(other) != _whose(target) for other in current[1:]):
            languages = {appointment.language for appointment in current}
            language = languages.pop() if len(languages) == 1 else incoming.language
            with translation.override(language):
                return _(
                    "Liaison: several appointments are waiting for an answer from this number. "
                    "Please call the clinic, or use the link in your reminder."
                )
    else:
        # Reminded, but nothing can be answered now: the refusal says why (passed, cancelled).
        target = reminded[0][0]
    return _answer(target, incoming.answer)


def _reminded(phone: str, *, now: datetime) -> list[tuple[Appointment, datetime]]:
    """The appointments that got a reminder SMS at this number lately, the last reminded first,
    each with the time its last reminder went out."""
    last_sent = {
        pk: sent_at
        for pk, sent_at, _recipient in texts_sent_to(
            phone, template=REMINDER_TEMPLATE, app="appointments", since=now - REPLY_WINDOW
        )
    }
    if not last_sent:
        return []
    appointments = (
        Appointment.objects.scoped("an SMS reply: the appointments reminded at the sender's number")
        .filter(pk__in=last_sent, mobile_phone=phone)
        .select_related("slot", "service")
    )
    return sorted(
        ((appointment, last_sent[appointment.pk]) for appointment in appointments),
        key=lambda pair: (pair[1], pair[0].pk),
        reverse=True,
    )


def _answered_by_sms(reminded: list[tuple[Appointment, datetime]]) -> dict[int, datetime]:
    """When each of these appointments last changed by an SMS reply."""
    rows = (
        AppointmentEvent.objects.scoped("an SMS reply: the history of the appointments reminded")
        .filter(appointment__in=[appointment for appointment, _sent in reminded], note=SMS_NOTE)
        .values("appointment_id")
        .annotate(last=Max("at"))
    )
    return {row["appointment_id"]: row["last"] for row in rows}


def _answerable(appointment: Appointment, now: datetime) -> bool:
    return appointment.status in HOLDING_STATUSES and appointment.starts_at > now


def _whose(appointment: Appointment) -> tuple[int, str]:
    """The same person at the same clinic network (without a date of birth or an email to go by,
    each appointment counts as its own person: a reply then never guesses between them)."""
    return appointment.organization_id, appointment.person_key or f"#{appointment.pk}"


def _answer(appointment: Appointment, answer: str) -> str:
    moment = timezone.localtime(appointment.starts_at)
    values = {
        "number": appointment.number,
        "short_date": moment.strftime("%Y-%m-%d"),
        "time": moment.strftime("%H:%M"),
    }
    with translation.override(appointment.language):
        try:
            if answer == YES:
                confirm_appointment(actor=None, appointment=appointment, note=SMS_NOTE)
                return (
                    _(
                        "Liaison #%(number)s: your appointment of %(short_date)s %(time)s is confirmed. Thank you."
                    )
                    % values
                )
            # The answer below is the SMS that says so: the cancellation notice goes by email only.
            cancel_appointment(
                actor=None,
                appointment=appointment,
                by_person=True,
                note=SMS_NOTE,
                notice_channels=[Channel.EMAIL],
            )
            return (
                _(
                    "Liaison #%(number)s: your appointment of %(short_date)s %(time)s is cancelled, as you asked."
                )
                % values
            )
        except ActionError as error:
            return _("Liaison #%(number)s: %(reason)s") % {
                "number": appointment.number,
                "reason": " ".join(str(message) for message in error.messages),
            }
