"""Writes of the business partner directory."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from portal.models import Organization
from referrals.cases.services import save_fields
from referrals.models import (
    BusinessPartner,
    PartnerService,
)


@transaction.atomic
def save_partner(
    *,
    partner: BusinessPartner | None = None,
    agency: Organization | None = None,
    services: Iterable[PartnerService] = (),
    **fields: Any,
) -> BusinessPartner:
    """A public partner (agency None, the department's) or one private to an agency."""
    partner = save_fields(partner or BusinessPartner(agency=agency), fields)
    partner.services.set(services)
    return partner
