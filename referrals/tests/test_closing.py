"""Issue 19: closing a case ends its action plan, as the LaMPSS guide implies: an intervention in
progress is Completed, a planned one Cancelled (a funding request still waiting is refused with it),
and their "Action required" notices leave the case manager's home page."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from portal.models import Notification
from referrals.cases import services as case_services
from referrals.models import Case, CaseStatus, FundingStatus, InterventionStatus
from referrals.plans import services as plan_services
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db

MONCTON = ZoneInfo("America/Moncton")


@pytest.fixture
def clock():
    with time_machine.travel(datetime(2026, 3, 10, 23, 59, tzinfo=MONCTON), tick=False):
        yield


def _intervention_notices(case):
    return Notification.objects.filter(
        record_number=str(case.number), purpose__startswith="intervention.", read_at__isnull=True
    )


def _plan_in_management(world):
    case = world.case(status="plan_management")
    started = case.interventions.get()
    plan_services.start_intervention(actor=world.manager, intervention=started)
    planned = world.intervention(case, start_in=10)
    funded = world.intervention(case, funded=True, start_in=20)
    waiting = plan_services.request_funding(
        actor=world.manager, intervention=funded, amount=Decimal("1200.00"), justification="Tuition"
    )
    done = world.intervention(case, start_in=1)
    plan_services.start_intervention(actor=world.manager, intervention=done)
    plan_services.complete_intervention(actor=world.manager, intervention=done)
    return case, started, planned, funded, waiting, done


def test_closing_ends_or_cancels_the_open_interventions_and_withdraws_their_notices(clock, world):
    case, started, planned, funded, waiting, done = _plan_in_management(world)
    assert _intervention_notices(case).exists()
    case_services.close_case(actor=world.manager, case=Case.objects.get(pk=case.pk), reason="Employed")
    for item in (started, planned, funded, done):
        item.refresh_from_db()
    assert started.status == InterventionStatus.COMPLETED
    assert (planned.status, funded.status) == (InterventionStatus.CANCELLED, InterventionStatus.CANCELLED)
    assert done.status == InterventionStatus.COMPLETED
    waiting.refresh_from_db()
    assert waiting.status == FundingStatus.REFUSED
    assert not _intervention_notices(case).exists()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED


def test_a_read_notice_stays_as_history(clock, world):
    case, *_rest = _plan_in_management(world)
    read = _intervention_notices(case).first()
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    case_services.close_case(actor=world.manager, case=Case.objects.get(pk=case.pk), reason="Moved")
    assert Notification.objects.filter(pk=read.pk).exists()


@pytest.mark.parametrize(
    ("language", "completed", "cancelled"), [("fr", "Terminée", "Annulée"), ("en", "Completed", "Cancelled")]
)
def test_the_closed_cases_plan_shows_the_ended_interventions(clock, world, language, completed, cancelled):
    case, *_rest = _plan_in_management(world)
    case_services.close_case(actor=world.manager, case=Case.objects.get(pk=case.pk), reason="Employed")
    world.manager.preferred_language = language
    world.manager.save()
    client = verified_client(world.manager, membership=world.manager_membership)
    page = client.get(reverse("referrals:plan", args=[case.number])).content.decode()
    assert completed in page and cancelled in page
    home = client.get(reverse("portal:home")).content.decode()
    assert "Mesure requise" not in home and "Action required" not in home


def test_reopening_a_closed_case_leaves_its_ended_plan_as_it_is(clock, world):
    case, started, planned, *_rest = _plan_in_management(world)
    closed = case_services.close_case(actor=world.manager, case=Case.objects.get(pk=case.pk), reason="Moved")
    case_services.reopen_case(actor=world.manager, case=closed, reason="Back")
    planned.refresh_from_db()
    assert planned.status == InterventionStatus.CANCELLED
    assert not _intervention_notices(case).exists()


def test_the_demo_closed_case_has_no_open_intervention_nor_notice(db):
    from portal.demo import load_all_demo_data

    load_all_demo_data()
    closed = list(Case.objects.filter(status=CaseStatus.CLOSED))
    assert closed
    for case in closed:
        assert not case.interventions.filter(
            status__in=(InterventionStatus.PLANNED, InterventionStatus.IN_PROGRESS)
        ).exists()
        assert not _intervention_notices(case).exists()
    # Issue 19: no intervention of the demo is "In progress" with its start still to come.
    from django.utils import timezone

    from referrals.models import Intervention

    started = Intervention.objects.filter(status=InterventionStatus.IN_PROGRESS)
    assert started.exists()
    assert not started.filter(planned_start__gt=timezone.localdate()).exists()
