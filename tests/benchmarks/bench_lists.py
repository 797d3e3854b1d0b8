"""Staff lists and statements at 100,000 rows (issue 16): for each list, the warm median time, the
number of queries and the plan of its main query (Index Scan or Seq Scan + Sort, from EXPLAIN on
PostgreSQL); the interpreter statement of a month with 5,000 services (issuing, the detail page,
the PDF). Rows are written with bulk_create in large batches, then ANALYZEd. Prints figures;
asserts nothing about time.

    DATABASE_URL=postgres://... .venv/bin/python -m pytest tests/benchmarks/bench_lists.py -s -q \
        -o python_files="bench_*.py"
"""

import json
import random
import statistics
import time
from datetime import date, timedelta
from datetime import time as clock
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.helpers import searched_address, verified_client

pytestmark = pytest.mark.django_db

ROWS = 100_000
BATCH = 5_000


def _analyze():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _nodes(plan, depth=0):
    """The plan's node types, outermost first: 'Limit > Index Scan (orders_..._idx)'."""
    label = plan["Node Type"]
    if plan.get("Index Name"):
        label += f" ({plan['Index Name']})"
    if plan.get("Sort Method"):
        label += f" [{plan['Sort Method']}, {plan.get('Sort Space Type', '')}]"
    labels = [label]
    for child in plan.get("Plans", []):
        labels.extend(_nodes(child, depth + 1))
    return labels


def plan_of(sql):
    if connection.vendor != "postgresql":
        return "(EXPLAIN on PostgreSQL only)"
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
        (plan,) = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)[0]
    return f"{plan['Execution Time']:.1f} ms in the database: " + " > ".join(_nodes(plan["Plan"]))


def measure(client, url, table, repeat=7):
    """(median ms, queries, plan of the main query: the LIMITed read of `table`)."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    timings = []
    for _i in range(repeat):
        start = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    main = [
        query["sql"]
        for query in queries.captured_queries
        if f'FROM "{table}"' in query["sql"] and "LIMIT" in query["sql"] and "COUNT(" not in query["sql"]
    ]
    slowest = max(queries.captured_queries, key=lambda query: float(query["time"]))
    plan = plan_of(main[-1]) if main else "(no main query)"
    plan += f"\n{'':<44} slowest query {float(slowest['time']) * 1000:.1f} ms: {slowest['sql'][:90]}"
    return statistics.median(timings), len(queries), plan


def report(label, median, queries, plan):
    print(f"\n{label:<44} {median:7.1f} ms  {queries:>3} queries  {plan}")


def timed(label, function):
    start = time.perf_counter()
    result = function()
    print(f"\n{label:<44} {(time.perf_counter() - start) * 1000:9.1f} ms")
    return result


def test_bench_department_order_list():
    from orders.models import OrderSummary, ServiceCentre, ServiceType, SummaryStatus, Zone
    from orders.reference import ensure_reference_data
    from orders.summaries.services import normalize_name

    ensure_reference_data()
    random.seed(16)
    department = OrganizationFactory(kind="department")
    provider = OrganizationFactory(kind="provider_agency")
    membership = MembershipFactory(organization=department, role="orders.department_worker")
    service, zone, centre = ServiceType.objects.first(), Zone.objects.first(), ServiceCentre.objects.first()
    statuses = list(SummaryStatus)
    today = timezone.localdate()
    started = time.perf_counter()
    summaries = []
    for index in range(ROWS):
        name = f"Client {index}"
        summaries.append(
            OrderSummary(
                number=f"OS-{index + 1:07d}",
                client_name=name,
                client_name_search=normalize_name(name),
                service=service,
                zone=zone,
                service_centre=centre,
                start_date=today,
                end_date=today,
                status=statuses[index % len(statuses)],
                department=department,
                provider=provider,
                worker=membership.user,
            )
        )
    OrderSummary.objects.bulk_create(summaries, batch_size=BATCH)
    # auto_now gave them all the same instant: spread them as a real list would be.
    OrderSummary.objects.filter(department=department).update(updated_at=timezone.now())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE orders_ordersummary SET updated_at = now() - (id % 5000) * interval '1 hour'"
            )
    _analyze()
    print(f"\n{ROWS:,} order summaries in {time.perf_counter() - started:.1f} s ({connection.vendor})")
    client = verified_client(membership.user, membership=membership)
    base = reverse("orders:department_list")
    for label, url in [
        ("department order list", base),
        ("department order list, page 2,000", f"{base}?page=2000"),
        ("department order list, status filter", f"{base}?status=activated"),
    ]:
        report(label, *measure(client, url, "orders_ordersummary"))


def test_bench_home_page_with_100000_tasks_and_notifications():
    from portal.models import Notification, Task

    membership = MembershipFactory(role="portal.administrator")
    user = membership.user
    today = timezone.localdate()
    started = time.perf_counter()
    Task.objects.bulk_create(
        (
            Task(
                assignee=user,
                title="t",
                title_fr="t",
                title_en="t",
                due_date=today + timedelta(days=i % 400),
                link="/",
            )
            for i in range(ROWS)
        ),
        batch_size=BATCH,
    )
    Notification.objects.bulk_create(
        (
            Notification(
                recipient=user,
                title="n",
                title_fr="n",
                title_en="n",
                due_date=today - timedelta(days=i % 400),
                link="/",
            )
            for i in range(ROWS)
        ),
        batch_size=BATCH,
    )
    _analyze()
    print(f"\n{ROWS:,} tasks and {ROWS:,} notifications in {time.perf_counter() - started:.1f} s")
    client = verified_client(user, membership=membership)
    report("home page", *measure(client, reverse("portal:home"), "portal_task"))
    report("home page (notifications query)", *measure(client, reverse("portal:home"), "portal_notification"))
    report(
        "all my tasks, last page", *measure(client, reverse("portal:task_list") + "?page=4000", "portal_task")
    )


def test_bench_case_search_by_name():
    from referrals.models import Agreement, Case, Office, Person, Program
    from referrals.reference import ensure_reference_data

    ensure_reference_data()
    agency = OrganizationFactory(kind="employment_agency")
    Agreement.objects.create(
        number="B-16",
        department=OrganizationFactory(kind="department"),
        agency=agency,
        start_date=timezone.localdate(),
    )
    membership = MembershipFactory(organization=agency, role="referrals.agency_supervisor")
    office = Office.objects.create(agency=agency, name="Moncton", city="Moncton")
    program = Program.objects.get(code="ecm")
    started = time.perf_counter()
    last_names = ["Bélanger", "Thériault", "Cormier", "LeBlanc", "Gallant", "Doiron", "Arsenault"]
    persons = Person.objects.bulk_create(
        (
            Person(first_name=f"Prénom{index}", last_name=f"{last_names[index % 7]}{index % 5000}")
            for index in range(ROWS)
        ),
        batch_size=BATCH,
    )
    statuses = ["intake", "assessment", "plan_development", "plan_management", "follow_up", "closed"]
    Case.objects.bulk_create(
        (
            Case(
                number=200000 + index,
                person=person,
                program=program,
                agency=agency,
                office=office,
                case_manager=membership.user,
                status=statuses[index % len(statuses)],
                opened_on=timezone.localdate(),
            )
            for index, person in enumerate(persons)
        ),
        batch_size=BATCH,
    )
    _analyze()
    print(f"\n{ROWS:,} persons and cases in {time.perf_counter() - started:.1f} s")
    client = verified_client(membership.user, membership=membership)
    base = reverse("referrals:case_list")
    for label, url in [
        ("case search by name (belanger42, 20 rows)", f"{base}?q=belanger42"),
        ("case search by name (theriault, 14k rows)", f"{base}?q=theriault"),
        ("case search, two words", f"{base}?q=prenom4242+belanger"),
    ]:
        report(label, *measure(client, searched_address(client, url), "referrals_case"))


def _bank():
    from interpreters.models import CostCentre, Language, ServedEstablishment, ServiceType
    from interpreters.reference import ensure_reference_data

    ensure_reference_data()
    bank = OrganizationFactory(kind="interpreter_bank")
    hospital = OrganizationFactory(kind="health_establishment")
    ServedEstablishment.objects.create(establishment=hospital, bank=bank)
    requester = MembershipFactory(organization=hospital, role="interpreters.requester")
    centre = CostCentre.objects.create(establishment=hospital, code="1", name="C")
    return bank, hospital, requester, centre, list(Language.objects.all()), ServiceType.objects.first()


def _request(index, start, *, bank, hospital, requester, centre, languages, kind, **fields):
    from interpreters.models import Request

    return Request(
        number=f"IR-{index:07d}",
        bank=bank,
        establishment=hospital,
        requester=requester.user,
        language=languages[index % len(languages)],
        date=timezone.localdate(start),
        start_time=clock(9, 0),
        duration_minutes=60,
        starts_at=start,
        ends_at=start + timedelta(minutes=60),
        modality="in_person",
        postal_code="H2X 1Y4",
        service_type=kind,
        contact_name="x",
        contact_phone="x",
        cost_centre=centre,
        **fields,
    )


# Committed (not in a test transaction) so that VACUUM can set the visibility map, as autovacuum
# does after a bulk of inserts in production: the queue's index-only scans read no table page.
@pytest.mark.django_db(transaction=True)
def test_bench_coordinator_queue_last_page():
    from interpreters.models import Request

    bank, hospital, requester, centre, languages, kind = _bank()
    coordinator = MembershipFactory(organization=bank, role="interpreters.coordinator")
    now = timezone.now()
    started = time.perf_counter()
    Request.objects.bulk_create(
        (
            _request(
                index,
                now + timedelta(days=1 + index % 300, minutes=index % 600),
                bank=bank,
                hospital=hospital,
                requester=requester,
                centre=centre,
                languages=languages,
                kind=kind,
                status=["submitted", "declined", "assigned", "validated"][index % 4],
            )
            for index in range(ROWS)
        ),
        batch_size=BATCH,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE interpreters_request")
    _analyze()
    print(f"\n{ROWS:,} interpreter requests in {time.perf_counter() - started:.1f} s (VACUUM ANALYZE)")
    client = verified_client(coordinator.user, membership=coordinator)
    base = reverse("interpreters:queue")
    last = (ROWS // 2 + 24) // 25
    for label, url in [
        ("coordinator queue", base),
        ("coordinator queue, middle page", f"{base}?page={last // 2}"),
        ("coordinator queue, last page", f"{base}?page={last}"),
        ("coordinator queue, middle page by language", f"{base}?page={last // 2}&sort=language"),
        ("coordinator queue, last page by language", f"{base}?page={last}&sort=language"),
    ]:
        report(label, *measure(client, url, "interpreters_request"))


def test_bench_interpreter_statement_of_5000_services():
    from interpreters import exports
    from interpreters.billing.services import issue_statements, rate_snapshot
    from interpreters.models import Completion, InterpreterProfile, Request, Statement, StatementKind

    bank, hospital, requester, centre, languages, kind = _bank()
    billing = MembershipFactory(organization=bank, role="interpreters.coordinator")
    from interpreters.billing.services import ensure_rates

    ensure_rates(bank=bank)
    snapshot = rate_snapshot(bank.pk, "in_person")
    interpreter = InterpreterProfile.objects.create(
        user=UserFactory(), bank=bank, modalities=["in_person"], home_postal_code="H2X 1Y4"
    )
    month = dates_month = date(timezone.localdate().year - 1, 1, 1)
    started = time.perf_counter()
    # Six months of history (30,000 services), then the month measured (5,000).
    months = [date(dates_month.year, m, 1) for m in range(1, 8)]
    index = 0
    for first in months:
        rows = []
        for n in range(5000):
            start = timezone.make_aware(
                timezone.datetime.combine(first + timedelta(days=n % 28), clock(8 + n % 9, 0))
            )
            index += 1
            rows.append(
                _request(
                    index,
                    start,
                    bank=bank,
                    hospital=hospital,
                    requester=requester,
                    centre=centre,
                    languages=languages,
                    kind=kind,
                    status="validated",
                    interpreter=interpreter,
                    rate_snapshot=snapshot,
                    to_bill=True,  # as validation leaves it: the next issuing bills it
                )
            )
        created = Request.objects.bulk_create(rows, batch_size=BATCH)
        Completion.objects.bulk_create(
            (
                Completion(
                    request=request,
                    actual_start=request.starts_at,
                    actual_end=request.ends_at,
                    travel_km=Decimal("12.5"),
                )
                for request in created
            ),
            batch_size=BATCH,
        )
    _analyze()
    print(
        f"\n{index:,} validated services over {len(months)} months in {time.perf_counter() - started:.1f} s"
    )
    for first in months[:-1]:
        issue_statements(actor=billing.user, bank=bank, month=first)
    month = months[-1]
    timed(
        "issuing the month's statements (5,000 new)",
        lambda: issue_statements(actor=billing.user, bank=bank, month=month),
    )
    with CaptureQueriesContext(connection) as queries:
        again = timed(
            "issuing again (nothing new)",
            lambda: issue_statements(actor=billing.user, bank=bank, month=month),
        )
    assert again == []
    print(f"  ({len(queries)} queries)")
    statement = Statement.objects.get(bank=bank, month=month, kind=StatementKind.PAY)
    assert statement.lines.count() == 5000
    client = verified_client(billing.user, membership=billing)
    url = reverse("interpreters:statement", args=[statement.pk])
    report(
        "statement detail page (5,000 lines)", *measure(client, url, "interpreters_statementline", repeat=3)
    )
    report(
        "statement detail page, last page",
        *measure(client, f"{url}?page=200", "interpreters_statementline", repeat=3),
    )
    document = timed(
        "statement PDF (5,000 lines)",
        lambda: exports.statement_pdf(user=billing.user, params={"statement": statement.pk}),
    )
    print(f"  ({len(document) / 1024:.0f} KiB)")
