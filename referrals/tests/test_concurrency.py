"""Two people acting on the same record at the same moment: one wins, the other is told."""

import pytest
from django.db import connection

from portal.models import Task
from referrals.cases import services as case_services
from referrals.models import CaseStatus, Intervention
from referrals.plans import services as plan_services
from referrals.referrals import services as referral_services
from tests.concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_assessment_is_completed_once_and_one_task_made(world):
    if connection.vendor != "postgresql":
        pytest.skip("row-lock tests need PostgreSQL (set DATABASE_URL)")
    case = world.case(status="assessment")
    outcomes = race(
        lambda: case_services.complete_assessment(actor=world.manager, case=case),
        lambda: case_services.complete_assessment(actor=world.colleague, case=case),
    )
    assert len(outcomes) == 2, outcomes
    assert outcomes.count("done") == 1
    assert "Nothing was changed" in next(outcome for outcome in outcomes if outcome != "done")
    case.refresh_from_db()
    assert case.status == CaseStatus.PLAN_DEVELOPMENT
    assert Task.objects.filter(key__contains=f"referrals.case.{case.pk}.develop-plan").count() == 1


def test_starting_and_deleting_the_same_intervention_at_once(world):
    if connection.vendor != "postgresql":
        pytest.skip("row-lock tests need PostgreSQL (set DATABASE_URL)")
    case = world.case()
    intervention = world.intervention(case)
    outcomes = race(
        lambda: plan_services.start_intervention(actor=world.manager, intervention=intervention),
        lambda: plan_services.delete_interventions(
            actor=world.colleague, case=case, interventions=[intervention]
        ),
    )
    assert len(outcomes) == 2, outcomes  # neither crashed (no deadlock)
    assert outcomes.count("done") == 1
    remaining = Intervention.objects.filter(pk=intervention.pk).first()
    # Either it was deleted before it started, or it started and the deletion was refused.
    assert remaining is None or remaining.status == "in_progress"


def test_two_cases_opened_at_once_get_different_numbers(world):
    if connection.vendor != "postgresql":
        pytest.skip("row-lock tests need PostgreSQL (set DATABASE_URL)")
    outcomes = race(
        lambda: world.case(status="intake"), lambda: world.case(status="intake", first_name="Bob")
    )
    assert outcomes == ["done", "done"]
    from referrals.models import Case

    assert Case.objects.values("number").distinct().count() == 2


def test_two_people_completing_the_same_transfer_end_with_one_transfer(world):
    if connection.vendor != "postgresql":
        pytest.skip("row-lock tests need PostgreSQL (set DATABASE_URL)")
    from referrals.models import Agreement, CaseStatusChange, Referral, TransferStatus
    from tests.factories import MembershipFactory

    Agreement.objects.filter(agency=world.other_agency).update(client_tracking=True)
    case = world.case()
    referral = referral_services.create_referral(actor=world.manager, case=case, referral_type="transfer")
    referral = referral_services.update_referral(
        actor=world.manager,
        referral=referral,
        agency=world.other_agency,
        contact_person="X",
        email_to="x@example.ca",
        language=referral.language,
        template=referral.template,
        subject="s",
        body="b",
    )
    Referral.objects.filter(pk=referral.pk).update(status="emailed", transfer_status=TransferStatus.PENDING)
    second = MembershipFactory(organization=world.other_agency, role="referrals.case_manager").user
    agreement = Agreement.objects.get(agency=world.other_agency)
    office = world.other_office

    def complete(actor, manager):
        return lambda: referral_services.complete_transfer(
            actor=actor,
            referral=referral,
            office=office,
            case_manager=manager,
            agreement=agreement,
            delivery_location=office,
        )

    outcomes = race(complete(world.outsider, world.outsider), complete(second, second))
    assert len(outcomes) == 2, outcomes
    assert outcomes.count("done") == 1
    assert "no longer waiting" in next(outcome for outcome in outcomes if outcome != "done")
    case.refresh_from_db()
    assert case.agency == world.other_agency
    assert CaseStatusChange.objects.filter(case=case, note__contains="transferred").count() == 1


def test_two_people_answering_the_same_referral_at_once_give_one_answer(
    network, django_capture_on_commit_callbacks
):
    """Issue 19: New Path's two case managers, one accepting and one declining at the same moment."""
    if connection.vendor != "postgresql":
        pytest.skip("row-lock tests need PostgreSQL (set DATABASE_URL)")
    from portal.models import Message, Notification
    from referrals.models import CaseStatusChange, ReferralType, ResponseStatus
    from referrals.responses import services as responses
    from tests.factories import MembershipFactory

    referral = network.send(network.referral(ReferralType.WITHIN), django_capture_on_commit_callbacks)
    colleague = MembershipFactory(organization=network.other_agency, role="referrals.case_manager").user
    outcomes = race(
        lambda: responses.accept_referral(actor=network.outsider, referral=referral, comment="yes"),
        lambda: responses.decline_referral(actor=colleague, referral=referral, reason="no_capacity"),
    )
    assert len(outcomes) == 2, outcomes
    assert outcomes.count("done") == 1
    assert "already answered" in next(outcome for outcome in outcomes if outcome != "done")
    referral.refresh_from_db()
    assert referral.response_status in (ResponseStatus.ACCEPTED, ResponseStatus.DECLINED)
    # The winner's answer whole: its reason, one history row, one notice, one email.
    winner = network.outsider if referral.response_status == ResponseStatus.ACCEPTED else colleague
    assert referral.responded_by == winner
    assert referral.response_reason == ("" if winner == network.outsider else "no_capacity")
    assert CaseStatusChange.objects.filter(case=referral.case, action__startswith="referral-").count() == 1
    assert Notification.objects.filter(purpose="referral.response").count() == 1
    assert Message.objects.filter(key__startswith=f"referrals:response:{referral.pk}:").count() == 1
