"""The waiting room in front of public booking (issue 16): first come, first served at the rate the
pilot sets; people already booking keep going; staff never wait; Redis away → the database keeps
the line; nothing answers → people are let in; the line's length is a metrics gauge."""

import html
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from appointments.tests.conftest import book_person, open_online_booking
from portal import waiting_room
from portal.models import WaitingRoom
from portal.ops import metrics
from tests.helpers import verified_client

pytestmark = pytest.mark.django_db

LINE_TEMPLATE = "appointments/waiting_room.html"
LINE_TEXT = "You are in line: position %(position)s, about %(minutes)s minute."


@pytest.fixture(autouse=True)
def fresh_cache(settings, monkeypatch):
    # The setting is cached a few seconds, by organization id (ids come back between tests); a
    # Redis failure of another test pauses this process's use of Redis a few seconds.
    settings.REDIS_URL = ""
    monkeypatch.setattr(waiting_room, "_redis_paused_until", 0.0)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now().replace(microsecond=0), tick=False) as traveller:
        yield traveller


def _room(world, *, per_minute=1, is_on=True):
    return waiting_room.configure(organization=world.clinic, is_on=is_on, per_minute=per_minute)


def _search_url(world):
    return reverse("appointments:public_search", args=[world.clinic.pk])


def _visitor():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def _in_line(response):
    return LINE_TEMPLATE in [template.name for template in response.templates]


def _position(client, world):
    """None when the visitor is in (the booking page), else their position in line."""
    response = client.get(_search_url(world), headers={waiting_room.POLL_HEADER: "1"})
    assert response.status_code == 200
    data = response.json()
    return None if data["admitted"] else data["position"]


def test_it_lets_everyone_in_when_the_room_is_off(world):
    open_online_booking(world)
    _room(world, is_on=False)
    for _index in range(5):
        response = _visitor().get(_search_url(world))
        assert response.status_code == 200 and not _in_line(response)


def test_it_lets_everyone_in_when_there_is_no_setting(world):
    open_online_booking(world)
    response = _visitor().get(_search_url(world))
    assert response.status_code == 200 and not _in_line(response)


def test_it_admits_by_order_of_arrival_at_a_low_rate_and_loses_nobody(world, clock):
    open_online_booking(world)
    _room(world, per_minute=1)
    visitors = [_visitor() for _index in range(5)]
    first = visitors[0].get(_search_url(world))
    assert not _in_line(first)
    for place, visitor in enumerate(visitors[1:], start=1):
        response = visitor.get(_search_url(world))
        assert _in_line(response), place
        assert f"You are in line: position {place}, about {place} minute" in response.content.decode()
        assert response["Cache-Control"] == "no-store"
    assert waiting_room.length(world.clinic.pk) == 4

    admitted = [0]
    for minute in range(1, 5):
        clock.shift(timedelta(minutes=1))
        # The last ones ask first: asking early gives no place.
        positions = {index: _position(visitors[index], world) for index in reversed(range(1, 5))}
        newly = [index for index, position in positions.items() if position is None and index not in admitted]
        assert newly == [minute], positions
        admitted += newly
        for index, position in positions.items():
            if index > minute:
                assert position == index - minute
        assert waiting_room.length(world.clinic.pk) == 4 - minute
    assert admitted == [0, 1, 2, 3, 4]
    for visitor in visitors:
        assert not _in_line(visitor.get(_search_url(world)))


def test_a_newcomer_waits_behind_the_people_already_in_line(world, clock):
    open_online_booking(world)
    _room(world, per_minute=2)
    first, second, third, late = (_visitor() for _index in range(4))
    assert not _in_line(first.get(_search_url(world)))
    assert _in_line(second.get(_search_url(world)))
    assert _in_line(third.get(_search_url(world)))
    clock.shift(timedelta(seconds=20))
    assert _position(late, world) == 3
    clock.shift(timedelta(seconds=10))  # 30 s at 2 a minute: the next one
    assert [_position(client, world) for client in (second, third, late)] == [None, 1, 2]


def test_the_line_page_refreshes_by_itself_without_javascript_and_keeps_the_address(world):
    open_online_booking(world)
    _room(world, per_minute=1)
    _visitor().get(_search_url(world))
    response = _visitor().get(_search_url(world) + "?service=1")
    body = response.content.decode()
    assert '<meta http-equiv="refresh" content="' in body
    assert f"url={_search_url(world)}?service=1" in body
    assert 'role="status"' in body and 'aria-live="polite"' in body
    assert response["Retry-After"]


def test_the_line_page_is_in_french(world):
    open_online_booking(world)
    _room(world, per_minute=1)
    _visitor().get(_search_url(world))
    response = Client(HTTP_ACCEPT_LANGUAGE="fr").get(_search_url(world))
    assert "Vous êtes dans la file d'attente : position 1, environ 1 minute." in html.unescape(
        response.content.decode()
    )


def test_people_already_booking_keep_going_while_a_line_forms(world, clock):
    open_online_booking(world)
    slot = world.slot(per_interval=4)
    _room(world, per_minute=1)
    booker = _visitor()
    assert not _in_line(booker.get(_search_url(world)))
    for _index in range(10):
        _visitor().get(_search_url(world))
    # Steps 15 minutes apart for an hour: each renews the admission.
    for _step in range(4):
        clock.shift(timedelta(minutes=15))
        assert not _in_line(booker.get(_search_url(world)))
    # A form sent 40 minutes after the last step (a slow typist) still goes through.
    clock.shift(timedelta(minutes=40))
    url = reverse("appointments:public_times", args=[world.clinic.pk, world.first.pk, slot.location.pk])
    assert not _in_line(booker.post(url, {"time": "nonsense"}))


def test_an_admission_left_idle_lapses_and_the_next_visit_waits_in_line(world, clock):
    open_online_booking(world)
    _room(world, per_minute=1)
    idle = _visitor()
    assert not _in_line(idle.get(_search_url(world)))
    clock.shift(timedelta(minutes=21))
    _visitor().get(_search_url(world))  # in (a minute's credit), the line is full again
    assert _in_line(idle.get(_search_url(world)))


def test_staff_signed_in_never_wait(world):
    open_online_booking(world)
    _room(world, per_minute=1)
    _visitor().get(_search_url(world))
    staff = verified_client(world.manager1, membership=world.memberships["manager1"])
    assert not _in_line(staff.get(_search_url(world)))
    assert waiting_room.length(world.clinic.pk) == 0  # staff took no ticket


def test_a_ticket_is_for_one_clinic_and_cannot_be_forged(world):
    open_online_booking(world)
    _room(world, per_minute=1)
    _visitor().get(_search_url(world))
    forged = _visitor()
    forged.cookies[waiting_room.cookie_name(world.clinic.pk)] = "eyJvIjoxLCJyIjo5OTk5OTk5OTk5fQ:bad:sig"
    assert _in_line(forged.get(_search_url(world)))


def test_the_public_page_confirmation_and_cancellation_are_not_behind_the_line(world):
    open_online_booking(world)
    _room(world, per_minute=1)
    _visitor().get(_search_url(world))
    visitor = _visitor()
    for name in ("public_page", "public_cancel"):
        response = visitor.get(reverse(f"appointments:{name}", args=[world.clinic.pk]))
        assert response.status_code == 200 and not _in_line(response)


def test_redis_away_the_database_keeps_the_line_in_order(world, settings, clock):
    open_online_booking(world)
    _room(world, per_minute=1)
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens there
    first, second, third = (_visitor() for _index in range(3))
    assert not _in_line(first.get(_search_url(world)))
    assert [_position(second, world), _position(third, world)] == [1, 2]
    clock.shift(timedelta(minutes=1))
    assert [_position(second, world), _position(third, world)] == [None, 1]
    assert WaitingRoom.objects.get(organization=world.clinic).issued == 3


def test_nothing_keeps_the_line_and_people_are_let_in(world, settings, monkeypatch):
    open_online_booking(world)
    _room(world, per_minute=1)
    settings.REDIS_URL = "redis://127.0.0.1:9/0"

    def database_down(*args, **kwargs):
        raise waiting_room.Unavailable("database away")

    monkeypatch.setattr(waiting_room, "_database_line", database_down)
    for _index in range(3):
        assert not _in_line(_visitor().get(_search_url(world)))


def test_redis_keeps_the_line_in_order(world, settings, clock, tmp_path):
    from tests.live import RedisServer

    server = RedisServer(tmp_path / "redis").start()
    try:
        settings.REDIS_URL = server.url
        open_online_booking(world)
        _room(world, per_minute=1)
        first, second, third = (_visitor() for _index in range(3))
        assert not _in_line(first.get(_search_url(world)))
        assert [_position(second, world), _position(third, world)] == [1, 2]
        assert WaitingRoom.objects.get(organization=world.clinic).issued == 0  # Redis holds it
        clock.shift(timedelta(minutes=1))
        assert [_position(third, world), _position(second, world)] == [1, None]
        assert waiting_room.length(world.clinic.pk) == 1
        # Redis stops: a ticket of its line is let in (it waited), newcomers line up in the database.
        server.stop()
        assert _position(third, world) is None
        fourth, fifth = _visitor(), _visitor()
        assert _position(fourth, world) is None  # the database's line starts with a minute's credit
        assert _position(fifth, world) == 1
    finally:
        server.stop()


def test_the_metrics_gauge_shows_the_length_of_the_line(world):
    open_online_booking(world)
    _room(world, per_minute=1)
    for _index in range(4):
        _visitor().get(_search_url(world))
    text = metrics.render().decode()
    assert "liaison_waiting_room_length 3.0" in text


def test_the_pilot_sets_the_rate_and_sees_the_length(world):
    open_online_booking(world)
    pilot = verified_client(world.pilot, membership=world.memberships["pilot"])
    url = reverse("appointments:waiting_room_settings")
    response = pilot.post(url, {"is_on": "on", "per_minute": "1"})
    assert response.status_code == 302
    room = WaitingRoom.objects.get(organization=world.clinic)
    assert (room.is_on, room.per_minute) == (True, 1)
    for _index in range(3):
        _visitor().get(_search_url(world))
    page = pilot.get(url).content.decode()
    assert "2 people in line now." in page
    response = pilot.post(url, {"per_minute": "0"})
    assert response.status_code == 200 and "per_minute" in response.context["form"].errors
    pilot.post(url, {"per_minute": "60"})
    assert not _in_line(_visitor().get(_search_url(world)))  # off: straight in


def test_a_higher_rate_moves_the_line_faster_from_now_on(world, clock):
    open_online_booking(world)
    _room(world, per_minute=1)
    visitors = [_visitor() for _index in range(6)]
    for visitor in visitors:
        visitor.get(_search_url(world))
    assert waiting_room.length(world.clinic.pk) == 5
    _room(world, per_minute=60)
    clock.shift(timedelta(seconds=3))
    assert [_position(visitor, world) for visitor in visitors[1:]] == [None, None, None, 1, 2]


def test_consultation_cannot_open_the_waiting_room_settings(world):
    consult = verified_client(world.consult1, membership=world.memberships["consult1"])
    assert consult.get(reverse("appointments:waiting_room_settings")).status_code == 403


def test_a_booking_goes_through_for_an_admitted_visitor(world):
    """The whole public path still books behind the decorator (the line is off here: the rate is high)."""
    open_online_booking(world)
    _room(world, per_minute=1000)
    slot = world.slot(per_interval=2)
    book_person(world, slot)  # one place taken, one left
    visitor = _visitor()
    response = visitor.get(
        reverse("appointments:public_times", args=[world.clinic.pk, world.first.pk, slot.location.pk])
    )
    assert response.status_code == 200 and not _in_line(response)


def test_after_redis_failed_newcomers_go_straight_to_the_database_for_a_few_seconds(
    world, settings, monkeypatch
):
    import redis

    open_online_booking(world)
    _room(world, per_minute=1)
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    calls = []

    def hanging(*args, **kwargs):
        calls.append(1)
        raise redis.TimeoutError("Timeout reading from socket")

    monkeypatch.setattr(waiting_room, "_redis_line", hanging)
    for _index in range(4):
        _visitor().get(_search_url(world))
    assert len(calls) == 1  # the others did not wait for Redis's timeout
    assert WaitingRoom.objects.get(organization=world.clinic).issued == 4
