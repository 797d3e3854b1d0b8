"""Case management lists with 20,000 cases in one agency, and an action plan of 200 interventions:
times and query counts (which must not grow with rows). Prints figures; asserts nothing about time."""

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals.models import Agreement, Case, Intervention, InterventionType, Office, Person, Program
from referrals.reference import ensure_reference_data
from tests.benchmarks.bench_portal import measure
from tests.factories import MembershipFactory, OrganizationFactory
from tests.helpers import searched_address, verified_client

pytestmark = pytest.mark.django_db

CASES = 20_000


@pytest.fixture
def agency_world():
    ensure_reference_data()
    agency = OrganizationFactory(kind="employment_agency")
    Agreement.objects.create(
        number="B-1",
        department=OrganizationFactory(kind="department"),
        agency=agency,
        start_date=timezone.localdate(),
    )
    membership = MembershipFactory(organization=agency, role="referrals.agency_supervisor")
    office = Office.objects.create(agency=agency, name="Moncton", city="Moncton")
    program = Program.objects.get(code="ecm")
    persons = Person.objects.bulk_create(
        Person(first_name=f"P{index}", last_name=f"Name{index % 500}") for index in range(CASES)
    )
    statuses = ["intake", "assessment", "plan_development", "plan_management", "follow_up", "closed"]
    Case.objects.bulk_create(
        Case(
            number=100900 + index,
            person=person,
            program=program,
            agency=agency,
            office=office,
            case_manager=membership.user,
            status=statuses[index % len(statuses)],
            opened_on=timezone.localdate(),
        )
        for index, person in enumerate(persons)
    )
    return membership


def test_bench_case_list_and_search(agency_world):
    client = verified_client(agency_world.user, membership=agency_world)
    for label, url in [
        ("case list, my open cases", reverse("referrals:case_list")),
        ("case list, search by name", reverse("referrals:case_list") + "?q=name42"),
        ("case list, search by ID", reverse("referrals:case_list") + "?q=100950"),
        ("case list, by status, page 40", reverse("referrals:case_list") + "?status=closed&page=40"),
        ("home page", reverse("portal:home")),
    ]:
        median, worst, queries = measure(client, searched_address(client, url))
        print(f"\n{label} ({CASES} cases): median {median:6.1f} ms, max {worst:6.1f} ms, {queries} queries")


@pytest.mark.parametrize("rows", [1, 200])
def test_bench_action_plan(agency_world, rows):
    case = Case.objects.first()
    case.status = "plan_development"
    case.save(update_fields=["status"])
    kind = InterventionType.objects.select_related("dimension").first()
    today = timezone.localdate()
    Intervention.objects.bulk_create(
        Intervention(
            case=case,
            dimension=kind.dimension,
            intervention_type=kind,
            delivery_model="internal",
            planned_start=today,
            planned_end=today,
            created_by=agency_world.user,
        )
        for _index in range(rows)
    )
    client = verified_client(agency_world.user, membership=agency_world)
    median, worst, queries = measure(client, reverse("referrals:plan", args=[case.number]))
    print(
        f"\naction plan, {rows:>3} interventions: median {median:6.1f} ms, max {worst:6.1f} ms, {queries} queries"
    )
