"""Business partners: the public ones and the agency's private ones."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from portal.db import folded_q, order_by_name
from portal.models import OrganizationKind, User
from portal.selectors import active_organization
from referrals.models import (
    BusinessPartner,
    Intervention,
    PartnerService,
)


def partners_for(user: User) -> QuerySet[BusinessPartner]:
    """Public partners, plus the private ones of the person's agency."""
    organization = active_organization(user)
    visible = Q(agency__isnull=True)
    if organization is not None and organization.kind == OrganizationKind.EMPLOYMENT_AGENCY:
        visible |= Q(agency=organization)
    return (
        BusinessPartner.objects.scoped("public, or private to the agency")
        .filter(visible)
        .prefetch_related("services")
        .select_related("agency")
    )


def active_partners_for(user: User) -> QuerySet[BusinessPartner]:
    return partners_for(user).filter(is_active=True)


def get_partner_for_user(user: User, pk: int) -> BusinessPartner:
    return get_object_or_404(partners_for(user), pk=pk)


def recent_partners(user: User, limit: int | None = 5) -> list[BusinessPartner]:
    """The business partners this person chose most recently (the guide's "Recent business partners")."""
    ids = []
    rows = (
        Intervention.objects.scoped("this person's own choices, shown through partners_for")
        .filter(created_by=user)
        .order_by("-updated_at")
        .values_list("delivering_organization", "local_coordinator")[:50]
    )
    for row in rows:
        for pk in row:
            if pk and pk not in ids:
                ids.append(pk)
    ids = ids[:limit]
    partners = {partner.pk: partner for partner in active_partners_for(user).filter(pk__in=ids)}
    return [partners[pk] for pk in ids if pk in partners]


def search_partners(
    user: User,
    *,
    name: str = "",
    service: PartnerService | None = None,
    city: str = "",
    limit: int | None = None,
) -> QuerySet[BusinessPartner]:
    partners = active_partners_for(user)
    if name:
        partners = partners.filter(folded_q("name", name))
    if service:
        partners = partners.filter(services=service)
    if city:
        partners = partners.filter(folded_q("city", city))
    partners = order_by_name(partners.distinct(), "name")
    return partners[:limit] if limit else partners
