"""Benchmarks print figures; they assert nothing about time. Run with `make bench`."""

import statistics
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.models import Notification, Task
from tests.factories import MembershipFactory
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db


def measure(client, url, repeat=20):
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


@pytest.mark.parametrize("rows", [1, 50, 500])
def test_bench_home_page(rows):
    membership = MembershipFactory(role="portal.administrator")
    user = membership.user
    today = timezone.localdate()
    Task.objects.bulk_create(
        Task(assignee=user, title="t", title_fr="t", title_en="t", due_date=today, link="/")
        for _i in range(rows)
    )
    Notification.objects.bulk_create(
        Notification(recipient=user, title="n", title_fr="n", title_en="n", link="/") for _i in range(rows)
    )
    median, worst, queries = measure(verified_client(user), reverse("portal:home"))
    print(
        f"\nhome page, {rows:>4} tasks + {rows:>4} notifications: median {median:6.1f} ms, max {worst:6.1f} ms, {queries} queries"
    )


@pytest.mark.parametrize("rows", [1, 50, 500])
def test_bench_members_page(rows):
    admin = MembershipFactory(role="portal.administrator")
    for _i in range(rows):
        MembershipFactory(organization=admin.organization)
    url = reverse("portal:organization_detail", args=[admin.organization.pk])
    median, worst, queries = measure(verified_client(admin.user), url)
    print(
        f"\nmembers page, {rows:>4} members: median {median:6.1f} ms, max {worst:6.1f} ms, {queries} queries"
    )
