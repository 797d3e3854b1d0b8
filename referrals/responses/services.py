"""The receiving agency's answer to an informational referral within the network (issue 19, beyond
the guides): it accepts or declines it, once, with a reason for a decline; the sender's case manager
is told (home page and email), and reminded once when no answer came after
REFERRALS_RESPONSE_REMINDER_WORKING_DAYS working days.

The answer is a third status of the referral (`response_status`), declared once in RESPONSE_FLOW
like its sending (REFERRAL_FLOW) and its transfer (TRANSFER_FLOW); each change writes a row in the
case's history, which the sending agency reads on the case's status page.
"""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import names
from portal import services as portal_services
from portal.dates import working_days_between
from portal.models import Message, User
from portal.permissions import has_capability
from portal.workflow import Action, ActionError, Transition, Workflow
from referrals import roles
from referrals.cases.services import case_columns, case_key, locked_or_gone, record_change
from referrals.models import DeclineReason, Referral, ReferralType, ResponseStatus

RESP = ResponseStatus

ANSWERED_ALREADY = _("This referral was already answered (%(status)s). Nothing was changed.")
MOVED_SINCE = _(
    "The case of this referral was transferred to another agency after it was sent: it can no longer "
    "be answered. Nothing was changed."
)


def _response_url(referral: Referral, transition: Transition) -> str:
    # Each answer has a page of its own (the reason, or a comment), on the receiving agency's side.
    return reverse("referrals:incoming_respond", args=[referral.pk, transition.name])


def _record_response(
    referral: Referral, *, actor: User | None, action: str, from_status: str, to_status: str, note: str
) -> Any:
    """The answer in the case's history (the sending agency's case status page): who, when, what."""
    case = referral.case
    return record_change(
        case, actor=actor, action=action, from_status=case.status, to_status=case.status, note=note
    )


def referrals_page(referral: Referral) -> str:
    """The referral, open, on its case's referrals page (the sender's side)."""
    return (
        reverse("referrals:referrals", args=[referral.case.number])
        + f"?open={referral.pk}#referral-{referral.pk}"
    )


def _tell_sender(referral: Referral, event: Any) -> None:
    """The case manager who follows the case (the sender, unless it was reassigned since) is told
    on their home page and by email: the case number and a link, no personal detail."""
    case = referral.case
    accepted = referral.response_status == RESP.ACCEPTED
    title = (
        _("Your referral of case %(number)s was accepted by %(agency)s")
        if accepted
        else _("Your referral of case %(number)s was declined by %(agency)s")
    )
    portal_services.create_notification(
        recipient=case.case_manager,
        title=title,
        params={"number": case.number, "agency": names.lazy_the_name(referral.agency)},
        link=referrals_page(referral),
        key=case_key(case, f"referral.{referral.pk}.response"),
        record=case,
        purpose="referral.response",
        **case_columns(case, event.actor),
    )
    portal_services.notify(
        key=f"referrals:response:{referral.pk}",
        template="referrals/emails/response",
        recipient=case.case_manager,
        link=referrals_page(referral),
        context={"number": case.number, "accepted": accepted},
    )


RESPONSE_FLOW: Workflow[Referral] = Workflow(
    model=Referral,
    status_field="response_status",
    url_name="referrals:incoming_respond",
    url=_response_url,
    record_history=_record_response,
    # A referral's registered declaration is REFERRAL_FLOW; these buttons come from response_actions().
    register=False,
    transitions=[
        Transition(
            name="accept",
            sources=(RESP.AWAITING,),
            target=RESP.ACCEPTED,
            capability=roles.MANAGE_CASES,
            label=_("Accept the referral"),
            confirm=True,
            history="referral-accepted",
            refused=ANSWERED_ALREADY,
            notify=_tell_sender,
        ),
        Transition(
            name="decline",
            sources=(RESP.AWAITING,),
            target=RESP.DECLINED,
            capability=roles.MANAGE_CASES,
            label=_("Decline the referral"),
            confirm=True,
            history="referral-declined",
            refused=ANSWERED_ALREADY,
            notify=_tell_sender,
        ),
    ],
)


def is_answerable(referral: Referral) -> bool:
    """Still the sender's case: a transfer since it was sent moved the case to another agency, and
    the sender's old referrals are no longer anyone's to act on (issue 19)."""
    return referral.referral_type == ReferralType.WITHIN and not referral.is_from_other_agency(
        referral.case.agency_id
    )


def response_actions(referral: Referral, user: User) -> list[Action]:
    """The answers the receiving agency's person may give now, from RESPONSE_FLOW. The capability
    is the receiving agency's (the referral belongs to the sender's case)."""
    if not is_answerable(referral) or referral.agency is None:
        return []
    return [
        Action(transition, _response_url(referral, transition))
        for transition in RESPONSE_FLOW.transitions
        if RESPONSE_FLOW.allows(referral, transition.name)
        and has_capability(user, transition.capability, referral.agency)
    ]


def _response_note(referral: Referral, target: str, reason: str, comment: str) -> str:
    """The history row's comment, in the language of the person answering."""
    values = {"agency": referral.agency.name if referral.agency else ""}
    if target == RESP.ACCEPTED:
        text = str(_("Informational referral accepted by %(agency)s.")) % values
    else:
        text = str(_("Informational referral declined by %(agency)s.")) % values
    explained = reason and reason != DeclineReason.OTHER
    details = [str(DeclineReason(reason).label)] if explained else []
    if comment:
        details.append(comment)
    return " ".join([text, *(f"{detail}." if not detail.endswith(".") else detail for detail in details)])


@transaction.atomic
def _respond(name: str, *, actor: User, referral: Referral, reason: str, comment: str) -> Referral:
    transition = RESPONSE_FLOW.get(name)
    assert transition is not None
    locked = locked_or_gone(
        Referral.objects.select_related("case", "case__agency", "case__person", "case__program", "agency"),
        referral.pk,
        gone=_("This referral was deleted in the meantime. Nothing was changed."),
    )
    # The guard first (two people answering at once: the second finds it answered).
    locked = RESPONSE_FLOW.lock(locked, allowed=transition.sources, transition=transition)
    if not is_answerable(locked):
        raise ActionError(MOVED_SINCE)
    comment = (comment or "").strip()[:500]
    if name == "decline":
        if reason not in DeclineReason.values:
            raise ActionError({"reason": _("Choose the reason of the decline.")})
        if reason == DeclineReason.OTHER and not comment:
            raise ActionError({"comment": _("Say why the referral is declined.")})
    else:
        reason = ""
    note = _response_note(locked, transition.target_for(locked), reason, comment)
    locked.responded_at = timezone.now()
    locked.responded_by = actor
    locked.response_reason = reason
    locked.response_comment = comment
    locked.save(update_fields=["responded_at", "responded_by", "response_reason", "response_comment"])
    return RESPONSE_FLOW.perform(name, locked, actor=actor, note=note)


def accept_referral(*, actor: User, referral: Referral, comment: str = "") -> Referral:
    """The receiving agency takes the client on (a comment is optional)."""
    return _respond("accept", actor=actor, referral=referral, reason="", comment=comment)


def decline_referral(*, actor: User, referral: Referral, reason: str, comment: str = "") -> Referral:
    """The receiving agency declines, with a reason of the list (and what it typed; required for "Other")."""
    return _respond("decline", actor=actor, referral=referral, reason=reason, comment=comment)


# Reminders -------------------------------------------------------------------------------------

REMINDER_WORKING_DAYS_DEFAULT = 5


def reminder_working_days() -> int:
    return int(getattr(settings, "REFERRALS_RESPONSE_REMINDER_WORKING_DAYS", REMINDER_WORKING_DAYS_DEFAULT))


def awaiting_reminder(*, now: datetime):
    """Informational referrals still awaiting an answer, never reminded, whose case is still the
    sender's (a coarse cut on the date; the working days are counted per referral)."""
    return (
        Referral.objects.scoped("the reminder job reads every agency's referrals")
        .filter(
            referral_type=ReferralType.WITHIN,
            response_status=RESP.AWAITING,
            response_reminded_at__isnull=True,
            sent_at__isnull=False,
            sent_at__lte=now - timedelta(days=reminder_working_days()),
        )
        .select_related(
            "case", "case__person", "case__program", "case__agency", "case__case_manager", "agency"
        )
        .order_by("pk")
    )


def remind_unanswered_referrals(*, now: datetime | None = None) -> int:
    """What Celery beat runs (referrals.tasks.remind_unanswered_referrals): each informational
    referral unanswered after reminder_working_days() working days reminds the case manager once,
    on their home page and by email (quiet hours: an email due from 21:00 to 8:00 leaves at 8:00).
    Returns how many referrals were reminded by this run."""
    moment = now or timezone.now()
    after = reminder_working_days()
    today = timezone.localdate(moment)
    reminded = 0
    for referral in awaiting_reminder(now=moment):
        assert referral.sent_at is not None
        if (
            not is_answerable(referral)
            or working_days_between(timezone.localdate(referral.sent_at), today) < after
        ):
            continue
        with transaction.atomic():
            locked = (
                Referral.objects.select_for_update(of=("self",))
                .filter(pk=referral.pk, response_status=RESP.AWAITING, response_reminded_at__isnull=True)
                .first()
            )
            if locked is None:
                continue  # answered, or reminded by another run, meanwhile
            locked.response_reminded_at = moment
            locked.save(update_fields=["response_reminded_at"])
            _remind(referral, after)
        reminded += 1
    return reminded


def _remind(referral: Referral, days: int) -> None:
    case = referral.case
    key = f"referrals:response-reminder:{referral.pk}"
    if Message.objects.filter(key__startswith=f"{key}:").exists():
        return  # reminded already (a retried task)
    portal_services.create_notification(
        recipient=case.case_manager,
        title=_("No answer yet to your referral of case %(number)s to %(agency)s"),
        params={"number": case.number, "agency": names.lazy_the_name(referral.agency)},
        link=referrals_page(referral),
        key=case_key(case, f"referral.{referral.pk}.reminder"),
        record=case,
        purpose="referral.reminder",
        **case_columns(case, None),
    )
    portal_services.notify(
        key=key,
        template="referrals/emails/response_reminder",
        recipient=case.case_manager,
        link=referrals_page(referral),
        context={"number": case.number, "days": days},
        quiet_hours=True,
    )
