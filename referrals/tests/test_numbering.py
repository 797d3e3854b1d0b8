"""Case numbers come from the one counter of portal.numbering: never given twice, after the highest
number already given, and any other broken rule surfaces as it is."""

import pytest
from django.db import IntegrityError

from portal.models import NumberSequence
from referrals.cases import services as case_services
from referrals.models import Case

pytestmark = pytest.mark.django_db


def _open(world, first_name="Ana"):
    return case_services.open_case(
        actor=world.manager,
        agency=world.agency,
        person=case_services.save_person(first_name=first_name, last_name="Roy"),
        program=world.ecm,
        office=world.office,
        case_manager=world.manager,
    )


def test_two_cases_never_share_a_number_even_when_the_highest_number_is_read_stale(world, monkeypatch):
    first = _open(world)
    manager_class = type(Case.objects)
    real = manager_class.aggregate
    stale = iter([{"top": first.number - 1}])  # as if read before `first` was saved

    def aggregate(self, *args, **kwargs):
        return next(stale, None) or real(self, *args, **kwargs)

    monkeypatch.setattr(manager_class, "aggregate", aggregate)
    second = _open(world, "Bob")
    assert second.number == first.number + 1
    assert Case.objects.values("number").distinct().count() == 2


def test_numbers_start_after_the_highest_one_already_given(world):
    first = _open(world)
    Case.objects.filter(pk=first.pk).update(number=101500)  # e.g. loaded before the counter existed
    NumberSequence.objects.filter(name="referrals.case").delete()
    assert _open(world, "Bob").number == 101501


def test_another_broken_rule_is_not_taken_for_a_numbering_clash(world, monkeypatch):
    calls = []

    def create(self, **kwargs):
        calls.append(kwargs["number"])
        raise IntegrityError("FOREIGN KEY constraint failed")

    monkeypatch.setattr(type(Case.objects), "create", create)
    with pytest.raises(IntegrityError, match="FOREIGN KEY"):
        _open(world)
    assert len(calls) == 1  # not retried, not reported as "could not be numbered"
