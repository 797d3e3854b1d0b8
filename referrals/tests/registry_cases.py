"""Employment case management's registry entries for cases, needs, action plans, funding, business
partners and the department's pages (agreements, offices, reference lists, the report).

referrals/tests/registry.py gathers them with those of registry_referrals.py; reach them through
tests.registry (importing this module first is a circular import).
"""

from django.urls import reverse

from tests.registry import WORKER, ObjectURL, Page

OBJECT_URLS: list[ObjectURL] = []
CAPABILITY_PAGES: list[tuple] = []
PAGES: list[Page] = []


def _referrals_case(organization, status="plan_development"):
    """A case visible to `organization`: its own (an agency), or of an agency under agreement (a department)."""
    from datetime import timedelta

    from django.utils import timezone

    from referrals.agreements import services as agreement_services
    from referrals.cases import services as case_services
    from referrals.models import Agreement, Barrier, Program
    from referrals.plans import services as plan_services
    from referrals.reference import ensure_reference_data
    from tests.factories import MembershipFactory, OrganizationFactory

    ensure_reference_data()
    if organization.kind == "department":
        department, agency = organization, OrganizationFactory(kind="employment_agency")
    else:
        department, agency = OrganizationFactory(kind="department"), organization
    today = timezone.localdate()
    Agreement.objects.get_or_create(
        agency=agency,
        department=department,
        defaults={"number": f"T-{agency.pk}-{department.pk}", "start_date": today - timedelta(days=30)},
    )
    manager = MembershipFactory(organization=agency, role="referrals.case_manager").user
    office = agreement_services.save_office(agency=agency, name="Office", city="Moncton")
    person = case_services.save_person(first_name="Test", last_name="Client")
    case = case_services.open_case(
        actor=manager,
        agency=agency,
        person=person,
        program=Program.objects.get(code="ecm"),
        office=office,
        case_manager=manager,
    )
    if status != "intake":
        plan_services.save_needs_determination(
            actor=manager,
            case=case,
            barriers=list(Barrier.objects.all()[:2]),
            comments="",
            complete_assessment_now=True,
        )
    return case


def _referrals_intervention(organization):
    from datetime import timedelta

    from django.utils import timezone

    from referrals.models import FundingType, InterventionType
    from referrals.plans import services as plan_services

    case = _referrals_case(organization)
    kind = InterventionType.objects.select_related("dimension").first()
    today = timezone.localdate()
    return plan_services.add_intervention(
        actor=case.case_manager,
        case=case,
        dimension=kind.dimension,
        funding_requested=True,
        intervention_type=kind,
        funding_type=FundingType.objects.get(code="edmt"),
        delivery_model="external",
        planned_start=today + timedelta(days=5),
        planned_end=today + timedelta(days=30),
        description="",
        local_coordinator=None,
        delivering_organization=None,
    )


def _referrals_document(organization):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from referrals.cases import services as case_services

    case = _referrals_case(organization)
    return case_services.add_document(
        actor=case.case_manager,
        case=case,
        document_type="consent",
        description="",
        upload=SimpleUploadedFile("consent.pdf", b"%PDF-1.4 test"),
        content_type="application/pdf",
    )


def _referrals_print(organization):
    from django.core.files.base import ContentFile

    from referrals.models import PlanPrint, PrintStatus

    case = _referrals_case(organization)
    plan_print = PlanPrint(case=case, language="fr", requested_by=case.case_manager, status=PrintStatus.READY)
    plan_print.file.save("plan.pdf", ContentFile(b"%PDF-1.4 test"))
    return plan_print


def _referrals_funding(organization):
    from decimal import Decimal

    from referrals.plans import services as plan_services

    intervention = _referrals_intervention(organization)
    return plan_services.request_funding(
        actor=intervention.case.case_manager,
        intervention=intervention,
        amount=Decimal(100),
        justification="x",
    )


def _referrals_partner(organization):
    from referrals.partners import services as partner_services

    return partner_services.save_partner(agency=organization, name="Private partner", city="Moncton")


AGENCY = ("employment_agency",)
AGENCY_AND_DEPARTMENT = ("employment_agency", "department")


def _case_url(name, status="plan_development", extra=()):
    return lambda org: reverse(name, args=[_referrals_case(org, status).number, *extra])


OBJECT_URLS += [
    *[
        ObjectURL(
            f"referrals:{name}", "referrals.view_cases", AGENCY_AND_DEPARTMENT, _case_url(f"referrals:{name}")
        )
        for name in (
            "case",
            "case_details",
            "case_additional",
            "case_education",
            "needs",
            "plan",
            "outcomes",
            "notes",
            "case_tasks",
            "case_status",
            "documents",
        )
    ],
    ObjectURL(
        "referrals:needs_version",
        "referrals.view_cases",
        AGENCY_AND_DEPARTMENT,
        _case_url("referrals:needs_version", extra=(1,)),
    ),
    ObjectURL(
        "referrals:intervention",
        "referrals.view_cases",
        AGENCY_AND_DEPARTMENT,
        lambda org: (lambda item: reverse("referrals:intervention", args=[item.case.number, item.pk]))(
            _referrals_intervention(org)
        ),
    ),
    ObjectURL(
        "referrals:document",
        "referrals.view_cases",
        AGENCY_AND_DEPARTMENT,
        lambda org: reverse("referrals:document", args=[_referrals_document(org).pk]),
    ),
    ObjectURL(
        "referrals:plan_print_download",
        "referrals.view_cases",
        AGENCY_AND_DEPARTMENT,
        lambda org: reverse("referrals:plan_print_download", args=[_referrals_print(org).pk]),
    ),
    ObjectURL(
        "referrals:intervention_add",
        "referrals.manage_cases",
        AGENCY,
        _case_url("referrals:intervention_add"),
    ),
    ObjectURL(
        "referrals:intervention_edit",
        "referrals.manage_cases",
        AGENCY,
        lambda org: (lambda item: reverse("referrals:intervention_edit", args=[item.case.number, item.pk]))(
            _referrals_intervention(org)
        ),
    ),
    ObjectURL(
        "referrals:intervention_action",
        "referrals.manage_cases",
        AGENCY,
        lambda org: (
            lambda item: reverse("referrals:intervention_action", args=[item.case.number, item.pk, "start"])
        )(_referrals_intervention(org)),
    ),
    ObjectURL(
        "referrals:case_close",
        "referrals.manage_cases",
        AGENCY,
        _case_url("referrals:case_close", extra=("close",)),
    ),
    ObjectURL(
        "referrals:case_reassign",
        "referrals.reassign",
        AGENCY,
        _case_url("referrals:case_reassign"),
    ),
    ObjectURL(
        "referrals:funding_decide",
        "referrals.decide_funding",
        ("department",),
        lambda org: reverse("referrals:funding_decide", args=[_referrals_funding(org).pk]),
    ),
    ObjectURL(
        "referrals:partner_edit",
        "referrals.manage_private_partners",
        AGENCY,
        lambda org: reverse("referrals:partner_edit", args=[_referrals_partner(org).pk]),
    ),
    ObjectURL(
        "referrals:agency",
        "referrals.manage_agencies",
        ("department",),
        lambda org: reverse("referrals:agency", args=[_referrals_case(org, "intake").agency_id]),
    ),
]


def _referrals_shared_case(organization):
    """A case of an agency that every department present may contract and has an agreement with,
    opened under `organization`'s agreement.

    The rule the matrix holds (issue 15): a department reads the cases whose accountability
    agreement is its own (Case.agreement), not every case of an agency it has an agreement with.
    When the matrix asks for another department's record, its own department holds a legitimate
    agreement with the same agency, and still gets 404. (An agreement with an agency that is not
    on the department's list is refused: referrals/tests/test_agreements.py.)
    """
    from django.utils import timezone

    from portal.models import Organization
    from referrals.agreements import services as agreement_services
    from referrals.models import Agreement, Case, ContractableAgency
    from referrals.reference import ensure_reference_data
    from tests.factories import OrganizationFactory

    ensure_reference_data()
    agency = Organization.objects.filter(kind="employment_agency", contact_email="shared@example.ca").first()
    agency = agency or OrganizationFactory(kind="employment_agency", contact_email="shared@example.ca")
    for department in Organization.objects.filter(kind="department"):
        ContractableAgency.objects.get_or_create(department=department, agency=agency)
        if not Agreement.objects.filter(department=department, agency=agency).exists():
            agreement_services.save_agreement(
                department=department,
                number=f"S-{agency.pk}-{department.pk}",
                agency=agency,
                start_date=timezone.localdate(),
            )
    case = _referrals_case(agency)
    # Opened under the department's own agreement with the shared agency (as on transfer, where
    # the receiving agency picks the accountability agreement).
    Case.objects.filter(pk=case.pk).update(
        agreement=Agreement.objects.get(department=organization, agency=agency)
    )
    return case


def _referrals_shared_document(organization):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from referrals.cases import services as case_services

    case = _referrals_shared_case(organization)
    return case_services.add_document(
        actor=case.case_manager,
        case=case,
        document_type="consent",
        description="",
        upload=SimpleUploadedFile("consent.pdf", b"%PDF-1.4 test"),
        content_type="application/pdf",
    )


OBJECT_URLS += [
    *[
        ObjectURL(
            f"referrals:{name}@shared-agency",
            "referrals.view_cases",
            ("department",),
            lambda org, name=name: reverse(f"referrals:{name}", args=[_referrals_shared_case(org).number]),
        )
        for name in ("case", "case_details", "documents", "plan", "notes")
    ],
    ObjectURL(
        "referrals:document@shared-agency",
        "referrals.view_cases",
        ("department",),
        lambda org: reverse("referrals:document", args=[_referrals_shared_document(org).pk]),
    ),
]

CAPABILITY_PAGES += [
    ("referrals:case_list", (), "referrals.view_cases"),
    ("referrals:case_create", (), "referrals.manage_cases"),
    ("referrals:partner_list", (), "referrals.partners"),
    ("referrals:funding_list", (), "referrals.decide_funding"),
    ("referrals:agency_list", (), "referrals.manage_agencies"),
    ("referrals:agreement_create", (), "referrals.manage_agencies"),
    ("referrals:reference_index", (), "referrals.manage_agencies"),
    ("referrals:reference_list", ("programs",), "referrals.manage_agencies"),
    ("referrals:accountability", (), "referrals.reports"),
]

CASE_MANAGER = "casemanager@demo.liaison.ca"
SUPERVISOR = "supervisor@demo.liaison.ca"


def _demo_case(world, status):
    from referrals.models import Case

    return (
        Case.objects.filter(agency=world["organizations"]["employment"], status=status)
        .order_by("number")
        .first()
    )


def _demo_intervention(world):
    from referrals.models import Intervention

    return Intervention.objects.filter(
        case__agency=world["organizations"]["employment"], status="planned"
    ).first()


def _case_page(name, status="plan_management", *extra):
    return lambda w: reverse(name, args=[_demo_case(w, status).number, *extra])


PAGES += [
    Page("referrals-home", lambda w: reverse("portal:home"), account=CASE_MANAGER),
    Page("referrals-cases", lambda w: reverse("referrals:case_list"), account=CASE_MANAGER),
    Page(
        "referrals-cases-department",
        lambda w: reverse("referrals:case_list"),
        account=WORKER,
        role="referrals.department_staff",
        search={"q": "a"},
    ),
    Page(
        "referrals-case-create",
        lambda w: reverse("referrals:case_create"),
        account=CASE_MANAGER,
        search={"q": "o"},
    ),
    Page("referrals-case-home", _case_page("referrals:case"), account=CASE_MANAGER),
    Page("referrals-case-details", _case_page("referrals:case_details"), account=CASE_MANAGER),
    Page("referrals-case-additional", _case_page("referrals:case_additional"), account=CASE_MANAGER),
    Page("referrals-case-education", _case_page("referrals:case_education", "closed"), account=CASE_MANAGER),
    Page("referrals-needs", _case_page("referrals:needs", "assessment"), account=CASE_MANAGER),
    Page(
        "referrals-needs-version",
        _case_page("referrals:needs_version", "plan_management", 1),
        account=CASE_MANAGER,
    ),
    Page("referrals-plan", _case_page("referrals:plan", "plan_development"), account=CASE_MANAGER),
    Page(
        "referrals-intervention-add",
        _case_page("referrals:intervention_add", "plan_development"),
        account=CASE_MANAGER,
    ),
    Page(
        "referrals-intervention",
        lambda w: reverse(
            "referrals:intervention", args=[_demo_intervention(w).case.number, _demo_intervention(w).pk]
        ),
        account=CASE_MANAGER,
    ),
    Page(
        "referrals-intervention-edit",
        lambda w: reverse(
            "referrals:intervention_edit", args=[_demo_intervention(w).case.number, _demo_intervention(w).pk]
        ),
        account=CASE_MANAGER,
    ),
    Page(
        "referrals-intervention-cancel",
        lambda w: reverse(
            "referrals:intervention_action",
            args=[_demo_intervention(w).case.number, _demo_intervention(w).pk, "cancel"],
        ),
        account=CASE_MANAGER,
    ),
    Page("referrals-outcomes", _case_page("referrals:outcomes", "follow_up"), account=CASE_MANAGER),
    Page("referrals-notes", _case_page("referrals:notes"), account=CASE_MANAGER),
    Page(
        "referrals-case-tasks", _case_page("referrals:case_tasks", "plan_development"), account=CASE_MANAGER
    ),
    Page("referrals-case-status", _case_page("referrals:case_status"), account=CASE_MANAGER),
    Page(
        "referrals-case-close",
        _case_page("referrals:case_close", "plan_management", "close"),
        account=CASE_MANAGER,
    ),
    Page("referrals-reassign", _case_page("referrals:case_reassign"), account=SUPERVISOR),
    Page("referrals-documents", _case_page("referrals:documents"), account=CASE_MANAGER),
    Page(
        "referrals-partners", lambda w: reverse("referrals:partner_list") + "?service=", account=CASE_MANAGER
    ),
    Page("referrals-partner-create", lambda w: reverse("referrals:partner_create"), account=CASE_MANAGER),
    Page(
        "referrals-funding",
        lambda w: reverse("referrals:funding_list"),
        account=WORKER,
        role="referrals.department_staff",
    ),
    Page(
        "referrals-funding-decide",
        lambda w: reverse("referrals:funding_decide", args=[_demo_funding(w).pk]),
        account=WORKER,
        role="referrals.department_staff",
    ),
    Page(
        "referrals-agencies",
        lambda w: reverse("referrals:agency_list"),
        account=WORKER,
        role="referrals.department_staff",
    ),
    Page(
        "referrals-agreement-new",
        lambda w: reverse("referrals:agreement_create"),
        account=WORKER,
        role="referrals.department_staff",
    ),
    Page(
        "referrals-agency",
        lambda w: reverse("referrals:agency", args=[w["organizations"]["employment"].pk]),
        account=WORKER,
        role="referrals.department_staff",
    ),
    Page(
        "referrals-reference",
        lambda w: reverse("referrals:reference_list", args=["intervention-types"]),
        account=WORKER,
        role="referrals.department_staff",
    ),
    Page(
        "referrals-reference-edit",
        lambda w: reverse("referrals:reference_create", args=["barriers"]),
        account=WORKER,
        role="referrals.department_staff",
    ),
    Page("referrals-accountability", lambda w: reverse("referrals:accountability"), account=SUPERVISOR),
]


def _demo_funding(world):
    from referrals.models import FundingRequest

    return FundingRequest.objects.filter(status="submitted").first()
