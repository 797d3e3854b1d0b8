"""The department's screens (funding decisions, agreements, offices, reference lists, the
accountability report), end to end through the test client."""

from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from portal.models import Export
from referrals.models import Agreement, Office, Program
from referrals.plans import services as plan_services
from tests.helpers import assert_constant_queries

pytestmark = pytest.mark.django_db


def test_the_funding_list_costs_the_same_queries_for_1_and_50(world, staff):
    case = world.case()

    def add(count):
        for _index in range(count):
            plan_services.request_funding(
                actor=world.manager,
                intervention=world.intervention(case, funded=True),
                amount=Decimal(1),
                justification="x",
            )

    assert_constant_queries(staff, reverse("referrals:funding_list"), add)


def test_the_department_manages_agreements_offices_and_reference_lists(world, staff):
    from referrals.models import ContractableAgency
    from tests.factories import OrganizationFactory

    agency = OrganizationFactory(kind="employment_agency")
    ContractableAgency.objects.create(department=world.department, agency=agency)
    response = staff.post(
        reverse("referrals:agreement_create"),
        {"number": "NEW-1", "agency": agency.pk, "start_date": "2026-04-01", "end_date": "2026-01-01"},
    )
    assert "end_date" in response.context["form"].errors
    staff.post(
        reverse("referrals:agreement_create"),
        {
            "number": "NEW-1",
            "agency": agency.pk,
            "start_date": "2026-04-01",
            "funding_active": "on",
            "ecm_enabled": "on",
        },
    )
    agreement = Agreement.objects.get(number="NEW-1")
    assert agreement.department == world.department
    staff.post(
        reverse("referrals:office_create", args=[agency.pk]),
        {"name": "Edmundston", "city": "Edmundston", "is_delivery_location": "on", "is_active": "on"},
    )
    assert Office.objects.get(agency=agency).name == "Edmundston"
    staff.post(
        reverse("referrals:reference_create", args=["programs"]),
        {"name_fr": "Jeunesse", "name_en": "Youth", "code": "youth", "position": "5", "is_active": "on"},
    )
    assert Program.objects.get(code="youth").name_en == "Youth"
    assert staff.get(reverse("referrals:reference_list", args=["nope"])).status_code == 404


def test_the_accountability_report_counts_edmt_interventions_and_exports_them(
    world, staff, django_capture_on_commit_callbacks
):
    case = world.case()
    world.intervention(case, funded=True)
    world.intervention(case)  # not EDMT
    world.case(agency=world.other_agency, manager=world.outsider)  # another department's agency
    response = staff.get(reverse("referrals:accountability"))
    assert response.context["by_agency"][0]["interventions"] == 1
    assert response.context["by_agency"][0]["cases"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(reverse("referrals:accountability_export"))
    export = Export.objects.get()
    export.refresh_from_db()
    assert response["Location"] == reverse("portal:export", args=[export.pk])
    assert export.status == "ready"
    sheet = load_workbook(export.file.path).active
    rows = list(sheet.values)
    assert len(rows) == 2
    assert rows[1][1] == case.number
    bad = staff.get(reverse("referrals:accountability"), {"start": "2026-05-01", "end": "2026-01-01"})
    assert "end" in bad.context["form"].errors
