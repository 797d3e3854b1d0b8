"""Reads of needs determinations, action plans and their prints, about a case fetched through a
selector (referrals.cases.selectors).
"""

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from portal.models import User
from referrals.cases.selectors import OF_CASE, VISIBLE, cases_for
from referrals.models import (
    Barrier,
    Case,
    Dimension,
    FundingRequest,
    FundingStatus,
    Intervention,
    NeedsDetermination,
    PlanPrint,
)


def needs_versions(case: Case) -> QuerySet[NeedsDetermination]:
    """The case's needs determinations, the latest first, with their barriers."""
    return (
        case.needs_determinations.select_related("created_by")
        .prefetch_related(Prefetch("barriers", Barrier.objects.select_related("dimension")))
        .order_by("-version")
    )


def latest_needs(case: Case) -> NeedsDetermination | None:
    return needs_versions(case).first()


def get_needs_version(case: Case, version: int) -> NeedsDetermination:
    return get_object_or_404(needs_versions(case), version=version)


def identified_needs(determination: NeedsDetermination | None) -> list[Dimension]:
    """The "Identified needs" line: the dimensions of the latest determination's barriers."""
    if determination is None:
        return []
    dimensions = {barrier.dimension for barrier in determination.barriers.all()}
    return sorted(dimensions, key=lambda dimension: (dimension.position, dimension.name))


def barriers_by_dimension() -> list[tuple[Dimension, list[Barrier]]]:
    dimensions = Dimension.objects.filter(is_active=True).prefetch_related(
        Prefetch("barriers", Barrier.objects.filter(is_active=True))
    )
    return [(dimension, list(dimension.barriers.all())) for dimension in dimensions]


def interventions_of(case: Case) -> QuerySet[Intervention]:
    return (
        case.interventions.select_related(
            "dimension", "intervention_type", "funding_type", "delivering_organization", "local_coordinator"
        )
        .annotate(
            open_funding=Count(
                "funding_requests", filter=Q(funding_requests__status=FundingStatus.SUBMITTED)
            ),
            approved_amount=Sum(
                "funding_requests__amount", filter=Q(funding_requests__status=FundingStatus.APPROVED)
            ),
        )
        .order_by("planned_start", "pk")
    )


def get_intervention(case: Case, pk: int) -> Intervention:
    return get_object_or_404(interventions_of(case), pk=pk)


def funding_requests_of(intervention: Intervention) -> QuerySet[FundingRequest]:
    return intervention.funding_requests.select_related("requested_by", "decided_by").order_by(
        "-requested_at"
    )


def get_plan_print_for_user(user: User, pk: int) -> PlanPrint:
    return get_object_or_404(
        PlanPrint.objects.scoped(VISIBLE).filter(case__in=cases_for(user)).select_related("case"), pk=pk
    )


def plan_print_context(case: Case) -> dict[str, Any]:
    """Everything the printed plan shows (the task renders it without a request)."""
    case = (
        Case.objects.scoped(OF_CASE)
        .select_related("person", "program", "agency", "office", "case_manager")
        .get(pk=case.pk)
    )
    needs = latest_needs(case)
    return {
        "case": case,
        "needs": needs,
        "identified_needs": identified_needs(needs),
        "interventions": list(interventions_of(case)),
    }
