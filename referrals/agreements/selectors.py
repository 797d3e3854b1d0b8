"""Reads of agreements, agencies and offices, scoped to the active organization in the query."""

from django.shortcuts import get_object_or_404
from django.utils import timezone

from portal.db import order_by_name
from portal.selectors import active_organization
from referrals.cases.selectors import DEPARTMENT, VISIBLE
from referrals.models import (
    Agreement,
    ContractableAgency,
    Office,
)


def agreements_for(user):
    organization = active_organization(user)
    return (
        Agreement.objects.scoped(DEPARTMENT)
        .filter(department=organization)
        .select_related("agency", "department")
    )


def contractable_agencies(user):
    """The active agencies the department may sign agreements with (reference data, admin site)."""
    from portal.models import Organization

    organization = active_organization(user)
    if organization is None or organization.kind != "department":
        return Organization.objects.none()
    allowed = ContractableAgency.objects.for_organization(organization).filter(department=organization)
    return order_by_name(
        Organization.objects.filter(
            kind="employment_agency", is_active=True, pk__in=allowed.values("agency")
        ),
        "name",
    )


def get_agreement_for_user(user, pk):
    return get_object_or_404(agreements_for(user), pk=pk)


def agencies_for(user):
    """The agencies a department has agreements with."""
    from portal.models import Organization

    organization = active_organization(user)
    return Organization.objects.filter(
        kind="employment_agency", employment_agreements__department=organization
    ).distinct()


def get_agency_for_user(user, pk):
    return get_object_or_404(agencies_for(user), pk=pk)


def get_office_for_user(user, pk):
    return get_object_or_404(Office.objects.scoped(VISIBLE).filter(agency__in=agencies_for(user)), pk=pk)


def active_agreements(agency):
    today = timezone.localdate()
    return (
        Agreement.objects.scoped("the agency's")
        .filter(agency=agency, funding_active=True, start_date__lte=today)
        .exclude(end_date__lt=today)
        .order_by("number")
    )


def delivery_locations(agency):
    return Office.objects.for_organization(agency).filter(is_active=True, is_delivery_location=True)


def offices_for(agency):
    return Office.objects.for_organization(agency).filter(is_active=True)
