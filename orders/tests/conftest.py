from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.models import ServiceCentre, ServiceType, Zone
from orders.offers import services as offer_services
from orders.reference import ensure_reference_data
from orders.summaries import services as summary_services
from tests.factories import MembershipFactory, OrganizationFactory

# Memberships valid long before any instant a test travels to (a factory's "30 days ago" is read
# from the real clock, before a test's clock fixture moves it).
SINCE = date(2020, 1, 1)


class World:
    """A department, its worker, two providers and the three provider personas."""

    def __init__(self):
        self.department = OrganizationFactory(kind="department", name_fr="Ministère", name_en="Department")
        self.provider = OrganizationFactory(kind="provider_agency")
        self.other_provider = OrganizationFactory(kind="provider_agency")
        self.worker_membership = MembershipFactory(
            organization=self.department,
            role="orders.department_worker",
            user__preferred_language="en",
            valid_from=SINCE,
        )
        self.worker = self.worker_membership.user
        self.coordinator_membership = MembershipFactory(
            organization=self.provider,
            role="orders.care_coordination",
            user__preferred_language="en",
            valid_from=SINCE,
        )
        self.coordinator = self.coordinator_membership.user
        self.finance_membership = MembershipFactory(
            organization=self.provider, role="orders.finance", user__preferred_language="en", valid_from=SINCE
        )
        self.finance = self.finance_membership.user
        self.both_membership = MembershipFactory(
            organization=self.provider,
            role="orders.finance_care_coordination",
            user__preferred_language="en",
            valid_from=SINCE,
        )
        self.both = self.both_membership.user
        self.outsider_membership = MembershipFactory(
            organization=self.other_provider, role="orders.finance_care_coordination", valid_from=SINCE
        )
        self.outsider = self.outsider_membership.user

    def summary(self, *, provider=None, service="home-support", client_name="Mélissa Rachyl", **changes):
        today = timezone.localdate()
        data = dict(
            actor=self.worker,
            department=self.department,
            provider=provider or self.provider,
            client_name=client_name,
            service=ServiceType.objects.get(code=service),
            zone=Zone.objects.get(code="central"),
            service_centre=ServiceCentre.objects.get(code="fredericton"),
            start_date=today.replace(day=1) - timedelta(days=40),
            end_date=today + timedelta(days=300),
            worker=self.worker,
            order=dict(
                effective_date=today.replace(day=1) - timedelta(days=40),
                per="week",
                base_units=Decimal(35),
                base_rate=Decimal("30.09"),
                km_units=Decimal(1163),
                other_monthly_cost=Decimal(150),
                client_contribution=Decimal(52),
            ),
        )
        data.update(changes)
        return summary_services.create_summary(**data)

    def offered(self, **kwargs):
        return summary_services.offer_summary(actor=self.worker, summary=self.summary(**kwargs))

    def activated(self, **kwargs):
        return offer_services.accept_summary(actor=self.coordinator, summary=self.offered(**kwargs))


@pytest.fixture
def world(db):
    ensure_reference_data()
    return World()
