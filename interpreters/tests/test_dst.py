"""Interpreter requests on the days the clocks change (America/Moncton, the project's TIME_ZONE):
a start time that does not exist or exists twice is refused next to the time field, in both
languages; durations are real minutes; the numbering retry never hides another broken rule."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from interpreters.models import Request
from interpreters.requests import services
from portal import dates
from portal.models import NumberSequence
from portal.workflow import ActionError
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db
MONCTON = ZoneInfo("America/Moncton")
SPRING = date(2027, 3, 14)  # 2:00 becomes 3:00
FALL = date(2027, 11, 7)  # 2:00 becomes 1:00 again


@pytest.fixture(autouse=True)
def _early_march_2027(settings):
    settings.TIME_ZONE = "America/Moncton"
    with time_machine.travel(datetime(2027, 3, 1, 10, 0, tzinfo=MONCTON), tick=True):
        yield


def _post(world, language, day, start, minutes):
    world.requester.preferred_language = language
    world.requester.save(update_fields=["preferred_language"])
    client = verified_client(world.requester, membership=world.requester_membership)
    data = {
        "language": world.arabic.pk,
        "date": day.isoformat(),
        "start_time": start,
        "duration_minutes": str(minutes),
        "modality": "in_person",
        "site_name": "Hôpital",
        "address": "1000, rue Saint-Denis",
        "postal_code": "h2x0c1",
        "service_type": world.medical.pk,
        "participants": "2",
        "contact_name": "Paul",
        "contact_phone": "514-555-0100",
        "cost_centre": world.centre.pk,
    }
    return client.post(reverse("interpreters:request_create"), data)


def _expected(message, language):
    with translation.override(language):
        return str(message)


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("minutes", [60, 90])
def test_a_start_time_the_clocks_skip_is_refused_next_to_the_time(world, language, minutes):
    response = _post(world, language, SPRING, "02:30", minutes)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["start_time"] == [_expected(dates.NonexistentTime.message, language)]
    assert "number" not in " ".join(str(error) for error in errors.values())
    assert not Request.objects.exists()
    assert response.headers["Content-Language"] == language
    assert escape(_expected(dates.NonexistentTime.message, language)) in response.content.decode()


def test_the_message_says_why(world):
    response = _post(world, "en", SPRING, "02:30", 60)
    assert response.context["form"].errors["start_time"] == [
        "This time does not exist on that day (the clocks change): choose a time before or after the change."
    ]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_start_time_the_clocks_show_twice_is_refused_next_to_the_time(world, language):
    response = _post(world, language, FALL, "01:30", 60)
    assert response.status_code == 200
    assert response.context["form"].errors["start_time"] == [_expected(dates.AmbiguousTime.message, language)]
    assert not Request.objects.exists()


def test_a_request_before_fall_back_lasts_its_real_minutes(world):
    response = _post(world, "en", FALL, "00:30", 120)
    assert response.status_code == 302
    request = Request.objects.get()
    assert request.starts_at == datetime(2027, 11, 7, 3, 30, tzinfo=UTC)  # 0:30 daylight time
    assert request.ends_at - request.starts_at == timedelta(minutes=120)
    end = timezone.localtime(request.ends_at, MONCTON)
    assert (end.hour, end.minute, end.fold) == (1, 30, 1)  # the second 1:30, in standard time


def test_a_request_across_spring_forward_lasts_its_real_minutes(world):
    response = _post(world, "en", SPRING, "01:30", 60)
    assert response.status_code == 302
    request = Request.objects.get()
    assert request.ends_at - request.starts_at == timedelta(minutes=60)
    end = timezone.localtime(request.ends_at, MONCTON)
    assert (end.hour, end.minute) == (3, 30)


@pytest.mark.parametrize(("day", "start"), [(SPRING, time(1, 59)), (SPRING, time(3, 0)), (FALL, time(2, 0))])
def test_times_next_to_the_change_are_accepted(world, day, start):
    request = world.request(date=day, start_time=start, duration_minutes=60)
    assert request.ends_at - request.starts_at == timedelta(minutes=60)


def test_a_weekly_series_that_meets_the_change_is_refused_with_its_date(world):
    with translation.override("en"), pytest.raises(ActionError) as error:
        services.create_request(
            actor=world.requester,
            establishment=world.hospital,
            repeat_until=date(2027, 3, 21),
            **world.values(date=date(2027, 3, 7), start_time=time(2, 30)),
        )
    with translation.override("en"):
        assert error.value.message_dict["start_time"][0].startswith("On 2027-03-14: This time does not exist")
    assert not Request.objects.exists()


# Numbering ----------------------------------------------------------------------------------------


def test_numbers_follow_one_another_from_ir_000101(world):
    assert [world.request().number, world.request().number] == ["IR-000101", "IR-000102"]


def test_numbering_starts_after_the_highest_number_already_given(world):
    # Requests numbered before the counter existed (loaded data): their numbers are never given again.
    first = world.request()
    Request.objects.filter(pk=first.pk).update(number="IR-000500")
    NumberSequence.objects.filter(name="interpreters.request").delete()
    assert world.request().number == "IR-000501"


def test_another_broken_rule_is_not_taken_for_a_numbering_clash(world, monkeypatch):
    # An end that is not after the start breaks a check constraint: that error must surface,
    # not be retried five times and reported as "could not be numbered".
    def broken_times(request):
        request.starts_at = request.ends_at = dates.aware(request.date, request.start_time)

    monkeypatch.setattr(Request, "compute_times", broken_times)
    with pytest.raises(IntegrityError):
        world.request()
    assert not Request.objects.exists()
