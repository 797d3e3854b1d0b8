"""The one numbering mechanism: a counter per kind, starting after what exists, never shared."""

import threading

import pytest
from django.db import connection, transaction

from portal.models import NumberSequence
from portal.numbering import next_number


@pytest.mark.django_db
def test_numbers_follow_each_other_per_kind_and_start_after_the_floor():
    assert next_number("test.a") == 1
    assert next_number("test.a") == 2
    assert next_number("test.b", floor=lambda: 100_922) == 100_923
    assert next_number("test.b", floor=lambda: 5) == 100_924  # the floor counts only the first time
    assert next_number("test.c", floor=lambda: None) == 1


@pytest.mark.django_db
def test_a_rolled_back_creation_gives_its_number_back():
    next_number("test.d")
    with pytest.raises(RuntimeError), transaction.atomic():
        next_number("test.d")
        raise RuntimeError
    assert next_number("test.d") == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_callers_never_share_a_number():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")  # CI runs the suite on PostgreSQL
    NumberSequence.objects.create(name="test.race", last=0)
    results, errors = [], []

    def take():
        try:
            for _ in range(10):
                results.append(next_number("test.race"))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(results) == list(range(1, 41))
