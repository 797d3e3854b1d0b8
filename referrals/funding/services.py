"""The department's decisions on funding requests: keyword-only, atomic, under a row lock."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import services as portal_services
from portal.models import User
from referrals.cases.services import CaseActionError, case_columns, case_key
from referrals.models import (
    FundingRequest,
    FundingStatus,
    InterventionStatus,
)

IS = InterventionStatus


def decide_funding(
    funding_request: FundingRequest, *, actor: User, to: str, comment: str, allow_closed: bool = False
) -> FundingRequest:
    locked = (
        FundingRequest.objects.select_for_update(of=("self",))
        .select_related(
            "intervention__case__person", "intervention__case__program", "intervention__case__agency"
        )
        .get(pk=funding_request.pk)
    )
    if locked.status != FundingStatus.SUBMITTED:
        raise CaseActionError(
            _("This funding request is already %(status)s. Nothing was changed.")
            % {"status": locked.get_status_display()}
        )
    if (
        not allow_closed
        and to == FundingStatus.APPROVED
        and (locked.intervention.case.is_closed or locked.intervention.status == IS.CANCELLED)
    ):
        raise CaseActionError(
            _("The case is closed or the intervention cancelled: this request can only be refused.")
        )
    locked.status = to
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_comment = comment
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    case = locked.intervention.case
    portal_services.create_notification(
        recipient=case.case_manager,
        title=_("Funding request approved") if to == FundingStatus.APPROVED else _("Funding request refused"),
        link=reverse("referrals:intervention", args=[case.number, locked.intervention_id]),
        key=case_key(case, f"funding.{locked.pk}.{to}"),
        **case_columns(case, actor),
    )
    return locked


@transaction.atomic
def approve_funding(*, actor: User, funding_request: FundingRequest, comment: str = "") -> FundingRequest:
    return decide_funding(funding_request, actor=actor, to=FundingStatus.APPROVED, comment=comment)


@transaction.atomic
def refuse_funding(*, actor: User, funding_request: FundingRequest, comment: str) -> FundingRequest:
    if not comment.strip():
        raise CaseActionError({"comment": _("Give the reason for refusing the funding request.")})
    return decide_funding(funding_request, actor=actor, to=FundingStatus.REFUSED, comment=comment.strip())
