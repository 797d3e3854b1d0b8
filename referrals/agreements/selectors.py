"""Reads of agreements, agencies and offices, scoped to the active organization in the query."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from portal.db import order_by_name
from portal.models import Organization, OrganizationKind, User
from portal.selectors import active_organization
from referrals.cases.selectors import DEPARTMENT, VISIBLE
from referrals.models import (
    Agreement,
    ContractableAgency,
    Office,
)


def agreements_for(user: User) -> QuerySet[Agreement]:
    organization = active_organization(user)
    return (
        Agreement.objects.scoped(DEPARTMENT)
        .filter(department=organization)
        .select_related("agency", "department")
    )


def contractable_agencies(user: User) -> QuerySet[Organization]:
    """The active agencies the department may sign agreements with (reference data, admin site)."""
    organization = active_organization(user)
    if organization is None or organization.kind != OrganizationKind.DEPARTMENT:
        return Organization.objects.none()
    allowed = ContractableAgency.objects.for_organization(organization).filter(department=organization)
    return order_by_name(
        Organization.objects.filter(
            kind=OrganizationKind.EMPLOYMENT_AGENCY, is_active=True, pk__in=allowed.values("agency")
        ),
        "name",
    )


def get_agreement_for_user(user: User, pk: int) -> Agreement:
    return get_object_or_404(agreements_for(user), pk=pk)


def agencies_for(user: User) -> QuerySet[Organization]:
    """The agencies a department has agreements with."""
    organization = active_organization(user)
    return Organization.objects.filter(
        kind=OrganizationKind.EMPLOYMENT_AGENCY, employment_agreements__department=organization
    ).distinct()


def get_agency_for_user(user: User, pk: int) -> Organization:
    return get_object_or_404(agencies_for(user), pk=pk)


def get_office_for_user(user: User, pk: int) -> Office:
    return get_object_or_404(Office.objects.scoped(VISIBLE).filter(agency__in=agencies_for(user)), pk=pk)


def active_agreements(agency: Organization) -> QuerySet[Agreement]:
    today = timezone.localdate()
    return (
        Agreement.objects.scoped("the agency's")
        .filter(agency=agency, funding_active=True, start_date__lte=today)
        .exclude(end_date__lt=today)
        .order_by("number")
    )


def delivery_locations(agency: Organization) -> QuerySet[Office]:
    return Office.objects.for_organization(agency).filter(is_active=True, is_delivery_location=True)


def offices_for(agency: Organization) -> QuerySet[Office]:
    return Office.objects.for_organization(agency).filter(is_active=True)
