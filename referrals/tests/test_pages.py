"""The case management screens, end to end through the test client."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from portal.models import Export, Notification, Task
from portal.workflow import ActionError
from referrals.cases import services as case_services
from referrals.models import (
    Agreement,
    Barrier,
    BusinessPartner,
    Case,
    CaseDocument,
    CaseStatus,
    FundingRequest,
    FundingStatus,
    Intervention,
    NeedsDetermination,
    Office,
    PlanPrint,
    Program,
)
from referrals.partners import services as partner_services
from referrals.plans import services as plan_services
from tests.helpers import assert_constant_queries, search, verified_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(world):
    return verified_client(world.manager, membership=world.manager_membership)


@pytest.fixture
def staff(world):
    return verified_client(world.staff, membership=world.staff_membership)


def _form(world, case, **changes):
    today = timezone.localdate()
    data = {
        "dimension": world.workshop.dimension.pk,
        "intervention_type": world.workshop.pk,
        "funding_type": "",
        "delivery_model": "external",
        "planned_start": (today + timedelta(days=3)).isoformat(),
        "planned_end": (today + timedelta(days=4)).isoformat(),
        "description": "Two-day workshop",
        "local_coordinator": "",
        "delivering_organization": world.public_partner.pk,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# Home page and lookup --------------------------------------------------------------------------


def test_the_home_page_lists_the_task_with_case_id_person_program_and_creator(world, manager):
    case = world.case()
    response = manager.get(reverse("portal:home"))
    content = response.content.decode()
    assert "Develop action plan" in content
    assert f'href="{case.get_absolute_url()}">{case.number}</a>' in content
    assert "Johnson, Jane" in content
    assert "ECM (LAE-ENS)" in content
    assert world.manager.get_full_name() in content
    assert reverse("referrals:case_lookup") in content


def test_the_case_id_box_opens_the_case(world, manager):
    case = world.case()
    response = manager.get(reverse("referrals:case_lookup"), {"number": case.number})
    assert response["Location"] == case.get_absolute_url()


def test_the_case_id_box_says_when_no_case_matches(world, manager):
    other = world.case(agency=world.other_agency, manager=world.outsider)
    for value in (str(other.number), "abc", "99999999999999999999"):
        response = manager.get(reverse("referrals:case_lookup"), {"number": value}, follow=True)
        assert response.status_code == 200
        assert response.redirect_chain[-1][0] == reverse("portal:home")
        assert any(message.level_tag == "error" for message in response.context["messages"])


def test_the_home_page_costs_the_same_queries_for_1_and_50_items(world, manager):
    case = world.case()

    def add(count):
        for _index in range(count):
            world.intervention(case)

    assert_constant_queries(manager, reverse("portal:home"), add)


# Cases -----------------------------------------------------------------------------------------


def test_the_case_list_starts_with_my_open_cases_and_searches_the_agency(world, manager):
    mine = world.case()
    theirs = world.case(manager=world.colleague, first_name="Paul", last_name="Martin")
    world.case(agency=world.other_agency, manager=world.outsider, first_name="Zed", last_name="Outsider")
    response = manager.get(reverse("referrals:case_list"))
    numbers = [row.record.number for row in response.context["table"].page.object_list]
    assert numbers == [mine.number]
    response = search(manager, reverse("referrals:case_list"), {"q": "martin"})
    assert [row.record.number for row in response.context["table"].page.object_list] == [theirs.number]
    response = search(manager, reverse("referrals:case_list"), {"q": "outsider"})
    assert list(response.context["table"].page.object_list) == []


def test_the_case_list_costs_the_same_queries_for_1_and_50_cases(world, manager):
    counter = iter(range(1000))
    assert_constant_queries(
        manager,
        reverse("referrals:case_list") + "?status=",
        lambda count: [world.case(status="intake", last_name=f"N{next(counter)}") for _ in range(count)],
    )


def test_opening_a_case_for_a_new_person(world, manager):
    response = manager.post(
        reverse("referrals:case_create"),
        {
            "person-first_name": "Aisha",
            "person-last_name": "Benali",
            "person-birth_date": "1992-06-21",
            "person-preferred_language": "fr",
            "person-postal_code": "e1c4m2",
            "program": Program.objects.get(code="ecm").pk,
            "office": world.office.pk,
            "case_manager": world.manager.pk,
            "opened_on": timezone.localdate().isoformat(),
        },
    )
    case = Case.objects.get(person__last_name="Benali")
    assert response["Location"] == case.get_absolute_url()
    assert case.person.postal_code == "E1C 4M2"
    assert case.agency == world.agency


def test_opening_a_case_with_bad_input_keeps_what_was_typed(world, manager):
    response = manager.post(
        reverse("referrals:case_create"),
        {
            "person-first_name": "Aisha",
            "person-last_name": "Benali",
            "person-postal_code": "12345",
            "person-birth_date": "2999-01-01",
            "person-preferred_language": "fr",
            "program": Program.objects.get(code="ecm").pk,
            "office": world.other_office.pk,  # another agency's office is not a choice
            "case_manager": world.manager.pk,
            "opened_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 200
    assert not Case.objects.exists()
    assert 'value="Benali"' in response.content.decode()
    assert response.context["person_form"].errors.keys() == {"postal_code", "birth_date"}
    assert "office" in response.context["case_form"].errors


def test_opening_a_case_for_a_client_of_the_agency(world, manager):
    first = world.case(status="closed")
    response = search(manager, reverse("referrals:case_create"), {"q": "johns"})
    assert first.person.display_name in response.content.decode()
    response = manager.post(
        reverse("referrals:case_create") + f"?person={first.person_id}",
        {
            "person": first.person_id,
            "program": world.ecm.pk,
            "office": world.office.pk,
            "case_manager": world.manager.pk,
            "opened_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    assert Case.objects.filter(person=first.person).count() == 2


def test_a_client_of_another_agency_cannot_be_picked(world, manager):
    other = world.case(agency=world.other_agency, manager=world.outsider)
    assert manager.get(reverse("referrals:case_create"), {"person": other.person_id}).status_code == 404
    assert manager.get(reverse("referrals:case_create"), {"person": "x"}).status_code == 404


def test_every_case_screen_opens_for_the_case_manager(world, manager):
    case = world.case(status="plan_management")
    intervention = case.interventions.get()
    for name, extra in [
        ("case", ()),
        ("case_details", ()),
        ("case_additional", ()),
        ("case_education", ()),
        ("needs", ()),
        ("needs_version", (1,)),
        ("plan", ()),
        ("intervention", (intervention.pk,)),
        ("intervention_edit", (intervention.pk,)),
        ("funding_request", (intervention.pk,)),
        ("outcomes", ()),
        ("notes", ()),
        ("case_tasks", ()),
        ("case_status", ()),
        ("documents", ()),
    ]:
        response = manager.get(reverse(f"referrals:{name}", args=[case.number, *extra]))
        assert response.status_code == 200, name


def test_viewing_a_case_leaves_an_audit_entry(world, manager):
    from auditlog.models import LogEntry

    case = world.case()
    manager.get(case.get_absolute_url())
    assert LogEntry.objects.filter(object_pk=str(case.pk), action=LogEntry.Action.ACCESS).exists()


def test_the_department_reads_cases_but_cannot_change_them(world, staff):
    case = world.case()
    assert staff.get(case.get_absolute_url()).status_code == 200
    response = staff.get(reverse("referrals:plan", args=[case.number]))
    assert (
        'href="' + reverse("referrals:intervention_add", args=[case.number]) not in response.content.decode()
    )
    assert (
        staff.post(reverse("referrals:intervention_add", args=[case.number]), _form(world, case)).status_code
        == 403
    )
    assert (
        staff.post(reverse("referrals:notes", args=[case.number]), {"subject": "x", "text": "y"}).status_code
        == 403
    )
    assert not Intervention.objects.exists()


def test_the_additional_information_is_saved(world, manager):
    case = world.case()
    response = manager.post(
        reverse("referrals:case_additional", args=[case.number]),
        {
            "income_source": "ei",
            "disability": "undisclosed",
            "has_transportation": "yes",
            "referral_source": "Friend",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.income_source, case.referral_source) == ("ei", "Friend")


# Needs determination ---------------------------------------------------------------------------


def test_saving_and_completing_the_assessment_from_the_needs_page(world, manager):
    case = world.case(status="intake")
    barriers = list(Barrier.objects.filter(code__in=["resume", "transport"]))
    response = manager.post(
        reverse("referrals:needs", args=[case.number]),
        {"barriers": [barrier.pk for barrier in barriers], "comments": "Seen today", "complete": "1"},
        follow=True,
    )
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == CaseStatus.PLAN_DEVELOPMENT
    assert Task.objects.filter(assignee=world.manager, title_en="Develop action plan").exists()
    content = response.content.decode()
    assert "Job Search" in content and "Employment Maintenance" in content


def test_completing_without_a_barrier_shows_the_message_next_to_the_field(world, manager):
    case = world.case(status="intake")
    response = manager.post(
        reverse("referrals:needs", args=[case.number]), {"comments": "x", "complete": "1"}
    )
    assert response.status_code == 200
    assert "Choose at least one barrier" in response.content.decode()
    assert not NeedsDetermination.objects.exists()


def test_earlier_versions_stay_readable_in_the_archive(world, manager):
    case = world.case()
    manager.post(reverse("referrals:needs", args=[case.number]), {"barriers": [], "comments": "Second look"})
    response = manager.get(reverse("referrals:needs", args=[case.number]))
    assert reverse("referrals:needs_version", args=[case.number, 1]) in response.content.decode()
    archived = manager.get(reverse("referrals:needs_version", args=[case.number, 1]))
    assert "Write a résumé" in archived.content.decode() or archived.status_code == 200
    assert manager.get(reverse("referrals:needs_version", args=[case.number, 9])).status_code == 404


# Action plan -----------------------------------------------------------------------------------


def test_adding_an_intervention_saves_it_on_its_own(world, manager):
    case = world.case()
    response = manager.post(reverse("referrals:intervention_add", args=[case.number]), _form(world, case))
    assert response["Location"] == reverse("referrals:plan", args=[case.number])
    intervention = Intervention.objects.get(case=case)
    assert intervention.delivering_organization == world.public_partner
    plan = manager.get(reverse("referrals:plan", args=[case.number])).content.decode()
    assert "JobSearch-Workshop" in plan
    assert "Identified needs:" in plan


def test_a_funded_intervention_needs_its_funding_type(world, manager):
    case = world.case()
    response = manager.post(
        reverse("referrals:intervention_add", args=[case.number]),
        _form(world, case, funding_requested="on", funding_type=""),
    )
    assert response.status_code == 200
    assert "funding_type" in response.context["form"].errors
    assert not Intervention.objects.exists()


def test_an_end_before_the_start_is_refused_next_to_the_field(world, manager):
    case = world.case()
    today = timezone.localdate()
    response = manager.post(
        reverse("referrals:intervention_add", args=[case.number]),
        _form(
            world, case, planned_start=today.isoformat(), planned_end=(today - timedelta(days=2)).isoformat()
        ),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["planned_end"] == ["The end date cannot be before the start date."]
    assert (
        'value="Two-day workshop"' in response.content.decode()
        or "Two-day workshop" in response.content.decode()
    )
    assert not Intervention.objects.exists()


def test_nonsense_in_the_form_is_refused_without_an_error_page(world, manager):
    case = world.case()
    response = manager.post(
        reverse("referrals:intervention_add", args=[case.number]),
        _form(world, case, dimension="abc", planned_start="99999-01-01", delivering_organization="-1"),
    )
    assert response.status_code == 200
    assert not Intervention.objects.exists()


def test_the_business_partner_search_finds_and_keeps_what_was_typed(world, manager):
    case = world.case()
    response = manager.post(
        reverse("referrals:intervention_add", args=[case.number]),
        _form(
            world,
            case,
            delivering_organization="",
            search="delivering_organization",
            **{"delivering_organization-name": "atelier", "delivering_organization-city": ""},
        ),
    )
    assert response.status_code == 200
    assert not Intervention.objects.exists()
    content = response.content.decode()
    assert "Atelier privé" in content
    assert "Autre privé" not in content  # another agency's private partner
    assert "Two-day workshop" in content
    assert not response.context["form"].errors


def test_recent_business_partners_are_offered(world, manager):
    case = world.case()
    world.intervention(case, delivering_organization=world.private_partner)
    response = manager.get(reverse("referrals:intervention_add", args=[case.number]))
    pickers = response.context["pickers"]
    assert world.private_partner in pickers[0]["recent"]


def test_deleting_asks_first_then_deletes_the_planned_ones(world, manager):
    case = world.case()
    first, second = world.intervention(case), world.intervention(case)
    url = reverse("referrals:plan_delete", args=[case.number])
    response = manager.post(url, {"interventions": [first.pk, second.pk]})
    assert response.status_code == 200
    assert "Once done, you cannot change your mind." in response.content.decode()
    assert Intervention.objects.count() == 2
    response = manager.post(url, {"interventions": [first.pk], "confirm": "1"}, follow=True)
    assert list(Intervention.objects.all()) == [second]
    assert "1 intervention was deleted." in response.content.decode()


def test_deleting_an_intervention_in_progress_is_refused(world, manager):
    case = world.case()
    started = plan_services.start_intervention(actor=world.manager, intervention=world.intervention(case))
    response = manager.post(
        reverse("referrals:plan_delete", args=[case.number]),
        {"interventions": [started.pk], "confirm": "1"},
        follow=True,
    )
    assert "Only planned interventions can be deleted" in response.content.decode()
    assert Intervention.objects.filter(pk=started.pk).exists()


def test_deleting_another_cases_intervention_is_impossible(world, manager):
    case, other = world.case(), world.case(first_name="Other")
    theirs = world.intervention(other)
    manager.post(
        reverse("referrals:plan_delete", args=[case.number]), {"interventions": [theirs.pk], "confirm": "1"}
    )
    assert Intervention.objects.filter(pk=theirs.pk).exists()


def test_changing_the_end_date_from_the_form_moves_the_notification(world, manager):
    case = world.case()
    intervention = world.intervention(case, start_in=5, length=10)
    today = timezone.localdate()
    response = manager.post(
        reverse("referrals:intervention_edit", args=[case.number, intervention.pk]),
        _form(
            world,
            case,
            planned_start=(today + timedelta(days=5)).isoformat(),
            planned_end=(today + timedelta(days=30)).isoformat(),
        ),
    )
    assert response.status_code == 302
    dates = sorted(
        Notification.objects.filter(key__contains=f".intervention.{intervention.pk}.").values_list(
            "due_date", flat=True
        )
    )
    assert dates == [today + timedelta(days=5), today + timedelta(days=30)]


def test_intervention_actions_confirm_then_change_the_status(world, manager):
    case = world.case()
    intervention = world.intervention(case)
    url = reverse("referrals:intervention_action", args=[case.number, intervention.pk, "start"])
    assert manager.get(url).status_code == 200
    manager.post(url)
    intervention.refresh_from_db()
    assert intervention.status == "in_progress"
    response = manager.post(url, follow=True)  # a second time: a clear message, no change
    assert "this action needs it to be Planned" in response.content.decode()
    assert (
        manager.post(
            reverse("referrals:intervention_action", args=[case.number, intervention.pk, "x"])
        ).status_code
        == 404
    )


def test_applying_for_funding_and_the_department_deciding(world, manager, staff):
    case = world.case()
    intervention = world.intervention(case, funded=True)
    url = reverse("referrals:funding_request", args=[case.number, intervention.pk])
    assert manager.post(url, {"amount": "-5", "justification": "x"}).status_code == 200
    manager.post(url, {"amount": "2500", "justification": "Tuition"})
    request = FundingRequest.objects.get()
    listing = staff.get(reverse("referrals:funding_list"))
    assert request in [row.record for row in listing.context["table"].page.object_list]
    decide = reverse("referrals:funding_decide", args=[request.pk])
    response = staff.post(decide, {"decision": "refuse", "comment": ""})
    assert "comment" in response.context["form"].errors
    staff.post(decide, {"decision": "approve", "comment": "OK"})
    request.refresh_from_db()
    assert request.status == FundingStatus.APPROVED
    response = staff.post(decide, {"decision": "refuse", "comment": "late"}, follow=True)
    assert "already Approved" in response.content.decode()
    plan = manager.get(reverse("referrals:plan", args=[case.number])).content.decode()
    assert "2,500.00 $ approved" in plan


def test_another_departments_staff_cannot_see_the_funding_request(world):
    from tests.factories import MembershipFactory, OrganizationFactory

    case = world.case()
    request = plan_services.request_funding(
        actor=world.manager,
        intervention=world.intervention(case, funded=True),
        amount=Decimal(1),
        justification="x",
    )
    other = MembershipFactory(
        organization=OrganizationFactory(kind="department"), role="referrals.department_staff"
    )
    client = verified_client(other.user, membership=other)
    assert client.get(reverse("referrals:funding_decide", args=[request.pk])).status_code == 404
    assert client.get(case.get_absolute_url()).status_code == 404


def test_printing_the_plan_makes_a_pdf_for_authorised_people_only(
    world, manager, django_capture_on_commit_callbacks
):
    case = world.case()
    world.intervention(case)
    world.intervention(case, funded=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(reverse("referrals:plan_print", args=[case.number]), {"language": "fr"})
    response = manager.get(response["Location"])
    plan_print = PlanPrint.objects.get()
    assert plan_print.status == "ready"
    download = reverse("referrals:plan_print_download", args=[plan_print.pk])
    assert download in response.content.decode()
    pdf = manager.get(download)
    assert pdf["Content-Type"] == "application/pdf"
    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages
    )
    assert "Plan d'action pour le retour au travail" in text
    assert str(case.number) in text
    assert "Johnson, Jane" in text
    assert "Signature de la personne" in text
    assert "RechercheEmploi" in text  # the intervention type, in French
    outsider = verified_client(world.outsider, membership=world.outsider_membership)
    assert outsider.get(download).status_code == 404


def test_printing_an_empty_plan_says_so(world, manager):
    case = world.case()
    response = manager.post(
        reverse("referrals:plan_print", args=[case.number]), {"language": "en"}, follow=True
    )
    assert "no intervention yet" in response.content.decode()
    assert not PlanPrint.objects.exists()


# Case tools ------------------------------------------------------------------------------------


def test_notes_tasks_and_status_from_the_case_tools(world, manager):
    case = world.case()
    manager.post(
        reverse("referrals:notes", args=[case.number]), {"subject": "Call", "text": "Called the client."}
    )
    assert case.notes.get().author == world.manager
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    manager.post(
        reverse("referrals:case_tasks", args=[case.number]),
        {"title": "Call the college", "due_date": due, "assignee": world.colleague.pk},
    )
    task = Task.objects.get(assignee=world.colleague)
    assert task.title_fr == task.title_en == "Call the college"
    response = manager.post(
        reverse("referrals:case_tasks", args=[case.number]),
        {"title": "Late", "due_date": "2001-01-01", "assignee": world.colleague.pk},
    )
    assert "due_date" in response.context["form"].errors
    world.intervention(case)
    manager.post(reverse("referrals:case_status_action", args=[case.number, "manage-plan"]))
    case.refresh_from_db()
    assert case.status == CaseStatus.PLAN_MANAGEMENT
    response = manager.post(reverse("referrals:case_close", args=[case.number, "close"]), {"reason": ""})
    assert "reason" in response.context["form"].errors
    manager.post(reverse("referrals:case_close", args=[case.number, "close"]), {"reason": "Moved away"})
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_a_status_action_not_allowed_gives_a_message(world, manager):
    case = world.case(status="intake")
    response = manager.post(
        reverse("referrals:case_status_action", args=[case.number, "follow-up"]), follow=True
    )
    assert "Nothing was changed" in response.content.decode()


def test_the_supervisor_reassigns_a_case(world):
    case = world.case()
    client = verified_client(world.supervisor, membership=world.supervisor_membership)
    client.post(reverse("referrals:case_reassign", args=[case.number]), {"case_manager": world.colleague.pk})
    case.refresh_from_db()
    assert case.case_manager == world.colleague
    manager = verified_client(world.manager, membership=world.manager_membership)
    assert manager.get(reverse("referrals:case_reassign", args=[case.number])).status_code == 403


def test_documents_are_checked_stored_privately_and_served_to_the_agency_only(world, manager):
    case = world.case()
    url = reverse("referrals:documents", args=[case.number])
    response = manager.post(
        url,
        {
            "document_type": "consent",
            "file": SimpleUploadedFile("consent.pdf", b"%PDF-1.4 signed", "application/pdf"),
        },
    )
    assert response.status_code == 302
    document = CaseDocument.objects.get()
    assert document.file.name.startswith("private/case-documents/")
    assert "consent" not in document.file.name
    for name, content in [("virus.exe", b"MZ"), ("fake.pdf", b"MZ not a pdf"), ("empty.txt", b"")]:
        response = manager.post(url, {"document_type": "other", "file": SimpleUploadedFile(name, content)})
        assert response.status_code == 200
        assert "file" in response.context["form"].errors
    assert CaseDocument.objects.count() == 1
    download = manager.get(reverse("referrals:document", args=[document.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    outsider = verified_client(world.outsider, membership=world.outsider_membership)
    assert outsider.get(reverse("referrals:document", args=[document.pk])).status_code == 404


def test_a_document_larger_than_10_mb_is_refused(world, manager, settings):
    from portal.forms import MAX_DOCUMENT_SIZE

    case = world.case()
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (MAX_DOCUMENT_SIZE + 1))
    response = manager.post(
        reverse("referrals:documents", args=[case.number]), {"document_type": "other", "file": big}
    )
    assert "larger than 10 MB" in response.content.decode()


def test_an_outcome_is_recorded_during_follow_up(world, manager):
    case = world.case(status="follow_up")
    response = manager.post(
        reverse("referrals:outcomes", args=[case.number]),
        {"outcome": "full_time", "outcome_date": timezone.localdate().isoformat(), "hours_per_week": "200"},
    )
    assert "hours_per_week" in response.context["form"].errors
    manager.post(
        reverse("referrals:outcomes", args=[case.number]),
        {"outcome": "full_time", "outcome_date": timezone.localdate().isoformat(), "hours_per_week": "37"},
    )
    assert case.outcomes.get().hours_per_week == 37


# Business partners, department pages, report -----------------------------------------------------


def test_partner_search_by_name_service_and_place(world, manager):
    from referrals.models import PartnerService

    training = PartnerService.objects.get(code="training")
    world.public_partner.services.add(training)
    response = manager.get(reverse("referrals:partner_list"), {"service": training.pk, "city": "diep"})
    assert [row.record for row in response.context["table"].page.object_list] == [world.public_partner]
    response = manager.get(reverse("referrals:partner_list"))
    names = {row.record.name for row in response.context["table"].page.object_list}
    assert names == {"Collège communautaire", "Atelier privé"}


def test_a_case_manager_adds_a_private_partner_and_the_department_a_public_one(world, manager, staff):
    manager.post(
        reverse("referrals:partner_create"), {"name": "Garage Léger", "city": "Cap-Pelé", "is_active": "on"}
    )
    assert BusinessPartner.objects.get(name="Garage Léger").agency == world.agency
    staff.post(
        reverse("referrals:partner_create"),
        {"name": "Université de Moncton", "city": "Moncton", "is_active": "on"},
    )
    assert BusinessPartner.objects.get(name="Université de Moncton").agency is None
    assert manager.get(reverse("referrals:partner_edit", args=[world.public_partner.pk])).status_code == 403
    assert manager.get(reverse("referrals:partner", args=[world.outsider_partner.pk])).status_code == 404


def test_the_partner_list_costs_the_same_queries_for_1_and_50(world, manager):
    counter = iter(range(1000))
    assert_constant_queries(
        manager,
        reverse("referrals:partner_list"),
        lambda count: [
            partner_services.save_partner(name=f"P{next(counter)}", city="X") for _ in range(count)
        ],
    )


def test_the_plan_costs_the_same_queries_for_1_and_50_interventions(world, manager):
    case = world.case()
    assert_constant_queries(
        manager,
        reverse("referrals:plan", args=[case.number]),
        lambda count: [world.intervention(case, funded=True) for _ in range(count)],
    )


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


# After the review ------------------------------------------------------------------------------


def test_unicode_digits_in_addresses_never_break_a_page(world, manager):
    case = world.case()
    for url in (
        reverse("referrals:case_list") + "?q=²",
        reverse("referrals:incoming") + "?q=²",
        reverse("referrals:referrals", args=[case.number]) + "?open=²",
        reverse("referrals:case_create") + "?person=²",
        reverse("referrals:case_lookup") + "?number=²",
    ):
        assert manager.get(url).status_code in (200, 302, 404), url


def test_the_status_tool_cannot_complete_an_assessment_without_needs(world, manager):
    case = world.case(status="intake")
    response = manager.post(
        reverse("referrals:case_status_action", args=[case.number, "complete-assessment"]), follow=True
    )
    assert "at least one barrier" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.INTAKE


def test_funding_cannot_be_requested_once_the_case_is_closed(world):
    case = world.case()
    intervention = world.intervention(case, funded=True)
    case_services.close_case(actor=world.manager, case=case, reason="Moved")
    with pytest.raises(ActionError):
        plan_services.request_funding(
            actor=world.manager, intervention=intervention, amount=Decimal(5), justification="x"
        )


def test_a_planned_intervention_with_a_funding_request_is_cancelled_not_deleted(world):
    case = world.case()
    intervention = world.intervention(case, funded=True)
    plan_services.request_funding(
        actor=world.manager, intervention=intervention, amount=Decimal(5), justification="x"
    )
    with pytest.raises(ActionError):
        plan_services.delete_interventions(actor=world.manager, case=case, interventions=[intervention])
    assert FundingRequest.objects.count() == 1
    plan_services.cancel_intervention(actor=world.manager, intervention=intervention)
    request = FundingRequest.objects.get()
    assert (request.status, request.decided_by) == (FundingStatus.REFUSED, world.manager)


def test_a_note_sent_after_the_case_was_closed_gets_a_message_not_an_error(world, manager):
    case = world.case()
    case_services.close_case(actor=world.colleague, case=case, reason="Moved")
    response = manager.post(
        reverse("referrals:notes", args=[case.number]), {"subject": "x", "text": "y"}, follow=True
    )
    assert response.status_code == 200
    assert "This case is closed" in response.content.decode()
    assert not case.notes.exists()
