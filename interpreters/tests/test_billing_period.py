"""Issuing reads the month's services and those changed since the last issuing, never the whole
history; a statement's page shows its lines a page at a time; the coordinator's queue shows its
deep pages in order."""

from datetime import timedelta
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from interpreters.billing import services as billing
from interpreters.billing import views as billing_views
from interpreters.models import Completion, Request, Statement, StatementLine
from interpreters.requests import services
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


def _move(request, months):
    """The service took place `months` months earlier than it did."""
    date = request.date - relativedelta(months=months)
    start = request.starts_at - relativedelta(months=months)
    Request.objects.filter(pk=request.pk).update(
        date=date, starts_at=start, ends_at=start + timedelta(minutes=90)
    )
    request.refresh_from_db()
    return request


def _month(request):
    return request.date.replace(day=1)


def _read_by_issuing(monkeypatch):
    """The requests whose amounts an issuing computes."""
    read = []
    original = billing.amounts

    def recording(request, kind):
        read.append(request.pk)
        return original(request, kind)

    monkeypatch.setattr(billing, "amounts", recording)
    return read


def test_issuing_reads_only_the_month_and_what_changed_since(world, monkeypatch):
    old = _move(world.validated(), 3)
    billing.issue_statements(actor=world.coordinator, bank=world.bank, month=_month(old))
    old.refresh_from_db()
    assert not old.to_bill
    current = world.validated()
    read = _read_by_issuing(monkeypatch)
    billing.issue_statements(actor=world.coordinator, bank=world.bank, month=_month(current))
    assert set(read) == {current.pk}


def test_a_correction_of_an_earlier_month_is_carried_by_the_next_statement(world):
    old = _move(world.validated(), 3)
    billing.issue_statements(actor=world.coordinator, bank=world.bank, month=_month(old))
    completion = old.completion
    services.correct_completion(
        actor=world.coordinator,
        request=old,
        actual_start=old.starts_at,
        actual_end=old.starts_at + timedelta(minutes=240),
        travel_km=completion.travel_km,
        waiting_minutes=0,
        expenses=Decimal("15.00"),
        notes="",
    )
    month = timezone.localdate().replace(day=1)
    issued = billing.issue_statements(actor=world.coordinator, bank=world.bank, month=month)
    line = StatementLine.objects.get(statement__in=issued, kind="establishment")
    assert line.request == old and line.is_correction and line.expenses == Decimal("15.00")
    assert billing.issue_statements(actor=world.coordinator, bank=world.bank, month=month) == []


def test_a_service_validated_after_its_month_was_issued_is_billed_next(world):
    early = _move(world.validated(), 2)
    # Its month was issued before it was validated (it had no line then): flagged, it waits.
    billing.issue_statements(actor=world.coordinator, bank=world.bank, month=_month(early))
    late = _move(world.validated(), 2)
    issued = billing.issue_statements(
        actor=world.coordinator, bank=world.bank, month=timezone.localdate().replace(day=1)
    )
    assert {line.request_id for line in StatementLine.objects.filter(statement__in=issued)} == {late.pk}


def _lines(world, count):
    """A statement of `count` services (copies of one validated service, a day apart)."""
    first = world.validated()
    for index in range(1, count):
        start = first.starts_at - timedelta(minutes=index)
        copy = Request.objects.get(pk=first.pk)
        copy.pk = None
        copy.number = f"{first.number}-{index}"
        copy.starts_at, copy.ends_at = start, start + timedelta(minutes=90)
        copy.save()
        Completion.objects.create(
            request=copy, actual_start=start, actual_end=start + timedelta(minutes=100), travel_km=10
        )
    billing.issue_statements(actor=world.coordinator, bank=world.bank, month=_month(first))
    return Statement.objects.get(bank=world.bank, kind="pay")


def test_the_statement_page_shows_its_lines_a_page_at_a_time_in_order(world, monkeypatch):
    monkeypatch.setattr(billing_views, "LINES_PER_PAGE", 10)
    statement = _lines(world, 23)
    expected = list(
        statement.lines.order_by("request__starts_at", "pk").values_list("request__number", flat=True)
    )
    client = verified_client(world.coordinator, membership=world.coordinator_membership)
    url = reverse("interpreters:statement", args=[statement.pk])
    client.get(url)  # the session's first request writes it
    shown, counts = [], []
    for number in (1, 2, 3):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{url}?page={number}")
        counts.append(len(queries))
        shown.extend(row.record.request.number for row in response.context["table"].page.object_list)
    assert shown == expected
    assert counts[1:] == counts[:1] * 2
    assert str(statement.total) in response.content.decode()


def test_the_queue_shows_its_last_page_in_date_order(world):
    first = world.request()
    for index in range(1, 60):
        copy = Request.objects.get(pk=first.pk)
        copy.pk = None
        copy.number = f"{first.number}-{index}"
        # Pairs at the same time: the id keeps their order.
        copy.starts_at = first.starts_at + timedelta(hours=index // 2)
        copy.ends_at = copy.starts_at + timedelta(minutes=60)
        copy.save()
    expected = list(
        Request.objects.filter(bank=world.bank).order_by("starts_at", "pk").values_list("number", flat=True)
    )
    client = verified_client(world.coordinator, membership=world.coordinator_membership)
    shown = []
    for number in (1, 2, 3):
        response = client.get(reverse("interpreters:queue") + f"?page={number}")
        shown.extend(row.record.number for row in response.context["table"].page.object_list)
    assert shown == expected


def test_the_queue_sorted_by_language_shows_every_page_in_name_order_either_way(world):
    from interpreters.models import Language
    from portal.db import order_by_name

    languages = list(Language.objects.all())
    # An accented name sorts as its letters (É with the E's), not after Z.
    Language.objects.filter(pk=languages[0].pk).update(name="Éwé", name_en="Éwé", name_fr="Éwé")
    first = world.request()
    for index in range(1, 60):
        copy = Request.objects.get(pk=first.pk)
        copy.pk = None
        copy.number = f"{first.number}-{index}"
        copy.language = languages[index % len(languages)]
        copy.starts_at = first.starts_at + timedelta(hours=index)
        copy.ends_at = copy.starts_at + timedelta(minutes=60)
        copy.save()
    requests = Request.objects.filter(bank=world.bank)
    client = verified_client(world.coordinator, membership=world.coordinator_membership)
    client.get(reverse("interpreters:queue"))  # the session's first page does more than a page
    for sort, descending in [("language", False), ("-language", True)]:
        expected = list(
            order_by_name(
                requests, "language__name_en", descending=descending, then=("-pk" if descending else "pk",)
            ).values_list("number", flat=True)
        )
        shown, counts = [], []
        for number in (1, 2, 3):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(reverse("interpreters:queue"), {"sort": sort, "page": number})
            counts.append(len(queries))
            shown.extend(row.record.number for row in response.context["table"].page.object_list)
        assert shown == expected
        # The middle page and the last one read their ids first, in as many queries as the first.
        assert counts[1:] == counts[:1] * 2


def test_issuing_a_month_again_with_nothing_new_reads_none_of_its_services(world, monkeypatch):
    current = world.validated()
    month = _month(current)
    issued = billing.issue_statements(actor=world.coordinator, bank=world.bank, month=month)
    assert {line.request_id for line in StatementLine.objects.filter(statement__in=issued)} == {current.pk}
    read = _read_by_issuing(monkeypatch)
    assert billing.issue_statements(actor=world.coordinator, bank=world.bank, month=month) == []
    assert read == []
    # A correction of that month's service is read, and only it, the next time.
    other = world.validated()
    billing.issue_statements(actor=world.coordinator, bank=world.bank, month=month)
    assert other.pk in read
    read.clear()
    services.correct_completion(
        actor=world.coordinator,
        request=current,
        actual_start=current.starts_at,
        actual_end=current.starts_at + timedelta(minutes=240),
        travel_km=current.completion.travel_km,
        waiting_minutes=0,
        expenses=Decimal("5.00"),
        notes="",
    )
    again = billing.issue_statements(actor=world.coordinator, bank=world.bank, month=month)
    assert set(read) == {current.pk}
    line = StatementLine.objects.get(statement__in=again, kind="establishment")
    assert line.request_id == current.pk and line.is_correction and line.expenses == Decimal("5.00")


def test_a_statement_page_costs_the_same_queries_whatever_its_lines(
    world, monkeypatch, django_assert_num_queries
):
    """The first, middle and last pages of a statement of 30 lines (10 a page): the same queries."""
    monkeypatch.setattr(billing_views, "LINES_PER_PAGE", 10)
    statement = _lines(world, 30)
    client = verified_client(world.coordinator, membership=world.coordinator_membership)
    url = reverse("interpreters:statement", args=[statement.pk])
    client.get(url)  # the session's first request writes it
    with CaptureQueriesContext(connection) as first:
        assert client.get(f"{url}?page=1").status_code == 200
    for page in (2, 3):
        with django_assert_num_queries(len(first)):
            response = client.get(f"{url}?page={page}")
        assert len(response.context["table"].page.object_list) == 10
