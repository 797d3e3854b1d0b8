"""Writes of the return-to-work action plan: needs determinations, interventions, funding requests
and plan prints. Keyword-only, atomic; an intervention's statuses are declared once
(INTERVENTION_FLOW, portal.workflow) and change under a row lock.
"""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal import services as portal_services
from portal.models import User
from portal.tasks import enqueue
from portal.workflow import ActionError, Transition, Workflow
from referrals import roles
from referrals.cases.services import (
    CASE_FLOW,
    Change,
    case_columns,
    case_key,
    complete_assessment,
    locked_case,
    locked_or_gone,
    require_open,
    save_fields,
    start_assessment,
    unrecorded_change,
)
from referrals.funding.services import FUNDING_FLOW
from referrals.models import (
    EDITABLE_INTERVENTION_STATUSES,
    PLAN_STATUSES,
    Barrier,
    Case,
    CaseStatus,
    FundingRequest,
    FundingStatus,
    Intervention,
    InterventionStatus,
    NeedsDetermination,
    PlanPrint,
)
from referrals.tasks import build_plan_print

CS = CaseStatus
IS = InterventionStatus


@transaction.atomic
def save_needs_determination(
    *,
    actor: User,
    case: Case,
    barriers: Iterable[Barrier],
    comments: str,
    complete_assessment_now: bool = False,
) -> NeedsDetermination:
    """Saving makes a new version; the earlier ones stay readable in the archive."""
    locked = locked_case(case)
    require_open(locked)
    if complete_assessment_now and locked.status not in (CS.INTAKE, CS.ASSESSMENT):
        raise CASE_FLOW.refuse(locked, [CS.INTAKE, CS.ASSESSMENT])
    if complete_assessment_now and not barriers:
        raise ActionError(
            {"barriers": _("Choose at least one barrier to employment before completing the assessment.")}
        )
    version = (locked.needs_determinations.aggregate(top=Max("version"))["top"] or 0) + 1
    determination = NeedsDetermination.objects.create(
        case=locked,
        version=version,
        comments=comments,
        created_by=actor,
        completes_assessment=complete_assessment_now,
    )
    determination.barriers.set(barriers)
    if locked.status == CS.INTAKE:
        # Recording needs is the assessment: the history shows the step even when done in one go.
        start_assessment(actor=actor, case=locked)
    if complete_assessment_now:
        complete_assessment(actor=actor, case=locked)
    return determination


def _intervention_link(intervention: Intervention) -> str:
    return reverse("referrals:intervention", args=[intervention.case.number, intervention.pk])


def _announce(intervention: Intervention, actor: User, *, start: bool = True, end: bool = True) -> None:
    """Follow-up notifications at the intervention's start and at its end (LaMPSS)."""
    case = intervention.case
    notices = [
        (start, "start", intervention.planned_start, _("Action required: an intervention starts")),
        (end, "end", intervention.planned_end, _("Action required: an intervention ends, follow up")),
    ]
    for wanted, moment, day, title in notices:
        if wanted:
            portal_services.create_notification(
                recipient=case.case_manager,
                title=title,
                link=_intervention_link(intervention),
                due_date=day,
                key=case_key(case, f"intervention.{intervention.pk}.{moment}.{day}"),
                record=case,
                purpose=f"intervention.{moment}",
                **case_columns(case, actor),
            )


def _withdraw_notices(intervention: Intervention, *, start: date | None, end: date | None) -> None:
    """Withdraw the unread notices that announce the intervention's start on `start` and its end
    on `end` (None: keep that one)."""
    for moment, day in (("start", start), ("end", end)):
        if day is not None:
            portal_services.withdraw_home_items(
                record=intervention.case,
                purpose=f"intervention.{moment}",
                link=_intervention_link(intervention),
                due_date=day,
            )


def _check_intervention(case: Case, fields: dict[str, Any]) -> None:
    errors = {}
    if fields["planned_end"] < fields["planned_start"]:
        errors["planned_end"] = _("The end date cannot be before the start date.")
    if fields["intervention_type"].dimension_id != fields["dimension"].pk:
        errors["intervention_type"] = _("Choose an intervention type of the chosen employability dimension.")
    if fields.get("funding_requested") and not fields.get("funding_type"):
        errors["funding_type"] = _("Choose the funding type of an intervention with a funding request.")
    for field in ("local_coordinator", "delivering_organization"):
        partner = fields.get(field)
        if partner is not None and partner.agency_id not in (None, case.agency_id):
            errors[field] = _("Choose a business partner from your directory.")
    if errors:
        raise ActionError(errors)


def require_plan_open(case: Case) -> None:
    if case.status not in PLAN_STATUSES:
        raise ActionError(
            _("The action plan can be changed once the assessment is completed and until the case is closed.")
        )


@transaction.atomic
def add_intervention(*, actor: User, case: Case, **fields: Any) -> Intervention:
    case = locked_case(case)
    require_plan_open(case)
    _check_intervention(case, fields)
    intervention = Intervention.objects.create(case=case, created_by=actor, **fields)
    _announce(intervention, actor)
    return intervention


def _locked_intervention(intervention: Intervention) -> Intervention:
    # The intervention row only: deleting locks the case then its interventions, so locking the
    # case here too, in the other order, could deadlock.
    return locked_or_gone(
        Intervention.objects.select_related(
            "case", "case__person", "case__program", "case__agency", "case__case_manager"
        ),
        intervention.pk,
        gone=_("This intervention was deleted in the meantime. Nothing was changed."),
    )


@transaction.atomic
def update_intervention(*, actor: User, intervention: Intervention, **fields: Any) -> Intervention:
    """Save one intervention. A new end date replaces the end notification (and likewise the start)."""
    locked = _locked_intervention(intervention)
    if locked.status not in EDITABLE_INTERVENTION_STATUSES:
        raise INTERVENTION_FLOW.refuse(locked, EDITABLE_INTERVENTION_STATUSES)
    require_plan_open(locked.case)
    _check_intervention(locked.case, fields)
    old_start, old_end = locked.planned_start, locked.planned_end
    save_fields(locked, fields)
    start_moved = old_start != locked.planned_start and locked.status == IS.PLANNED
    end_moved = old_end != locked.planned_end
    _withdraw_notices(locked, start=old_start if start_moved else None, end=old_end if end_moved else None)
    _announce(locked, actor, start=start_moved, end=end_moved)
    return locked


# The life of an intervention, declared once ------------------------------------------------------


def _plan_stays_open(intervention: Intervention, previous: str) -> None:
    # The action plan of a closed case (or one not yet assessed) changes no more.
    require_plan_open(intervention.case)


def _started(intervention: Intervention, event: Change) -> None:
    _withdraw_notices(intervention, start=intervention.planned_start, end=None)


def _cancelled(intervention: Intervention, event: Change) -> None:
    _withdraw_notices(intervention, start=intervention.planned_start, end=intervention.planned_end)
    # A request still waiting for the department is refused with the intervention.
    for waiting in intervention.funding_requests.filter(status=FundingStatus.SUBMITTED):
        FUNDING_FLOW.perform(
            "refuse", waiting, actor=event.actor, note=str(_("The intervention was cancelled."))
        )


def end_plan_at_closing(*, case: Case, actor: User | None) -> int:
    """A case closes (referrals.cases.services, its close effect): the interventions still open end
    with it, as the guide implies: one in progress is Completed, one planned is Cancelled (a funding
    request still waiting is refused with it), and the "Action required" notices of the plan are
    withdrawn (an ended one's follow-up included: the case's follow-up is over).

    Not through INTERVENTION_FLOW: the case is closed already, and a closed case's plan is refused
    there. Interventions keep no history rows (unrecorded_change), so none is written here either."""
    count = 0
    for intervention in case.interventions.select_for_update():
        intervention.case = case
        _withdraw_notices(intervention, start=intervention.planned_start, end=intervention.planned_end)
        if intervention.status not in EDITABLE_INTERVENTION_STATUSES:
            continue
        ended = intervention.status == IS.IN_PROGRESS
        intervention.status = IS.COMPLETED if ended else IS.CANCELLED
        intervention.save(update_fields=["status", "updated_at"])
        if not ended:
            for waiting in intervention.funding_requests.filter(status=FundingStatus.SUBMITTED):
                FUNDING_FLOW.perform(
                    "refuse", waiting, actor=actor, note=str(_("The intervention was cancelled."))
                )
        count += 1
    return count


def _intervention_url(intervention: Intervention, transition: Transition) -> str:
    # Each action asks first on a page of its own (GET), then is taken there (POST).
    return reverse(
        "referrals:intervention_action", args=[intervention.case.number, intervention.pk, transition.name]
    )


INTERVENTION_FLOW: Workflow[Intervention] = Workflow(
    model=Intervention,
    url_name="referrals:intervention_action",
    url=_intervention_url,
    touch=("updated_at",),
    on_change=_plan_stays_open,
    record_history=unrecorded_change,
    refused=_(
        "This intervention is now %(status)s: this action needs it to be %(allowed)s. Nothing was changed."
    ),
    # In the order of the buttons on the intervention's page.
    transitions=[
        Transition(
            name="start",
            sources=(IS.PLANNED,),
            target=IS.IN_PROGRESS,
            capability=roles.MANAGE_CASES,
            label=_("Mark as in progress"),
            confirm=True,
            effect=_started,
        ),
        Transition(
            name="complete",
            sources=(IS.IN_PROGRESS,),
            target=IS.COMPLETED,
            capability=roles.MANAGE_CASES,
            label=_("Mark as completed"),
            confirm=True,
        ),
        Transition(
            name="cancel",
            sources=(IS.PLANNED, IS.IN_PROGRESS),
            target=IS.CANCELLED,
            capability=roles.MANAGE_CASES,
            label=_("Cancel the intervention"),
            confirm=True,
            effect=_cancelled,
        ),
    ],
)


@transaction.atomic
def change_intervention_status(*, actor: User, intervention: Intervention, action: str) -> Intervention:
    """One of the intervention's buttons (referrals:intervention_action), by its transition's name."""
    # Read first: an intervention deleted in the meantime gets the clear message.
    return INTERVENTION_FLOW.perform(action, _locked_intervention(intervention), actor=actor)


@transaction.atomic
def start_intervention(*, actor: User, intervention: Intervention) -> Intervention:
    return change_intervention_status(actor=actor, intervention=intervention, action="start")


@transaction.atomic
def complete_intervention(*, actor: User, intervention: Intervention) -> Intervention:
    return change_intervention_status(actor=actor, intervention=intervention, action="complete")


@transaction.atomic
def cancel_intervention(*, actor: User, intervention: Intervention) -> Intervention:
    return change_intervention_status(actor=actor, intervention=intervention, action="cancel")


@transaction.atomic
def delete_interventions(*, actor: User, case: Case, interventions: Iterable[Intervention]) -> int:
    """Delete planned interventions for good (the guide: only Planned ones; all or none)."""
    case = locked_case(case)
    require_plan_open(case)
    ids = [intervention.pk for intervention in interventions]
    locked = list(Intervention.objects.select_for_update().filter(case=case, pk__in=ids).order_by("pk"))
    if not locked:
        raise ActionError(_("Choose the interventions to delete."))
    funded = [intervention for intervention in locked if intervention.funding_requests.exists()]
    if funded:
        raise ActionError(
            _(
                "%(names)s has a funding request: cancel the intervention instead, so that the request "
                "stays on record. Nothing was deleted."
            )
            % {"names": ", ".join(str(intervention.intervention_type) for intervention in funded)}
        )
    refused = [intervention for intervention in locked if intervention.status != IS.PLANNED]
    if refused:
        raise ActionError(
            _(
                "Only planned interventions can be deleted; %(names)s already started or ended. "
                "Nothing was deleted."
            )
            % {"names": ", ".join(str(intervention.intervention_type) for intervention in refused)}
        )
    for intervention in locked:
        intervention.case = case
        _withdraw_notices(intervention, start=intervention.planned_start, end=intervention.planned_end)
    Intervention.objects.filter(pk__in=[intervention.pk for intervention in locked]).delete()
    return len(locked)


@transaction.atomic
def request_funding(
    *, actor: User, intervention: Intervention, amount: Decimal | None, justification: str
) -> FundingRequest:
    locked = _locked_intervention(intervention)
    require_plan_open(locked.case)
    if not locked.funding_requested:
        raise ActionError(_("This intervention has no funding request: edit it and tick the box first."))
    if locked.status not in EDITABLE_INTERVENTION_STATUSES:
        raise INTERVENTION_FLOW.refuse(locked, EDITABLE_INTERVENTION_STATUSES)
    if locked.funding_requests.filter(status=FundingStatus.SUBMITTED).exists():
        raise ActionError(_("A funding request for this intervention is already waiting for a decision."))
    if amount is None or amount <= 0:
        raise ActionError({"amount": _("Enter an amount greater than zero.")})
    return FundingRequest.objects.create(
        intervention=locked, amount=amount, justification=justification, requested_by=actor
    )


@transaction.atomic
def request_plan_print(*, actor: User, case: Case, language: str) -> PlanPrint:
    """The PDF is built by a Celery task (plans can be long); the page shows it once ready."""
    if not case.interventions.exists():
        raise ActionError(_("The action plan has no intervention yet: add one before printing."))
    plan_print = PlanPrint.objects.create(case=case, language=language, requested_by=actor)
    queue_print(plan_print)
    return plan_print


def queue_print(plan_print: PlanPrint) -> None:
    # Recorded as queued first: with the broker away, requeue_stale_prints builds it later.
    enqueue(build_plan_print, plan_print.pk)
