"""Interpreter bank with 20,000 requests and 200 interpreters: the coordinator's queue, a
requester's list and the assignment suggestions. Prints figures; asserts nothing about time."""

import random
from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from interpreters.models import (
    CostCentre,
    InterpreterProfile,
    Language,
    Request,
    ServedEstablishment,
    ServiceType,
)
from interpreters.reference import ensure_reference_data
from tests.benchmarks.bench_portal import measure
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db

REQUESTS = 20_000
INTERPRETERS = 200
POSTAL_CODES = ["H2X 1Y4", "H3T 1J4", "H2J 3K5", "H4A 2L1", "J4K 2T8", "H1V 3R2", "J4W 1A1", "H1G 4V2"]


@pytest.fixture
def bank_world():
    ensure_reference_data()
    random.seed(7)
    bank = OrganizationFactory(kind="interpreter_bank")
    hospital = OrganizationFactory(kind="health_establishment")
    ServedEstablishment.objects.create(establishment=hospital, bank=bank)
    coordinator = MembershipFactory(organization=bank, role="interpreters.coordinator")
    requester = MembershipFactory(organization=hospital, role="interpreters.requester")
    centre = CostCentre.objects.create(establishment=hospital, code="1", name="C")
    languages = list(Language.objects.all())
    for index in range(INTERPRETERS):
        profile = InterpreterProfile.objects.create(
            user=UserFactory(),
            bank=bank,
            modalities=["in_person", "phone", "video"],
            home_postal_code=POSTAL_CODES[index % len(POSTAL_CODES)],
        )
        profile.languages.set(random.sample(languages, 2))
    medical = ServiceType.objects.first()
    now = timezone.now()
    rows = []
    for index in range(REQUESTS):
        start = now + timedelta(days=1 + index % 300, hours=index % 9)
        rows.append(
            Request(
                number=f"IR-{index + 1000:06d}",
                bank=bank,
                establishment=hospital,
                requester=requester.user,
                language=languages[index % len(languages)],
                date=timezone.localdate(start),
                start_time=time(9, 0),
                duration_minutes=60,
                starts_at=start,
                ends_at=start + timedelta(minutes=60),
                modality="in_person",
                postal_code=POSTAL_CODES[index % len(POSTAL_CODES)],
                service_type=medical,
                contact_name="x",
                contact_phone="x",
                cost_centre=centre,
            )
        )
    Request.objects.bulk_create(rows, batch_size=2000)
    return coordinator, requester


def test_bench_bank_pages(bank_world):
    coordinator, requester = bank_world
    staff = verified_client(coordinator.user, membership=coordinator)
    first = Request.objects.order_by("starts_at").first()
    for label, client, url in [
        ("coordinator queue", staff, reverse("interpreters:queue")),
        ("coordinator queue, page 200", staff, reverse("interpreters:queue") + "?page=200"),
        ("assignment suggestions (200 interpreters)", staff, reverse("interpreters:assign", args=[first.pk])),
        (
            "requester list",
            verified_client(requester.user, membership=requester),
            reverse("interpreters:request_list"),
        ),
    ]:
        median, worst, queries = measure(client, url, repeat=10)
        print(
            f"\n{label} ({REQUESTS} requests): median {median:6.1f} ms, max {worst:6.1f} ms, {queries} queries"
        )
