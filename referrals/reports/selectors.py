"""Reads of the EDMT accountability report, scoped by agency_filter."""

from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from portal.models import Organization, OrganizationKind, User
from portal.selectors import active_organization
from referrals.agreements.selectors import agencies_for
from referrals.cases.selectors import VISIBLE, agency_filter
from referrals.models import (
    FundingStatus,
    Intervention,
    InterventionStatus,
)


def _edmt(user: User, *, start: date, end: date, agency: Organization | None) -> QuerySet[Intervention]:
    """EDMT interventions under way in the period (planned start before its end, end after its start)."""
    queryset = (
        Intervention.objects.scoped(VISIBLE)
        .filter(agency_filter(active_organization(user), "case__"))
        .filter(funding_type__counts_as_edmt=True, planned_start__lte=end, planned_end__gte=start)
        .exclude(status=InterventionStatus.CANCELLED)
    )
    if agency is not None:
        queryset = queryset.filter(case__agency=agency)
    return queryset


def edmt_interventions(
    user: User, *, start: date, end: date, agency: Organization | None = None
) -> QuerySet[Intervention]:
    return (
        _edmt(user, start=start, end=end, agency=agency)
        .select_related("case__agency", "case__person", "case__program", "intervention_type", "funding_type")
        .annotate(
            approved_amount=Sum(
                "funding_requests__amount", filter=Q(funding_requests__status=FundingStatus.APPROVED)
            )
        )
        .order_by("case__agency__name", "case__number", "planned_start")
    )


def edmt_by_agency(
    user: User, *, start: date, end: date, agency: Organization | None = None
) -> list[dict[str, Any]]:
    rows = (
        _edmt(user, start=start, end=end, agency=agency)
        .order_by()
        .values("case__agency", "case__agency__name_fr", "case__agency__name_en")
        .annotate(
            interventions=Count("pk", distinct=True),
            cases=Count("case", distinct=True),
            completed=Count("pk", filter=Q(status=InterventionStatus.COMPLETED), distinct=True),
        )
        .order_by("case__agency__name_fr")
    )
    return list(rows)


def report_agencies(user: User) -> QuerySet[Organization]:
    organization = active_organization(user)
    if organization is None:
        return Organization.objects.none()
    if organization.kind == OrganizationKind.DEPARTMENT:
        return agencies_for(user)
    return Organization.objects.filter(pk=organization.pk)
