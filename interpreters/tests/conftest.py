from datetime import time, timedelta

import pytest
from django.utils import timezone

from interpreters.billing import services as billing
from interpreters.models import CostCentre, InterpreterProfile, Language, ServedEstablishment, ServiceType
from interpreters.reference import ensure_reference_data
from interpreters.requests import services
from tests.factories import MembershipFactory, OrganizationFactory


class World:
    """A bank (coordinator, two interpreters), two establishments it serves with a requester each."""

    def __init__(self):
        self.bank = OrganizationFactory(kind="interpreter_bank")
        self.hospital = OrganizationFactory(kind="health_establishment")
        self.clinic = OrganizationFactory(kind="health_establishment")
        for establishment in (self.hospital, self.clinic):
            ServedEstablishment.objects.create(establishment=establishment, bank=self.bank)
        billing.ensure_rates(bank=self.bank)
        self.coordinator_membership = MembershipFactory(
            organization=self.bank, role="interpreters.coordinator", user__preferred_language="en"
        )
        self.coordinator = self.coordinator_membership.user
        self.requester_membership = MembershipFactory(
            organization=self.hospital, role="interpreters.requester", user__preferred_language="en"
        )
        self.requester = self.requester_membership.user
        self.other_requester_membership = MembershipFactory(
            organization=self.clinic, role="interpreters.requester", user__preferred_language="en"
        )
        self.other_requester = self.other_requester_membership.user
        self.arabic = Language.objects.get(code="ar")
        self.spanish = Language.objects.get(code="es")
        self.medical = ServiceType.objects.get(code="medical")
        self.centre = CostCentre.objects.create(establishment=self.hospital, code="7010", name="Urgence")
        self.other_centre = CostCentre.objects.create(establishment=self.clinic, code="1000", name="Accueil")
        self.near_membership, self.near = self.interpreter("H2X 1Y4", ["ar"])
        self.far_membership, self.far = self.interpreter("J8Y 3R4", ["ar"])

    def interpreter(self, postal_code, languages, modalities=("in_person", "phone", "video"), bank=None):
        bank = bank or self.bank
        membership = MembershipFactory(
            organization=bank, role="interpreters.interpreter", user__preferred_language="en"
        )
        profile = InterpreterProfile.objects.create(
            user=membership.user, bank=bank, modalities=list(modalities), home_postal_code=postal_code
        )
        profile.languages.set(Language.objects.filter(code__in=languages))
        return membership, profile

    def values(self, **changes):
        values = dict(
            language=self.arabic,
            dialect="",
            date=timezone.localdate() + timedelta(days=3),
            start_time=time(10, 0),
            duration_minutes=90,
            modality="in_person",
            site_name="Hôpital",
            address="1000, rue Saint-Denis, Montréal",
            postal_code="H2X 0C1",
            room="B-210",
            remote_details="",
            service_type=self.medical,
            participants=2,
            gender_preference="",
            preference_reason="",
            context="Suivi",
            instructions="",
            contact_name="Paul",
            contact_phone="514-555-0100",
            cost_centre=self.centre,
        )
        values.update(changes)
        return values

    def request(self, **changes):
        return services.create_request(
            actor=self.requester, establishment=self.hospital, **self.values(**changes)
        )[0]

    def confirmed(self, interpreter=None, **changes):
        interpreter = interpreter or self.near
        request = services.assign_interpreter(
            actor=self.coordinator, request=self.request(**changes), interpreter=interpreter
        )
        request = services.accept_offer(actor=interpreter.user, request=request)
        return services.confirm_request(actor=self.coordinator, request=request)

    def validated(self, **changes):
        """A confirmed request moved into the past, recorded and validated."""
        from interpreters.models import Request

        request = self.confirmed(**changes)
        start = timezone.now() - timedelta(days=1)
        Request.objects.filter(pk=request.pk).update(
            date=timezone.localdate(start), starts_at=start, ends_at=start + timedelta(minutes=90)
        )
        request.refresh_from_db()
        request = services.record_completion(
            actor=request.interpreter.user,
            request=request,
            actual_start=start,
            actual_end=start + timedelta(minutes=100),
            travel_km=10,
            waiting_minutes=0,
            expenses=0,
            notes="",
        )
        return services.validate_completion(actor=self.coordinator, request=request)


@pytest.fixture
def world(db):
    ensure_reference_data()
    return World()
