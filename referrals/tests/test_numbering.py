"""Case numbers: a number taken at the same moment is retried; any other broken rule surfaces."""

import pytest
from django.db import IntegrityError

from referrals.cases import services as case_services
from referrals.models import Case

pytestmark = pytest.mark.django_db


def _open(world):
    return case_services.open_case(
        actor=world.manager,
        agency=world.agency,
        person=case_services.save_person(first_name="Ana", last_name="Roy"),
        program=world.ecm,
        office=world.office,
        case_manager=world.manager,
    )


def test_a_number_taken_at_the_same_moment_is_retried(world, monkeypatch):
    first = _open(world)
    manager_class = type(Case.objects)
    real = manager_class.aggregate
    stale = iter([{"top": first.number - 1}])  # as if read before `first` was saved

    def aggregate(self, *args, **kwargs):
        return next(stale, None) or real(self, *args, **kwargs)

    monkeypatch.setattr(manager_class, "aggregate", aggregate)
    second = _open(world)
    assert second.number == first.number + 1


def test_another_broken_rule_is_not_taken_for_a_numbering_clash(world, monkeypatch):
    calls = []

    def create(self, **kwargs):
        calls.append(kwargs["number"])
        raise IntegrityError("FOREIGN KEY constraint failed")

    monkeypatch.setattr(type(Case.objects), "create", create)
    with pytest.raises(IntegrityError, match="FOREIGN KEY"):
        _open(world)
    assert len(calls) == 1  # not retried five times, not reported as "could not be numbered"
