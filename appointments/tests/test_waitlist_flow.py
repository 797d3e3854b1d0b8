"""Issue 14: the waitlist pages read an entry's status from WAITLIST_FLOW (the `reached` and `allows`
filters of portal_workflow), never by comparing statuses in a template."""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from appointments.models import WAITLIST_ACTIVE, WaitlistEntry, WaitlistStatus
from appointments.tests.helpers import client_for
from appointments.waitlist import services
from appointments.waitlist.services import WAITLIST_FLOW
from portal import workflow

W = WaitlistStatus
NOW = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)


def test_the_declaration_says_where_each_status_stands():
    for status in W.values:
        entry = WaitlistEntry(status=status)
        assert WAITLIST_FLOW.allows(entry, "leave") == (status in WAITLIST_ACTIVE)
        assert WAITLIST_FLOW.reached(entry, "leave") == (status == W.LEFT)
        assert WAITLIST_FLOW.reached(entry, "offer") == (status == W.OFFERED)
        assert WAITLIST_FLOW.reached(entry, "book") == (status == W.BOOKED)
        assert WAITLIST_FLOW.reached(entry, "expire") == (status == W.EXPIRED)
        # Registered for the filters; no buttons (the person acts by signed links, the system by offers).
        assert workflow.workflow_for(entry) is WAITLIST_FLOW
        assert WAITLIST_FLOW.actions_for(entry, None) == []
    assert not workflow.allows(WaitlistEntry(status=W.WAITING), "no-such-transition")


def test_the_allows_filter_reads_the_declaration():
    template = Template('{% load portal_workflow %}{% if record|allows:"leave" %}yes{% else %}no{% endif %}')
    assert template.render(Context({"record": WaitlistEntry(status=W.OFFERED)})) == "yes"
    assert template.render(Context({"record": WaitlistEntry(status=W.BOOKED)})) == "no"
    assert template.render(Context({"record": None})) == "no"  # no record, no workflow: no error


def _entry(world, status, **fields):
    entry, _ = services.sign_up(service=world.first, email=f"{status}@example.com", area="E1C")
    WaitlistEntry.objects.filter(pk=entry.pk).update(status=status, **fields)
    return entry


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize(
    ("status", "form", "notice"),
    [
        (W.WAITING, True, None),
        (W.OFFERED, True, None),
        (W.LEFT, False, "success"),
        (W.BOOKED, False, "warning"),
        (W.EXPIRED, False, "warning"),
    ],
)
def test_the_leave_page_offers_leaving_while_the_status_allows_it(world, status, form, notice, language):
    entry = _entry(world, status)
    url = reverse("appointments:public_waitlist_leave", args=[world.clinic.pk, services.leave_token(entry)])

    response = Client(HTTP_ACCEPT_LANGUAGE=language).get(url)

    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    main = page[page.index("<main") :]
    assert (f'action="{url}"' in main) == form
    with translation.override(language):
        gone = gettext("You are no longer on the waitlist.")
    assert (gone in main) == (notice is not None)
    if notice is not None:
        assert f'class="notice notice--{notice}"' in main


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_staff_list_says_until_when_an_entry_is_offered(world):
    _entry(world, W.OFFERED, offer_expires_at=NOW + timedelta(hours=2))
    _entry(world, W.BOOKED, offer_expires_at=NOW + timedelta(hours=2))  # kept by mistake: not "offered"

    response = client_for(world, "pilot").get(reverse("appointments:waitlist"), {"service": world.first.pk})

    text = html.unescape(response.content.decode())
    cells = re.findall(r"<td>((?:Offered|Booked)[^<]*)</td>", text)
    assert cells == ["Offered until 3 Dec. 2026, 12:00", "Booked"]
