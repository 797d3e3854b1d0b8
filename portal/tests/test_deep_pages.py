"""Deep pages of a list (portal.tables.NearerEndPaginator): a page in the back half is read from
the end of the list, in reverse, and put back in order. Every page must still show the right rows
in the right order (ties included), with the same number of queries as the first page."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.models import Task
from tests.factories import UserFactory
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks():
    """60 open tasks over 3 due dates (20 ties each), created in a shuffled order of dates."""
    user = UserFactory()
    today = timezone.localdate()
    created = [
        Task.objects.create(
            assignee=user,
            title=f"t{index}",
            title_fr=f"t{index}",
            title_en=f"t{index}",
            due_date=today + timedelta(days=(index * 7) % 3),
            link="/",
        )
        for index in range(60)
    ]
    return verified_client(user), created


def _page(client, query):
    response = client.get(reverse("portal:task_list") + query)
    assert response.status_code == 200
    table = response.context["table"]
    return [row.record.pk for row in table.page.object_list], table.page.number


def test_every_page_shows_its_rows_in_the_lists_order(tasks):
    client, created = tasks
    expected = [task.pk for task in sorted(created, key=lambda task: (task.due_date, task.pk))]
    pages = [_page(client, f"?page={number}")[0] for number in (1, 2, 3)]
    assert [len(rows) for rows in pages] == [25, 25, 10]
    assert sum(pages, []) == expected


def test_a_reversed_sort_reads_the_same_rows_the_other_way(tasks):
    client, created = tasks
    # The id breaks ties in the direction of the first key: newest id first among equal dates.
    expected = [task.pk for task in sorted(created, key=lambda task: (task.due_date, task.pk), reverse=True)]
    pages = [_page(client, f"?sort=-due_date&page={number}")[0] for number in (1, 2, 3)]
    assert sum(pages, []) == expected


def test_a_page_past_the_end_shows_the_last_page(tasks):
    client, created = tasks
    rows, number = _page(client, "?page=99")
    assert number == 3
    assert rows == [task.pk for task in sorted(created, key=lambda task: (task.due_date, task.pk))][50:]


def test_the_last_page_costs_the_queries_of_the_first(tasks):
    client, _created = tasks
    client.get(reverse("portal:task_list"))
    counts = []
    for query in ("?page=1", "?page=3"):
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("portal:task_list") + query)
        counts.append(len(queries))
    assert counts[0] == counts[1]
