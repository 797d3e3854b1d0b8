"""Helpers shared by the referrals test modules."""

from datetime import timedelta

from django.utils import timezone


def intervention_form(world, case, **changes):
    """The action plan's intervention form, filled in for a two-day workshop (`changes` override; None drops a field)."""
    today = timezone.localdate()
    data = {
        "dimension": world.workshop.dimension.pk,
        "intervention_type": world.workshop.pk,
        "funding_type": "",
        "delivery_model": "external",
        "planned_start": (today + timedelta(days=3)).isoformat(),
        "planned_end": (today + timedelta(days=4)).isoformat(),
        "description": "Two-day workshop",
        "local_coordinator": "",
        "delivering_organization": world.public_partner.pk,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}
