"""The orders demo loads on any date (month ends, the 1st, the year's end, a DST day) and leaves
no active summary past its end date."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from orders.models import OrderSummary, SummaryStatus
from portal.demo import load_all_demo_data

MONCTON = ZoneInfo("America/Moncton")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "instant",
    [
        datetime(2026, 1, 31, 23, 59, tzinfo=MONCTON),
        datetime(2026, 3, 1, 0, 1, tzinfo=MONCTON),
        datetime(2026, 3, 8, 3, 30, tzinfo=MONCTON),
        datetime(2026, 12, 27, 12, 0, tzinfo=MONCTON),
        datetime(2026, 12, 31, 23, 59, tzinfo=MONCTON),
    ],
)
def test_the_demo_loads_on_any_date(instant):
    with time_machine.travel(instant, tick=False):
        organizations, _users = load_all_demo_data()
        today = timezone.localdate()
        summaries = OrderSummary.objects.scoped("a test reads every summary")
        assert summaries.exists()
        assert not summaries.filter(
            status__in=(SummaryStatus.ACTIVATED, SummaryStatus.PENDING), end_date__lt=today
        ).exists()
        # Every status the pages of the suites open is there for each provider, on any date.
        for provider in ("provider", "provider2"):
            statuses = set(
                summaries.filter(provider=organizations[provider]).values_list("status", flat=True)
            )
            assert statuses == set(SummaryStatus.values), (provider, statuses)
        offered_ended = summaries.filter(status=SummaryStatus.OFFERED, end_date__lt=today)
        assert offered_ended.exists()


@pytest.mark.django_db
def test_the_demo_has_a_second_department_worker_to_reassign_to():
    from orders.summaries import services as summary_services
    from portal.selectors import members_with_roles

    with time_machine.travel(datetime(2026, 11, 30, 10, 0, tzinfo=MONCTON), tick=False):
        organizations, users = load_all_demo_data()
        load_all_demo_data()  # idempotent: still one account, one role
        workers = list(members_with_roles(organizations["department"], ["orders.department_worker"]))
        emails = sorted(user.email for user in workers)
        assert emails == ["worker2@demo.liaison.ca", "worker@demo.liaison.ca"]
        summary = OrderSummary.objects.scoped("a test reads every summary").filter(
            department=organizations["department"], status=SummaryStatus.ACTIVATED
        ).first()
        second = users["worker2@demo.liaison.ca"]
        moved = summary_services.reassign_worker(actor=summary.worker, summary=summary, worker=second)
        assert moved.worker == second
