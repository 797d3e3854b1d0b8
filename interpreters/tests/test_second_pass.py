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


# 2. Home pages: a waiting offer is the interpreter's task; no case-management columns ----------


def _home(client):
    return client.get(reverse("portal:home")).content.decode()


def _offer_title(request, language):
    return _expected(gettext_lazy("Answer the offer of request %(number)s"), language) % {
        "number": request.number
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_waiting_offer_is_a_task_on_the_interpreters_home_page_until_answered(world, language):
    offered = services.assign_interpreter(actor=world.coordinator, request=world.request(), interpreter=world.near)
    client = _client(world.near.user, world.near_membership, language)
    page = _home(client)
    assert escape(_offer_title(offered, language)) in page
    assert _expected(gettext_lazy("No task is due."), language) not in page
    assert f'href="{offered.get_absolute_url()}"' in page
    task = world.near.user.tasks.get()
    # Due the day before the service (three days ahead here).
    assert task.due_date == offered.date - timedelta(days=1)
    services.accept_offer(actor=world.near.user, request=offered)
    page = _home(client)
    assert escape(_offer_title(offered, language)) not in page
    assert _expected(gettext_lazy("No task is due."), language) in page


def test_an_offer_declined_taken_back_or_cancelled_leaves_no_open_task(world):
    declined = services.assign_interpreter(actor=world.coordinator, request=world.request(), interpreter=world.near)
    services.decline_offer(actor=world.near.user, request=declined, reason="Away")
    moved = services.assign_interpreter(
        actor=world.coordinator, request=world.request(start_time=timezone.datetime(2000, 1, 1, 14, 0).time()),
        interpreter=world.near,
    )
    services.assign_interpreter(actor=world.coordinator, request=moved, interpreter=world.far)
    cancelled = services.assign_interpreter(
        actor=world.coordinator, request=world.request(start_time=timezone.datetime(2000, 1, 1, 17, 0).time()),
        interpreter=world.near,
    )
    services.cancel_request(actor=world.requester, request=cancelled, reason="Rendez-vous déplacé")
    assert not world.near.user.tasks.filter(done_at__isnull=True).exists()
    assert world.near.user.tasks.filter(done_at__isnull=False).count() == 3
    # The request given to the other interpreter is now their task.
    (task,) = world.far.user.tasks.filter(done_at__isnull=True)
    assert task.link == moved.get_absolute_url()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_coordinators_home_lists_request_notices_without_case_management_columns(world, language):
    offered = services.assign_interpreter(actor=world.coordinator, request=world.request(), interpreter=world.near)
    services.accept_offer(actor=world.near.user, request=offered)
    page = _home(_client(world.coordinator, world.coordinator_membership, language))
    title = _expected(gettext_lazy("Request %(number)s was accepted: confirm it"), language) % {
        "number": offered.number
    }
    assert escape(title) in page
    assert "worklist-table" not in page
    for column in ("Program", "Person", "Record no."):
        assert f">{_expected(gettext_lazy(column), language)}</th>" not in page
