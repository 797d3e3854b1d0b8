"""Issue 19: after a transfer, the new case manager gets the open "Develop action plan" task when
the plan is still to do (due when the sender's was); none when the plan is already managed."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from portal.models import Task
from referrals.models import Case
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db

MONCTON = ZoneInfo("America/Moncton")


@pytest.fixture
def clock():
    with time_machine.travel(datetime(2026, 10, 30, 9, 0, tzinfo=MONCTON), tick=False) as traveller:
        yield traveller


@pytest.fixture
def network(clock, network):
    """The network (conftest), built at the clock's instant."""
    return network


def _transfer(world, capture, case):
    return world.receive(world.send(world.referral(case=case, email_to="intake@example.ca"), capture), capture)


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
