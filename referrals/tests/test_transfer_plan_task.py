"""Issue 19: after a transfer, the new case manager gets the open "Develop action plan" task when
the plan is still to do (due when the sender's was); none when the plan is already managed."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from portal.models import Task
from referrals.agreements import services as agreement_services
from referrals.models import Agreement, Case, ReferralType
from referrals.referrals import services as referral_services
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db

MONCTON = ZoneInfo("America/Moncton")


@pytest.fixture
def clock():
    with time_machine.travel(datetime(2026, 10, 30, 9, 0, tzinfo=MONCTON), tick=False) as traveller:
        yield traveller


@pytest.fixture
def network(clock, world):
    Agreement.objects.filter(agency=world.other_agency).update(client_tracking=True)
    return world


def _transfer(world, capture, case):
    referral = referral_services.create_referral(
        actor=world.manager, case=case, referral_type=ReferralType.TRANSFER
    )
    referral = referral_services.update_referral(
        actor=world.manager,
        referral=referral,
        agency=world.other_agency,
        contact_person="Denise Gallant",
        email_to="intake@example.ca",
        language=referral.language,
        template=referral.template,
        subject=referral.subject,
        body=referral.body,
        notes="",
    )
    with capture(execute=True):
        referral = referral_services.send_referral(actor=world.manager, referral=referral)
    office = agreement_services.save_office(agency=world.other_agency, name="Dieppe", city="Dieppe")
    with capture(execute=True):
        return referral_services.complete_transfer(
            actor=world.outsider,
            referral=referral,
            office=office,
            case_manager=world.outsider,
            agreement=Agreement.objects.get(agency=world.other_agency),
            delivery_location=office,
        )


def _plan_tasks(user, case):
    return Task.objects.filter(
        assignee=user, purpose="develop-plan", record_number=str(case.number), done_at__isnull=True
    )


@pytest.mark.parametrize(
    ("language", "title"), [("fr", "Préparer le plan d'action"), ("en", "Develop action plan")]
)
def test_the_new_case_manager_gets_the_plan_task_due_when_it_was(
    network, clock, django_capture_on_commit_callbacks, language, title
):
    case = network.case()  # the assessment completed today: the plan is due in two weeks
    due = _plan_tasks(network.manager, case).get().due_date
    assert due == timezone.localdate() + timedelta(days=14)
    clock.shift(timedelta(days=3))
    _transfer(network, django_capture_on_commit_callbacks, case)
    assert not _plan_tasks(network.manager, case).exists()
    task = _plan_tasks(network.outsider, case).get()
    assert task.due_date == due
    network.outsider.preferred_language = language
    network.outsider.save()
    client = verified_client(network.outsider, membership=network.outsider_membership)
    home = client.get(reverse("portal:home")).content.decode().replace("&#x27;", "'")
    assert title in home and str(case.number) in home


def test_no_plan_task_when_the_plan_is_already_managed(network, django_capture_on_commit_callbacks):
    case = network.case(status="plan_management")
    _transfer(network, django_capture_on_commit_callbacks, case)
    assert Case.objects.get(pk=case.pk).agency == network.other_agency
    assert not _plan_tasks(network.outsider, case).exists()
