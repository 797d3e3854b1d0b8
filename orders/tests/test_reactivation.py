"""Activated again after an adjustment: the provider is emailed and sees what changed."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from orders.summaries import services as summary_services
from tests.helpers import verified_client

MONCTON = ZoneInfo("America/Moncton")


def _at(day, hour=10):
    return datetime(2026, 11, day, hour, 0, tzinfo=MONCTON)


@pytest.fixture
def clock():
    with time_machine.travel(_at(2), tick=False) as traveller:
        yield traveller


def _amendment(**changes):
    data = dict(
        effective_date=date(2026, 12, 1),
        per="week",
        base_units=Decimal(40),
        base_rate=Decimal("31.50"),
        km_units=Decimal(900),
        other_monthly_cost=Decimal(0),
        client_contribution=Decimal(0),
    )
    data.update(changes)
    return data


def _signed_in(world, who):
    return verified_client(getattr(world, who), membership=getattr(world, f"{who}_membership"))


def _adjust(world, summary, **changes):
    summary = summary_services.set_pending(actor=world.worker, summary=summary)
    order = summary_services.amend_summary(actor=world.worker, summary=summary, order=_amendment(**changes))
    return summary_services.reactivate_summary(actor=world.worker, summary=summary), order


def test_activating_again_emails_care_coordination_in_their_language(
    world, clock, mailoutbox, django_capture_on_commit_callbacks
):
    summary = world.activated()
    world.both.preferred_language = "fr"
    world.both.save(update_fields=["preferred_language"])
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        summary, _order = _adjust(world, summary)
    assert sorted(address for message in mailoutbox for address in message.to) == sorted(
        [world.coordinator.email, world.both.email]
    )
    english = next(m for m in mailoutbox if m.to == [world.coordinator.email])
    assert english.subject == f"Liaison: service order {summary.number} activated again"
    assert "changed and activated again" in english.body
    assert f"/orders/summaries/{summary.pk}/" in english.body
    french = next(m for m in mailoutbox if m.to == [world.both.email])
    with translation.override("fr"):
        assert translation.gettext("Order summary number:") in french.body
    for message in mailoutbox:
        # No personal details in the subject (nor anywhere in the message).
        assert "Rachyl" not in message.subject and "Rachyl" not in message.body


def test_setting_pending_and_amending_send_nothing_to_the_provider(
    world, clock, mailoutbox, django_capture_on_commit_callbacks
):
    summary = world.activated()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        summary = summary_services.set_pending(actor=world.worker, summary=summary)
        summary_services.amend_summary(actor=world.worker, summary=summary, order=_amendment())
    assert mailoutbox == []


def test_the_summary_shows_what_changed_since_the_providers_last_visit(world, clock):
    summary = world.activated()
    first = summary.orders.get()
    both = verified_client(world.both, membership=world.both_membership)
    url = reverse("orders:summary", args=[summary.pk])
    assert 'id="changes"' not in both.get(url).content.decode()
    clock.move_to(_at(9))
    summary, added = _adjust(world, summary, base_units=Decimal(40), base_rate=Decimal("31.50"))
    clock.move_to(_at(10))
    both = _signed_in(world, "both")  # a week later: a new session
    page = both.get(url).content.decode()
    panel = page[page.index('id="changes"') : page.index("</section>", page.index('id="changes"'))]
    assert "What changed since your last visit" in panel
    assert f"New order {added.number}, in effect from 1 December 2026" in panel
    assert "35.00 (Week)" in panel and "40.00 (Week)" in panel  # base units, before → now
    assert str(first.base_rate) in panel and "31.50" in panel  # the rate, for finance
    assert "1163.00" in panel and "900.00" in panel  # kilometres
    # Seen: the next visit shows nothing new.
    clock.move_to(_at(11))
    assert 'id="changes"' not in _signed_in(world, "both").get(url).content.decode()


def test_care_coordination_sees_the_change_without_the_rate(world, clock):
    summary = world.activated()
    coordinator = verified_client(world.coordinator, membership=world.coordinator_membership)
    url = reverse("orders:summary", args=[summary.pk])
    coordinator.get(url)
    clock.move_to(_at(9))
    _adjust(world, summary, base_rate=Decimal("31.50"))
    page = _signed_in(world, "coordinator").get(url).content.decode()
    assert 'id="changes"' in page
    panel = page[page.index('id="changes"') :]
    assert "Base rate" not in panel[: panel.index("</section>")]


def test_a_person_who_never_opened_the_summary_sees_the_last_adjustment(world, clock):
    summary = world.activated()
    clock.move_to(_at(9))
    summary, added = _adjust(world, summary)
    finance = verified_client(world.finance, membership=world.finance_membership)
    page = finance.get(reverse("orders:summary", args=[summary.pk])).content.decode()
    assert f"New order {added.number}" in page


def test_nothing_is_shown_while_the_worker_is_still_adjusting(world, clock):
    summary = world.activated()
    both = verified_client(world.both, membership=world.both_membership)
    url = reverse("orders:summary", args=[summary.pk])
    both.get(url)
    clock.move_to(_at(9))
    summary = summary_services.set_pending(actor=world.worker, summary=summary)
    summary_services.amend_summary(actor=world.worker, summary=summary, order=_amendment())
    assert 'id="changes"' not in _signed_in(world, "both").get(url).content.decode()


def test_the_department_never_sees_the_providers_panel(world, clock):
    summary = world.activated()
    _adjust(world, summary)
    worker = verified_client(world.worker, membership=world.worker_membership)
    assert 'id="changes"' not in worker.get(reverse("orders:summary", args=[summary.pk])).content.decode()
