"""The case management cycle, needs determination, action plans and funding, through the services."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from portal.models import Notification, Task
from portal.selectors import open_tasks_for, unread_notifications_for
from portal.workflow import ActionError
from referrals.cases import services as case_services
from referrals.funding import services as funding_services
from referrals.models import (
    Agreement,
    Barrier,
    CaseStatus,
    FundingStatus,
    Intervention,
    InterventionStatus,
    NeedsDetermination,
)
from referrals.plans import services as plan_services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


def _notification_dates(world, intervention):
    return sorted(
        Notification.objects.filter(key__contains=f".intervention.{intervention.pk}.").values_list(
            "due_date", flat=True
        )
    )


def test_cases_are_numbered_from_100901_in_order(world):
    first, second = world.case(status="intake"), world.case(status="intake")
    assert first.number == 100901
    assert second.number == 100902
    assert first.status == CaseStatus.INTAKE
    assert first.status_changes.get().to_status == CaseStatus.INTAKE


def test_it_refuses_a_case_without_an_active_agreement(world):
    Agreement.objects.filter(agency=world.agency).update(funding_active=False)
    with pytest.raises(ActionError) as error:
        world.case(status="intake")
    assert "program" in error.value.error_dict


def test_it_refuses_an_ecm_case_when_the_external_case_management_program_is_off(world):
    Agreement.objects.filter(agency=world.agency).update(ecm_enabled=False)
    with pytest.raises(ActionError):
        world.case(status="intake")


def test_saving_the_needs_determination_makes_a_new_version_and_keeps_the_old_one(world):
    case = world.case(status="intake")
    barriers = list(Barrier.objects.all()[:3])
    first = plan_services.save_needs_determination(
        actor=world.manager, case=case, barriers=barriers[:1], comments="a"
    )
    second = plan_services.save_needs_determination(
        actor=world.manager, case=case, barriers=barriers, comments="b"
    )
    assert (first.version, second.version) == (1, 2)
    first.refresh_from_db()
    assert list(first.barriers.all()) == barriers[:1]
    assert first.comments == "a"
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSMENT  # the first save starts the assessment


def test_completing_the_assessment_creates_the_develop_action_plan_task_due_in_two_weeks(world):
    case = world.case(status="assessment")
    plan_services.save_needs_determination(
        actor=world.manager,
        case=case,
        barriers=list(Barrier.objects.all()[:1]),
        comments="",
        complete_assessment_now=True,
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.PLAN_DEVELOPMENT
    task = Task.objects.get(assignee=world.manager, done_at__isnull=True)
    assert task.title_en == "Develop action plan"
    assert task.due_date == timezone.localdate() + timedelta(days=14)
    assert task.record_number == str(case.number)
    assert task.record_link == case.get_absolute_url()
    assert task.about == "Johnson, Jane"
    assert task.details_en == "ECM (LAE-ENS)"
    assert task.priority == "high"
    assert task in open_tasks_for(world.manager)


def test_the_develop_action_plan_task_becomes_overdue_after_two_weeks(world):
    case = world.case()
    task = Task.objects.get(key__contains=f"referrals.case.{case.pk}.develop-plan")
    Task.objects.filter(pk=task.pk).update(due_date=timezone.localdate() - timedelta(days=1))
    task.refresh_from_db()
    assert task.is_overdue
    assert task in open_tasks_for(world.manager)


def test_completing_the_assessment_needs_a_barrier(world):
    case = world.case(status="intake")
    with pytest.raises(ActionError) as error:
        plan_services.save_needs_determination(
            actor=world.manager, case=case, barriers=[], comments="", complete_assessment_now=True
        )
    assert "barriers" in error.value.error_dict
    assert not NeedsDetermination.objects.filter(case=case).exists()


def test_the_assessment_cannot_be_completed_twice(world):
    case = world.case()
    with pytest.raises(ActionError):
        case_services.complete_assessment(actor=world.manager, case=case)
    assert Task.objects.filter(key__contains=f"referrals.case.{case.pk}.develop-plan").count() == 1


def test_signing_the_plan_closes_the_develop_action_plan_task(world):
    case = world.case()
    world.intervention(case)
    case_services.start_plan_management(actor=world.manager, case=case)
    assert not Task.objects.filter(assignee=world.manager, done_at__isnull=True).exists()


def test_the_plan_cannot_be_managed_without_an_intervention(world):
    case = world.case()
    with pytest.raises(ActionError):
        case_services.start_plan_management(actor=world.manager, case=case)
    case.refresh_from_db()
    assert case.status == CaseStatus.PLAN_DEVELOPMENT


def test_an_intervention_creates_notifications_at_its_start_and_end(world):
    case = world.case()
    intervention = world.intervention(case, start_in=5, length=10)
    today = timezone.localdate()
    assert _notification_dates(world, intervention) == [today + timedelta(days=5), today + timedelta(days=15)]
    notification = Notification.objects.filter(key__contains=f".intervention.{intervention.pk}.end.").get()
    assert notification.recipient == world.manager
    assert notification.record_number == str(case.number)
    assert notification.created_by == world.manager


def test_changing_the_end_date_replaces_the_end_notification(world):
    case = world.case()
    intervention = world.intervention(case, start_in=5, length=10)
    today = timezone.localdate()
    values = {name: getattr(intervention, name) for name in services_fields()}
    values["planned_end"] = today + timedelta(days=40)
    plan_services.update_intervention(actor=world.manager, intervention=intervention, **values)
    assert _notification_dates(world, intervention) == [today + timedelta(days=5), today + timedelta(days=40)]
    assert unread_notifications_for(world.manager).filter(due_date=today + timedelta(days=15)).count() == 0


def test_moving_one_intervention_leaves_the_notices_of_another_on_the_same_days(world):
    case = world.case()
    moved = world.intervention(case, start_in=5, length=10)
    other = world.intervention(case, start_in=5, length=10)
    today = timezone.localdate()
    values = {name: getattr(moved, name) for name in services_fields()}
    values["planned_start"] = today + timedelta(days=6)
    values["planned_end"] = today + timedelta(days=40)
    plan_services.update_intervention(actor=world.manager, intervention=moved, **values)
    assert _notification_dates(world, moved) == [today + timedelta(days=6), today + timedelta(days=40)]
    assert _notification_dates(world, other) == [today + timedelta(days=5), today + timedelta(days=15)]


def services_fields():
    from referrals.plans.forms import InterventionForm

    return InterventionForm.FIELDS


def test_an_intervention_cannot_end_before_it_starts(world):
    case = world.case()
    today = timezone.localdate()
    with pytest.raises(ActionError) as error:
        world.intervention(case, planned_start=today, planned_end=today - timedelta(days=1))
    assert "planned_end" in error.value.error_dict
    assert not Intervention.objects.exists()


def test_an_intervention_type_must_belong_to_the_dimension(world):
    case = world.case()
    with pytest.raises(ActionError) as error:
        world.intervention(case, dimension=world.training.dimension)
    assert "intervention_type" in error.value.error_dict


def test_another_agencys_private_partner_cannot_deliver_an_intervention(world):
    case = world.case()
    with pytest.raises(ActionError) as error:
        world.intervention(case, delivering_organization=world.outsider_partner)
    assert "delivering_organization" in error.value.error_dict


def test_interventions_cannot_be_added_before_the_assessment_is_completed(world):
    case = world.case(status="assessment")
    with pytest.raises(ActionError):
        world.intervention(case)


def test_only_planned_interventions_can_be_deleted_and_all_or_none(world):
    case = world.case()
    planned = world.intervention(case)
    started = plan_services.start_intervention(actor=world.manager, intervention=world.intervention(case))
    with pytest.raises(ActionError) as error:
        plan_services.delete_interventions(actor=world.manager, case=case, interventions=[planned, started])
    assert "Nothing was deleted" in str(error.value)
    assert Intervention.objects.filter(case=case).count() == 2
    assert plan_services.delete_interventions(actor=world.manager, case=case, interventions=[planned]) == 1
    assert list(Intervention.objects.filter(case=case)) == [started]
    assert not Notification.objects.filter(key__contains=f".intervention.{planned.pk}.").exists()


def test_intervention_statuses_follow_planned_in_progress_completed(world):
    case = world.case()
    intervention = world.intervention(case)
    with pytest.raises(ActionError):
        plan_services.complete_intervention(actor=world.manager, intervention=intervention)
    intervention = plan_services.start_intervention(actor=world.manager, intervention=intervention)
    assert intervention.status == InterventionStatus.IN_PROGRESS
    intervention = plan_services.complete_intervention(actor=world.manager, intervention=intervention)
    assert intervention.status == InterventionStatus.COMPLETED
    with pytest.raises(ActionError):
        plan_services.cancel_intervention(actor=world.manager, intervention=intervention)


def test_a_completed_intervention_cannot_be_edited(world):
    case = world.case()
    intervention = world.intervention(case)
    plan_services.start_intervention(actor=world.manager, intervention=intervention)
    plan_services.complete_intervention(actor=world.manager, intervention=intervention)
    values = {name: getattr(intervention, name) for name in services_fields()}
    with pytest.raises(ActionError):
        plan_services.update_intervention(actor=world.manager, intervention=intervention, **values)


def test_cancelling_withdraws_the_notifications(world):
    case = world.case()
    intervention = world.intervention(case)
    plan_services.cancel_intervention(actor=world.manager, intervention=intervention)
    assert not Notification.objects.filter(key__contains=f".intervention.{intervention.pk}.").exists()


def test_funding_is_requested_then_approved_and_the_case_manager_told(world):
    case = world.case()
    intervention = world.intervention(case, funded=True)
    request = plan_services.request_funding(
        actor=world.manager, intervention=intervention, amount=Decimal("1200.50"), justification="Tuition"
    )
    with pytest.raises(ActionError):
        plan_services.request_funding(
            actor=world.manager, intervention=intervention, amount=Decimal(5), justification="x"
        )
    request = funding_services.approve_funding(actor=world.staff, funding_request=request)
    assert request.status == FundingStatus.APPROVED
    assert request.decided_by == world.staff
    assert Notification.objects.get(recipient=world.manager, title_en="Funding request approved")
    with pytest.raises(ActionError):
        funding_services.refuse_funding(actor=world.staff, funding_request=request, comment="No")


def test_refusing_funding_needs_a_reason(world):
    case = world.case()
    request = plan_services.request_funding(
        actor=world.manager,
        intervention=world.intervention(case, funded=True),
        amount=Decimal(10),
        justification="x",
    )
    with pytest.raises(ActionError) as error:
        funding_services.refuse_funding(actor=world.staff, funding_request=request, comment="  ")
    assert "comment" in error.value.error_dict
    request.refresh_from_db()
    assert request.status == FundingStatus.SUBMITTED


def test_an_unfunded_intervention_has_no_funding_request(world):
    case = world.case()
    with pytest.raises(ActionError):
        plan_services.request_funding(
            actor=world.manager, intervention=world.intervention(case), amount=Decimal(10), justification="x"
        )


def test_the_cycle_goes_to_follow_up_and_closed_and_back(world):
    case = world.case(status="follow_up")
    assert [change.to_status for change in case.status_changes.order_by("pk")] == [
        CaseStatus.INTAKE,
        CaseStatus.ASSESSMENT,
        CaseStatus.PLAN_DEVELOPMENT,
        CaseStatus.PLAN_MANAGEMENT,
        CaseStatus.FOLLOW_UP,
    ]
    with pytest.raises(ActionError):
        case_services.close_case(actor=world.manager, case=case, reason="")
    case = case_services.close_case(actor=world.manager, case=case, reason="Employed full time")
    assert case.closed_on == timezone.localdate()
    with pytest.raises(ActionError):
        case_services.add_note(actor=world.manager, case=case, subject="x", text="y")
    case = case_services.reopen_case(actor=world.manager, case=case, reason="Lost the job")
    assert case.status == CaseStatus.ASSESSMENT
    assert case.closed_on is None


def test_a_status_change_not_allowed_from_the_current_status_changes_nothing(world):
    case = world.case(status="intake")
    with pytest.raises(ActionError) as error:
        case_services.start_follow_up(actor=world.manager, case=case)
    assert "Intake" in str(error.value)
    case.refresh_from_db()
    assert case.status == CaseStatus.INTAKE
    assert case.status_changes.count() == 1


def test_reassigning_moves_the_open_tasks_and_notifications(world):
    case = world.case()
    intervention = world.intervention(case)
    case_services.reassign_case(actor=world.supervisor, case=case, case_manager=world.colleague)
    case.refresh_from_db()
    assert case.case_manager == world.colleague
    assert (
        Task.objects.get(key__contains=f"referrals.case.{case.pk}.develop-plan").assignee == world.colleague
    )
    assert set(
        Notification.objects.filter(key__contains=f".intervention.{intervention.pk}.").values_list(
            "recipient", flat=True
        )
    ) == {world.colleague.pk}
    assert Notification.objects.filter(recipient=world.colleague, title_en="Case assigned to you").exists()


def test_outcomes_wait_for_the_plan_and_refuse_future_dates(world):
    case = world.case()
    with pytest.raises(ActionError):
        case_services.record_outcome(
            actor=world.manager,
            case=case,
            outcome="full_time",
            outcome_date=timezone.localdate(),
            employer="",
            occupation="",
            hours_per_week=None,
            notes="",
        )
    case = world.case(status="follow_up", first_name="Ann")
    with pytest.raises(ActionError) as error:
        case_services.record_outcome(
            actor=world.manager,
            case=case,
            outcome="full_time",
            outcome_date=timezone.localdate() + timedelta(days=1),
            employer="",
            occupation="",
            hours_per_week=None,
            notes="",
        )
    assert "outcome_date" in error.value.error_dict
