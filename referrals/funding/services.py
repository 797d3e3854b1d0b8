"""The department's decisions on funding requests: keyword-only, atomic, under a row lock.

A request's statuses are declared once (FUNDING_FLOW, portal.workflow): Submitted, then Approved or
Refused. The decision (who, when, comment) is the request's own record of the change."""

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import services as portal_services
from portal.models import User
from portal.workflow import ActionError, Transition, Workflow
from referrals import roles
from referrals.cases.services import case_columns, case_key
from referrals.models import (
    FundingRequest,
    FundingStatus,
    InterventionStatus,
)

FS = FundingStatus
IS = InterventionStatus


def _record_decision(
    funding_request: FundingRequest,
    *,
    actor: User | None,
    action: str,
    from_status: str,
    to_status: str,
    note: str,
) -> FundingRequest:
    funding_request.decided_by = actor
    funding_request.decided_at = timezone.now()
    funding_request.decision_comment = note
    funding_request.save(update_fields=["decided_by", "decided_at", "decision_comment"])
    return funding_request


def _approvable(funding_request: FundingRequest, decision: Any) -> None:
    intervention = funding_request.intervention
    if intervention.case.is_closed or intervention.status == IS.CANCELLED:
        raise ActionError(
            _("The case is closed or the intervention cancelled: this request can only be refused.")
        )


def _tell_case_manager(funding_request: FundingRequest, decision: Any) -> None:
    case = funding_request.intervention.case
    portal_services.create_notification(
        recipient=case.case_manager,
        title=_("Funding request approved")
        if funding_request.status == FS.APPROVED
        else _("Funding request refused"),
        link=reverse("referrals:intervention", args=[case.number, funding_request.intervention_id]),
        key=case_key(case, f"funding.{funding_request.pk}.{funding_request.status}"),
        record=case,
        purpose="funding",
        **case_columns(case, funding_request.decided_by),
    )


# Decided on the request's page (a form: the decision and its comment), not by buttons.
FUNDING_FLOW: Workflow[FundingRequest] = Workflow(
    model=FundingRequest,
    url_name="referrals:funding_decide",
    record_history=_record_decision,
    refused=_("This funding request is already %(status)s. Nothing was changed."),
    transitions=[
        Transition(
            name="approve",
            sources=(FS.SUBMITTED,),
            target=FS.APPROVED,
            capability=roles.DECIDE_FUNDING,
            label=_("Approve"),
            effect=_approvable,
            notify=_tell_case_manager,
            button=False,
        ),
        Transition(
            name="refuse",
            sources=(FS.SUBMITTED,),
            target=FS.REFUSED,
            capability=roles.DECIDE_FUNDING,
            label=_("Refuse"),
            notify=_tell_case_manager,
            button=False,
        ),
    ],
)


@transaction.atomic
def approve_funding(*, actor: User, funding_request: FundingRequest, comment: str = "") -> FundingRequest:
    return FUNDING_FLOW.perform("approve", funding_request, actor=actor, note=comment)


@transaction.atomic
def refuse_funding(*, actor: User, funding_request: FundingRequest, comment: str) -> FundingRequest:
    if not comment.strip():
        raise ActionError({"comment": _("Give the reason for refusing the funding request.")})
    return FUNDING_FLOW.perform("refuse", funding_request, actor=actor, note=comment.strip())


@transaction.atomic
def decide_funding(
    *, actor: User, funding_request: FundingRequest, decision: str, comment: str
) -> FundingRequest:
    """The decision form: "approve" or "refuse", with its comment."""
    decide = approve_funding if decision == "approve" else refuse_funding
    return decide(actor=actor, funding_request=funding_request, comment=comment)
