"""Slots on the days the clocks change (America/Moncton): a start or end the clocks skip or show
twice is refused next to its field; a picked public time that does not exist is not a time."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from appointments.booking.forms import TimeChoiceForm
from appointments.models import Service, TeamResource
from appointments.schedules.forms import SlotForm
from portal import dates

pytestmark = pytest.mark.django_db
MONCTON = ZoneInfo("America/Moncton")


@pytest.fixture(autouse=True)
def _march_2027(settings):
    settings.TIME_ZONE = "America/Moncton"
    with time_machine.travel(datetime(2027, 3, 1, 10, 0, tzinfo=MONCTON), tick=False):
        yield


def _slot_form(day, start, end):
    return SlotForm(
        {"date": day, "start": start, "end": end, "per_interval": "1"},
        resources=TeamResource.objects.none(),
        services=Service.objects.none(),
    )


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_slot_starting_at_a_time_the_clocks_skip_is_refused_next_to_the_start(language):
    with translation.override(language):
        form = _slot_form("2027-03-14", "02:30", "04:00")
        form.is_valid()
        assert form.errors["start"] == [str(dates.NonexistentTime.message)]
    assert "starts_at" not in form.cleaned_data


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_slot_ending_at_a_time_the_clocks_show_twice_is_refused_next_to_the_end(language):
    with translation.override(language):
        form = _slot_form("2027-11-07", "00:00", "01:30")
        form.is_valid()
        assert form.errors["end"] == [str(dates.AmbiguousTime.message)]


def test_a_slot_over_the_change_lasts_its_real_time():
    form = _slot_form("2027-03-14", "01:00", "04:00")
    form.is_valid()
    assert "start" not in form.errors and "end" not in form.errors
    real = form.cleaned_data["ends_at"].astimezone(UTC) - form.cleaned_data["starts_at"].astimezone(UTC)
    assert real.total_seconds() == 2 * 3600  # 1:00 to 4:00 on the day an hour is skipped


@pytest.mark.parametrize("moment", ["20270314T0230", "20271107T0130"])
def test_a_public_time_that_does_not_exist_once_is_not_available(moment):
    with translation.override("en"):
        form = TimeChoiceForm({"time": f"1@{moment}"})
        assert not form.is_valid()
        assert "not available" in " ".join(form.errors["time"])


def test_a_public_time_on_a_change_day_is_its_instant():
    form = TimeChoiceForm({"time": "1@20271107T0300"})
    assert form.is_valid()
    assert form.cleaned_data["time"].astimezone(UTC) == datetime(2027, 11, 7, 7, 0, tzinfo=UTC)
