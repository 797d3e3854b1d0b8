"""The department's list of summaries, newest change first: its deep pages (read from the end of
the list, portal.tables) show the right rows in the right order, with or without a filter."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import OrderSummary
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db


def _shown(client, query):
    rows = []
    for number in (1, 2, 3):
        response = client.get(reverse("orders:department_list") + f"{query}&page={number}")
        assert response.status_code == 200
        rows.extend(row.record.pk for row in response.context["table"].page.object_list)
    return rows


def test_every_page_of_the_department_list_in_order_of_last_change(world):
    first = world.summary()
    now = timezone.now()
    for index in range(1, 60):
        copy = OrderSummary.objects.get(pk=first.pk)
        copy.pk = None
        copy.number = f"{first.number}-{index}"
        copy.save()
    # Pairs changed at the same instant: the id (newest first) keeps their order.
    for index, pk in enumerate(OrderSummary.objects.order_by("pk").values_list("pk", flat=True)):
        OrderSummary.objects.filter(pk=pk).update(updated_at=now - timedelta(minutes=index // 2))
    client = verified_client(world.worker, membership=world.worker_membership)
    expected = list(OrderSummary.objects.order_by("-updated_at", "-pk").values_list("pk", flat=True))
    assert _shown(client, "?") == expected
    assert _shown(client, "?sort=updated_at") == expected[::-1]
