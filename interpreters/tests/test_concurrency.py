"""Two coordinators giving the same interpreter overlapping requests at the same moment: one wins."""

from datetime import time

import pytest
from django.db import connection

from interpreters.models import Request, RequestStatus
from interpreters.requests import services
from tests.concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_an_interpreter_never_gets_two_overlapping_assignments(world):
    if connection.vendor != "postgresql":
        pytest.skip("row-lock tests need PostgreSQL (set DATABASE_URL)")
    first = world.request()
    second = world.request(start_time=time(10, 30))
    outcomes = race(
        *(
            lambda request=request: services.assign_interpreter(
                actor=world.coordinator, request=request, interpreter=world.near
            )
            for request in (first, second)
        )
    )
    assert len(outcomes) == 2, outcomes
    assert outcomes.count("done") == 1
    assert "already holds an assignment" in next(outcome for outcome in outcomes if outcome != "done")
    assert Request.objects.filter(interpreter=world.near, status=RequestStatus.ASSIGNED).count() == 1
