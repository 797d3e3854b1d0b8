"""Two coordinators answering the same offer at the same moment: one wins, the other is told."""

import threading

import pytest
from django.db import connection, connections
from django.utils import translation

from orders.models import OrderSummary, SummaryEvent, SummaryStatus
from orders.offers import services as offer_services
from portal.workflow import ActionError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_one_answer_wins_and_the_other_gets_a_clear_message(world):
    if connection.vendor != "postgresql":
        pytest.skip("row-lock tests need PostgreSQL (set DATABASE_URL)")
    summary = world.offered()
    barrier = threading.Barrier(2)
    outcomes = []

    def answer(call):
        try:
            barrier.wait()
            with translation.override("en"):
                call()
            outcomes.append("done")
        except ActionError as error:
            outcomes.append(" ".join(error.messages))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(
            target=answer, args=(lambda: offer_services.accept_summary(actor=world.coordinator, summary=summary),)
        ),
        threading.Thread(
            target=answer,
            args=(lambda: offer_services.decline_summary(actor=world.both, summary=summary, reason="No staff"),),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("done") == 1
    refused = next(outcome for outcome in outcomes if outcome != "done")
    assert "Nothing was changed" in refused
    summary = OrderSummary.objects.get(pk=summary.pk)
    assert summary.status in (SummaryStatus.ACTIVATED, SummaryStatus.DECLINED)
    answers = SummaryEvent.objects.filter(summary=summary, action__in=("accepted", "declined"))
    assert answers.count() == 1
