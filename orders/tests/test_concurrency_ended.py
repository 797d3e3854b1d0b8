"""Row locks of the second pass (issue 18), on PostgreSQL: the provider correcting a month while
the department acknowledges it, and the hourly expiry while a worker terminates the summary."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from orders.confirmations import services as confirmation_services
from orders.models import (
    ConfirmationCorrection,
    MonthlyConfirmation,
    OrderSummary,
    SummaryEvent,
    SummaryStatus,
)
from orders.summaries import services as summary_services
from tests.concurrency import race, require_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
MONCTON = ZoneInfo("America/Moncton")


@pytest.fixture(autouse=True)
def postgres_only():
    require_postgres()


def test_a_correction_and_an_acknowledgement_at_once_never_change_an_acknowledged_month(world):
    for _attempt in range(3):
        order = world.activated().orders.get()
        confirmation = confirmation_services.confirm_month(
            actor=world.coordinator,
            order=order,
            month=timezone.localdate().replace(day=1),
            units_delivered=Decimal(10),
            km_delivered=Decimal(0),
        )
        outcomes = race(
            lambda recorded=confirmation: confirmation_services.correct_confirmation(
                actor=world.coordinator,
                confirmation=recorded,
                units_delivered=Decimal(12),
                km_delivered=Decimal(0),
            ),
            lambda recorded=confirmation: confirmation_services.acknowledge_confirmation(
                actor=world.worker, confirmation=recorded
            ),
        )
        confirmation = MonthlyConfirmation.objects.get(pk=confirmation.pk)
        assert confirmation.acknowledged_at is not None
        correction = ConfirmationCorrection.objects.filter(confirmation=confirmation).first()
        if outcomes.count("done") == 2:
            # The correction went first: it is in the acknowledged figures.
            assert correction is not None and correction.at <= confirmation.acknowledged_at
            assert confirmation.units_delivered == Decimal(12)
        else:
            assert any("can no longer be corrected" in outcome for outcome in outcomes)
            assert correction is None and confirmation.units_delivered == Decimal(10)


def test_the_expiry_and_a_termination_at_once_change_the_status_once(world):
    with time_machine.travel(datetime(2026, 11, 16, 10, 0, tzinfo=MONCTON), tick=False) as clock:
        summary = world.activated(end_date=date(2026, 11, 30))
        clock.move_to(datetime(2026, 12, 1, 0, 5, tzinfo=MONCTON))
        outcomes = race(
            lambda: summary_services.expire_summary(summary=summary),
            lambda: summary_services.terminate_summary(actor=world.worker, summary=summary),
        )
    assert outcomes.count("done") == 1
    assert any("Nothing was changed" in outcome for outcome in outcomes if outcome != "done")
    summary = OrderSummary.objects.get(pk=summary.pk)
    assert summary.status in (SummaryStatus.EXPIRED, SummaryStatus.TERMINATED)
    changes = SummaryEvent.objects.filter(summary=summary, action__in=("expired", "terminated"))
    assert changes.count() == 1
