"""Issue 20: status icons are SVG beside their words, never emoji (a box without an emoji font)."""

import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from appointments.tests.conftest import book_person
from appointments.tests.helpers import client_for
from tests.helpers import search

pytestmark = pytest.mark.django_db
EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")


@pytest.fixture(autouse=True)
def _monday_morning():
    with time_machine.travel(datetime(2027, 2, 1, 10, 0, tzinfo=ZoneInfo("America/Moncton")), tick=False):
        yield


def _page(response):
    assert response.status_code == 200
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("language", ["fr", "en"])
def test_staff_pages_draw_their_icons_in_svg(world, language):
    open_slot = world.slot(day=1, start=9, end=10)
    locked = world.slot(day=2, start=9, end=10, locked=True)
    book_person(world, open_slot)
    client = client_for(world, "manager1")
    client.cookies["django_language"] = language
    pilot = client_for(world, "pilot")
    pilot.cookies["django_language"] = language
    pages = {
        "calendar": client.get(
            reverse("appointments:calendar"),
            {"date": "2027-02-02", "location": world.location_a.pk, "grid": 15, "view": "week"},
        ),
        "slot": client.get(reverse("appointments:slot", args=[locked.pk])),
        "follow_up": search(client, reverse("appointments:follow_up"), {"date": "2027-02-02"}),
        "accounts": pilot.get(reverse("appointments:resource_list")),
    }
    for name, response in pages.items():
        page = _page(response)
        assert not EMOJI.search(page.replace("✓", "").replace("✗", "")), name
    calendar = _page(pages["calendar"])
    assert 'class="icon icon--lock"' in calendar
    assert 'class="icon icon--unlock"' in calendar
    assert 'class="icon icon--lock"' in _page(pages["slot"])
    assert 'class="icon icon--eye"' in _page(pages["follow_up"])
    assert 'class="icon icon--key"' in _page(pages["accounts"])
    # Hidden from screen readers: the words beside them say it.
    assert re.search(r'<svg class="icon icon--lock"[^>]*aria-hidden="true"', calendar)
