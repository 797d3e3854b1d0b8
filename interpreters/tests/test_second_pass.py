"""Issue 19, the interpreter bank's second pass, through the pages in French and English: the
service record (notes shown to the coordinator, an end in the future refused)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext_lazy

from interpreters.models import Completion, Request, RequestStatus
from interpreters.requests import services
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db
RS = RequestStatus
MONCTON = ZoneInfo("America/Moncton")
NOW = datetime(2026, 11, 18, 14, 30, tzinfo=MONCTON)
LANGUAGES = ["fr", "en"]


@pytest.fixture(autouse=True)
def _mid_november(settings):
    settings.TIME_ZONE = "America/Moncton"
    with time_machine.travel(NOW, tick=False):
        yield


def _expected(message, language):
    with translation.override(language):
        return str(message)


def _client(user, membership, language):
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    return verified_client(user, membership=membership)


def _started(world, minutes_ago=120, **changes):
    """A confirmed request whose service began `minutes_ago` minutes ago (moved into the past)."""
    request = world.confirmed(**changes)
    start = timezone.now() - timedelta(minutes=minutes_ago)
    Request.objects.filter(pk=request.pk).update(
        date=timezone.localdate(start), starts_at=start, ends_at=start + timedelta(minutes=90)
    )
    request.refresh_from_db()
    return request


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


# 1. The service record -------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_end_in_the_future_is_refused_next_to_the_field_and_nothing_typed_is_lost(world, language):
    request = _started(world, minutes_ago=30)
    client = _client(world.near.user, world.near_membership, language)
    response = client.post(
        reverse("interpreters:completion_record", args=[request.pk]),
        {
            "actual_start": _local(request.starts_at),
            "actual_end": _local(timezone.now() + timedelta(minutes=45)),
            "travel_km": "12,5" if language == "fr" else "12.5",
            "waiting_minutes": "7",
            "expenses": "0",
            "notes": "Arrivé par l'entrée B",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["actual_end"] == [
        _expected(gettext_lazy("The end cannot be in the future."), language)
    ]
    page = response.content.decode()
    # The message is next to its field (its own error list), and what was typed is still there.
    assert f'<ul class="errorlist" id="id_actual_end_errors"><li>{escape(form.errors["actual_end"][0])}</li>' in page
    assert 'value="{}"'.format("12,5" if language == "fr" else "12.5") in page
    assert escape("Arrivé par l'entrée B") in page
    request.refresh_from_db()
    assert request.status == RS.CONFIRMED
    assert not Completion.objects.exists()


def test_a_coordinator_cannot_correct_an_end_into_the_future_either(world):
    request = _started(world)
    services.record_completion(
        actor=world.near.user,
        request=request,
        actual_start=request.starts_at,
        actual_end=request.starts_at + timedelta(minutes=60),
        travel_km=0,
        waiting_minutes=0,
        expenses=0,
        notes="",
    )
    with pytest.raises(services.ActionError) as error:
        services.correct_completion(
            actor=world.coordinator,
            request=request,
            actual_start=request.starts_at,
            actual_end=timezone.now() + timedelta(minutes=1),
            travel_km=0,
            waiting_minutes=0,
            expenses=0,
            notes="",
        )
    assert list(error.value.error_dict) == ["actual_end"]
    assert Completion.objects.get().actual_end == request.starts_at + timedelta(minutes=60)


def test_an_end_up_to_now_is_recorded(world):
    request = _started(world)
    services.record_completion(
        actor=world.near.user,
        request=request,
        actual_start=request.starts_at,
        actual_end=timezone.now(),
        travel_km=0,
        waiting_minutes=0,
        expenses=0,
        notes="",
    )
    request.refresh_from_db()
    assert request.status == RS.COMPLETED


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_coordinator_reads_the_interpreters_notes_where_they_validate(world, language):
    request = _started(world)
    services.record_completion(
        actor=world.near.user,
        request=request,
        actual_start=request.starts_at,
        actual_end=request.starts_at + timedelta(minutes=95),
        travel_km=8,
        waiting_minutes=10,
        expenses=0,
        notes="Le rendez-vous a commencé 10 minutes en retard.\nStationnement payé.",
    )
    coordinator = _client(world.coordinator, world.coordinator_membership, language)
    page = coordinator.get(request.get_absolute_url()).content.decode()
    assert escape("Le rendez-vous a commencé 10 minutes en retard.") in page
    assert f"<dt>{_expected(gettext_lazy('Notes'), language)}</dt>" in page
    # The validate button is on the same page.
    assert reverse("interpreters:coordinator_action", args=[request.pk, "validate"]) in page
    # The interpreter reads what they wrote; the requester does not read the bank's notes.
    interpreter = _client(world.near.user, world.near_membership, language)
    assert escape("Stationnement payé.") in interpreter.get(request.get_absolute_url()).content.decode()
    requester = _client(world.requester, world.requester_membership, language)
    assert "Stationnement" not in requester.get(request.get_absolute_url()).content.decode()
