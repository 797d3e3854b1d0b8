"""Writes of the business partner directory."""

from django.db import transaction

from referrals.models import (
    BusinessPartner,
)


@transaction.atomic
def save_partner(*, partner=None, agency=None, services=(), **fields):
    """A public partner (agency None, the department's) or one private to an agency."""
    partner = partner or BusinessPartner(agency=agency)
    for name, value in fields.items():
        setattr(partner, name, value)
    partner.save()
    partner.services.set(services)
    return partner
