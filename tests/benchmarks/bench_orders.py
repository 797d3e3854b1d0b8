"""Provider list and search pages with 100,000 summaries across 50 providers: times and query
counts (which must not grow with rows). Prints figures; asserts nothing about time."""

import random
import statistics
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orders.models import Order, OrderSummary, ServiceCentre, ServiceType, SummaryStatus, Zone
from orders.reference import ensure_reference_data
from orders.summaries.services import normalize_name
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.helpers import searched_address, verified_client

pytestmark = pytest.mark.django_db

SUMMARIES = 100_000
PROVIDERS = 50
FIRST = ["Mélissa", "Brighton", "Anita", "Howard", "Élise", "Gérard", "Nathalie", "Omar", "Claire", "Patrick"]
LAST = [
    "Rachyl",
    "Early",
    "Plourde",
    "Doucette",
    "Thériault",
    "Landry",
    "Savoie",
    "Benali",
    "Boudreau",
    "Gagnon",
]
STATUSES = [
    SummaryStatus.OFFERED,
    SummaryStatus.ACTIVATED,
    SummaryStatus.PENDING,
    SummaryStatus.TERMINATED,
    SummaryStatus.CANCELLED,
]


def measure(client, url, repeat=10):
    client.get(url)
    timings = []
    for _i in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(timings), max(timings), len(queries)


def test_bench_provider_lists_and_search_with_100000_summaries():
    ensure_reference_data()
    random.seed(7)
    department = OrganizationFactory(kind="department")
    worker = UserFactory()
    providers = [OrganizationFactory(kind="provider_agency") for _i in range(PROVIDERS)]
    services, zones, centres = (
        list(ServiceType.objects.all()),
        list(Zone.objects.all()),
        list(ServiceCentre.objects.all()),
    )
    today = timezone.localdate()
    started = time.perf_counter()
    batch = []
    for index in range(SUMMARIES):
        name = f"{random.choice(FIRST)} {random.choice(LAST)} {index}"
        start = today - timedelta(days=random.randint(0, 700))
        batch.append(
            OrderSummary(
                number=f"OS-{index + 1:07d}",
                client_name=name,
                client_name_search=normalize_name(name),
                service=random.choice(services),
                zone=random.choice(zones),
                service_centre=random.choice(centres),
                start_date=start,
                end_date=start + timedelta(days=365),
                status=random.choice(STATUSES),
                department=department,
                provider=providers[index % PROVIDERS],
                worker=worker,
            )
        )
    OrderSummary.objects.bulk_create(batch, batch_size=5000)
    ids = list(OrderSummary.objects.order_by("pk").values_list("pk", "start_date", "status"))
    Order.objects.bulk_create(
        (
            Order(
                number=f"{n + 1:08d}",
                summary_id=pk,
                effective_date=start,
                status=status,
                order_type="service",
                per="week",
                base_units=Decimal(35),
                base_rate=Decimal("30.09"),
            )
            for n, (pk, start, status) in enumerate(ids)
        ),
        batch_size=5000,
    )
    print(
        f"\nloaded {SUMMARIES:,} summaries and orders for {PROVIDERS} providers in {time.perf_counter() - started:.1f} s"
        f" ({connection.vendor})"
    )

    membership = MembershipFactory(organization=providers[0], role="orders.finance_care_coordination")
    client = verified_client(membership.user, membership=membership)
    base = reverse("orders:requests")
    for label, url in [
        ("Offered tab", f"{base}?tab=offered"),
        ("Active tab", f"{base}?tab=active"),
        ("Active tab, page 20", f"{base}?tab=active&page=20"),
        ("Active tab sorted by account", f"{base}?tab=active&sort=client_name"),
        ("Search by account name", f"{base}?tab=search&account_name=melissa"),
        (
            "Search by name + status + zone",
            f"{base}?tab=search&account_name=rachyl&status=activated&zone={zones[0].pk}",
        ),
        ("Search by order number", f"{base}?tab=search&order_number=00000051"),
    ]:
        median, worst, queries = measure(client, searched_address(client, url))
        print(f"{label:<34} median {median:7.1f} ms  max {worst:7.1f} ms  {queries} queries")
