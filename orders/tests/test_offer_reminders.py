"""Offers awaiting an answer (issue 18, beyond the guide): the provider's home page lists them with
their age in working days and counts them; an offer unanswered for 3 working days (configurable)
sends one reminder email, in each person's language, with no personal detail in its subject."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from orders.offers import services as offer_services
from orders.tasks import remind_unanswered_offers
from portal.models import Message
from tests.helpers import verified_client

MONCTON = ZoneInfo("America/Moncton")
FRIDAY = datetime(2026, 11, 27, 10, 0, tzinfo=MONCTON)
MONDAY = datetime(2026, 11, 30, 10, 0, tzinfo=MONCTON)
TUESDAY = datetime(2026, 12, 1, 10, 0, tzinfo=MONCTON)
WEDNESDAY = datetime(2026, 12, 2, 10, 0, tzinfo=MONCTON)


@pytest.fixture
def clock():
    with time_machine.travel(FRIDAY, tick=False) as traveller:
        yield traveller


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2026, 11, 27), date(2026, 11, 27), 0),  # the day it was sent
        (date(2026, 11, 27), date(2026, 11, 29), 0),  # Friday → Sunday
        (date(2026, 11, 27), date(2026, 11, 30), 1),  # → Monday
        (date(2026, 11, 27), date(2026, 12, 2), 3),  # → Wednesday, across the month's end
        (date(2026, 10, 29), date(2026, 11, 3), 3),  # Thursday 29 October → Tuesday 3 November
        (date(2026, 12, 31), date(2027, 1, 5), 3),  # across the year's end
    ],
)
def test_working_days_count_monday_to_friday(start, end, days):
    assert offer_services.working_days_between(start, end) == days


def test_an_offer_unanswered_for_3_working_days_sends_one_reminder_in_each_language(
    world, clock, mailoutbox, django_capture_on_commit_callbacks
):
    world.both.preferred_language = "fr"
    world.both.save(update_fields=["preferred_language"])
    summary = world.offered()  # Friday
    answered = world.activated()  # accepted: no reminder
    mailoutbox.clear()
    for moment in (MONDAY, TUESDAY):
        clock.move_to(moment)
        with django_capture_on_commit_callbacks(execute=True):
            assert remind_unanswered_offers() == 0
    assert mailoutbox == []
    clock.move_to(WEDNESDAY)
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_unanswered_offers() == 2
    assert sorted(address for message in mailoutbox for address in message.to) == sorted(
        [world.coordinator.email, world.both.email]
    )
    english = next(m for m in mailoutbox if m.to == [world.coordinator.email])
    assert english.subject == f"Liaison: service order {summary.number} awaits your answer"
    assert "waiting for your answer for 3 working days" in english.body
    assert f"/orders/summaries/{summary.pk}/" in english.body
    french = next(m for m in mailoutbox if m.to == [world.both.email])
    with translation.override("fr"):
        assert translation.gettext("Order summary number:") in french.body
    for message in mailoutbox:
        assert summary.number in message.subject
        assert "Rachyl" not in message.subject and "Rachyl" not in message.body
        assert answered.number not in message.body
    # Idempotent: the next hourly runs, and the next days, send nothing more.
    mailoutbox.clear()
    clock.move_to(datetime(2026, 12, 3, 10, 0, tzinfo=MONCTON))
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_unanswered_offers() == 0
        assert remind_unanswered_offers() == 0
    assert mailoutbox == []
    assert Message.objects.filter(key__startswith=f"orders:offer-reminder:{summary.pk}:").count() == 2


def test_the_number_of_working_days_is_a_setting(world, clock, settings, django_capture_on_commit_callbacks):
    settings.ORDERS_OFFER_REMINDER_WORKING_DAYS = 1
    world.offered()
    clock.move_to(MONDAY)
    with django_capture_on_commit_callbacks(execute=True):
        assert offer_services.remind_unanswered_offers() == 2


def _home(world, who, language):
    user = getattr(world, who)
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    client = verified_client(user, membership=getattr(world, f"{who}_membership"))
    return client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE=language)


AGE = {
    # The French comes from the catalogue once the coordinator fills it.
    "fr": ("il y a 3 jours ouvrables", "3 working days ago"),
    "en": ("3 working days ago",),
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_provider_home_page_lists_the_offers_awaiting_an_answer_with_their_age(world, clock, language):
    old = world.offered()  # Friday
    clock.move_to(TUESDAY)
    recent = world.offered(client_name="Anita Plourde")
    clock.move_to(WEDNESDAY)
    response = _home(world, "coordinator", language)
    page = response.content.decode()
    assert response.status_code == 200
    assert old.number in page and recent.number in page
    assert page.index(old.number) < page.index(recent.number)  # the oldest first
    assert any(text in page for text in AGE[language])
    if language == "en":
        assert "1 working day ago" in page
        assert "2</span><p>offers awaiting an answer" in page
        assert "1</span><p>unanswered for 3 working days or more" in page


def test_the_box_is_for_those_who_answer_offers_only(world, clock):
    world.offered()
    assert "orders-awaiting-heading" not in _home(world, "finance", "en").content.decode()
    assert "orders-awaiting-heading" not in _home(world, "worker", "en").content.decode()
    assert "orders-awaiting-heading" in _home(world, "coordinator", "en").content.decode()


def test_the_box_costs_the_same_queries_for_1_and_12_offers(world, clock):
    world.offered()
    client = verified_client(world.coordinator, membership=world.coordinator_membership)
    client.get(reverse("portal:home"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("portal:home"))
    for _ in range(11):
        world.offered()
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("portal:home")).content.decode()
    assert len(few) == len(many)
    assert "12</span><p>offers awaiting an answer" in page
    assert "All offers awaiting an answer" in page


def test_beat_runs_the_reminder_every_hour(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["orders-remind-unanswered-offers"]
    assert entry["task"] == "orders.tasks.remind_unanswered_offers"
    assert entry["schedule"] == 3600.0
    from celery import current_app

    import orders.tasks  # noqa: F401 (registers the task)

    assert "orders.tasks.remind_unanswered_offers" in current_app.tasks
