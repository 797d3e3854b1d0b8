"""The needs determination and action plan screens (interventions, funding, printing), end to end
through the test client."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from portal.models import Notification, Task
from portal.workflow import ActionError
from referrals.cases import services as case_services
from referrals.models import (
    Barrier,
    CaseStatus,
    FundingRequest,
    FundingStatus,
    Intervention,
    NeedsDetermination,
    PlanPrint,
)
from referrals.plans import services as plan_services
from referrals.tests.helpers import intervention_form
from tests.helpers import assert_constant_queries, verified_client

pytestmark = pytest.mark.django_db


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
    response = manager.post(
        reverse("referrals:intervention_add", args=[case.number]), intervention_form(world, case)
    )
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
        intervention_form(world, case, funding_requested="on", funding_type=""),
    )
    assert response.status_code == 200
    assert "funding_type" in response.context["form"].errors
    assert not Intervention.objects.exists()


def test_an_end_before_the_start_is_refused_next_to_the_field(world, manager):
    case = world.case()
    today = timezone.localdate()
    response = manager.post(
        reverse("referrals:intervention_add", args=[case.number]),
        intervention_form(
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
        intervention_form(
            world, case, dimension="abc", planned_start="99999-01-01", delivering_organization="-1"
        ),
    )
    assert response.status_code == 200
    assert not Intervention.objects.exists()


def test_the_business_partner_search_finds_and_keeps_what_was_typed(world, manager):
    case = world.case()
    response = manager.post(
        reverse("referrals:intervention_add", args=[case.number]),
        intervention_form(
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
        intervention_form(
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


def test_the_plan_costs_the_same_queries_for_1_and_50_interventions(world, manager):
    case = world.case()
    assert_constant_queries(
        manager,
        reverse("referrals:plan", args=[case.number]),
        lambda count: [world.intervention(case, funded=True) for _ in range(count)],
    )


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
