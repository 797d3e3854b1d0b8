"""Ended periods (issue 18): summaries past their end date expire (a scheduled job through the
workflow, with history), no longer count as active, have their dashboard blocks, and an offer
whose period is over is accepted only after a confirmation."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders import exports, selectors
from orders.confirmations import services as confirmation_services
from orders.models import SummaryStatus
from orders.offers import services as offer_services
from orders.summaries import services as summary_services
from orders.tasks import expire_ended_summaries
from portal.workflow import ActionError
from tests.helpers import verified_client

S = SummaryStatus
MONCTON = ZoneInfo("America/Moncton")
# The last day of a summary's period, at 23:59, then the first minute of the next day.
NOVEMBER_30_LATE = datetime(2026, 11, 30, 23, 59, tzinfo=MONCTON)
DECEMBER_1_EARLY = datetime(2026, 12, 1, 0, 1, tzinfo=MONCTON)


@pytest.fixture
def frozen():
    with time_machine.travel(datetime(2026, 11, 16, 10, 0, tzinfo=MONCTON), tick=False) as traveller:
        yield traveller


def _ending(world, make, end=date(2026, 11, 30), **kwargs):
    return make(start_date=date(2026, 9, 1), end_date=end, order=_order(date(2026, 9, 1)), **kwargs)


def _order(effective):
    from decimal import Decimal

    return dict(
        effective_date=effective,
        per="week",
        base_units=Decimal(35),
        base_rate=Decimal("30.09"),
        km_units=Decimal(0),
        other_monthly_cost=Decimal(0),
        client_contribution=Decimal(0),
    )


def test_it_expires_an_active_summary_the_day_after_its_end_date_with_a_history_row(world, frozen):
    activated = _ending(world, world.activated)
    pending = summary_services.set_pending(actor=world.worker, summary=_ending(world, world.activated))
    offered = _ending(world, world.offered)
    terminated = summary_services.terminate_summary(actor=world.worker, summary=_ending(world, world.activated))
    frozen.move_to(NOVEMBER_30_LATE)
    assert summary_services.expire_ended_summaries() == 0  # the last day still belongs to the period
    frozen.move_to(DECEMBER_1_EARLY)
    assert summary_services.expire_ended_summaries() == 2
    for summary in (activated, pending):
        summary.refresh_from_db()
        assert summary.status == S.EXPIRED
        assert set(summary.orders.values_list("status", flat=True)) == {S.EXPIRED}
        event = summary.events.first()
        assert (event.action, event.from_status, event.to_status, event.actor) == (
            "expired",
            S.ACTIVATED if summary == activated else S.PENDING,
            S.EXPIRED,
            None,
        )
    # An offer is not active: it waits for an answer. A terminated one stays terminated.
    offered.refresh_from_db()
    terminated.refresh_from_db()
    assert (offered.status, terminated.status) == (S.OFFERED, S.TERMINATED)
    # Running it again changes nothing (the job runs every hour).
    assert summary_services.expire_ended_summaries() == 0
    assert activated.events.filter(action="expired").count() == 1


def test_expiring_a_summary_still_in_its_period_is_refused(world, frozen):
    summary = _ending(world, world.activated)
    with pytest.raises(ActionError, match="not over yet|pas terminée"):
        summary_services.expire_summary(summary=summary)
    summary.refresh_from_db()
    assert summary.status == S.ACTIVATED


def test_the_hourly_beat_job_runs_the_service(world, frozen):
    entry = settings.CELERY_BEAT_SCHEDULE["orders-expire-ended-summaries"]
    assert entry["task"] == "orders.tasks.expire_ended_summaries"
    assert entry["schedule"] <= 3600
    summary = _ending(world, world.activated)
    frozen.move_to(DECEMBER_1_EARLY)
    assert expire_ended_summaries.delay().get() == 1
    summary.refresh_from_db()
    assert summary.status == S.EXPIRED


def test_an_expired_summary_is_in_the_providers_terminated_tab_and_still_billable(world, frozen):
    summary = _ending(world, world.activated)
    frozen.move_to(DECEMBER_1_EARLY)
    summary_services.expire_ended_summaries()
    assert list(selectors.requests_tab(world.coordinator, "terminated")) == [summary]
    assert not selectors.requests_tab(world.coordinator, "active").exists()
    from decimal import Decimal

    order = summary.orders.get()
    confirmation = confirmation_services.confirm_month(
        actor=world.coordinator,
        order=order,
        month=date(2026, 11, 1),
        units_delivered=Decimal(40),
        km_delivered=Decimal(0),
    )
    assert confirmation.month == date(2026, 11, 1)
    with pytest.raises(ActionError):
        confirmation_services.confirm_month(
            actor=world.coordinator,
            order=order,
            month=date(2026, 12, 1),
            units_delivered=Decimal(40),
            km_delivered=Decimal(0),
        )
    client = verified_client(world.coordinator, membership=world.coordinator_membership)
    page = client.get(reverse("orders:order", args=[order.pk])).content.decode()
    assert "expired on" in page


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_dashboard_has_all_requests_and_expired_requests_and_expired_ones_are_not_active(
    world, frozen, language
):
    ended = _ending(world, world.activated, client_name="Ended Client")
    world.activated(client_name="Running Client")
    world.offered(client_name="Offered Client")
    frozen.move_to(DECEMBER_1_EARLY)
    # Before the job has run, a summary past its end date already no longer counts as active.
    figures = selectors.dashboard_figures(world.coordinator)
    assert (figures["all"], figures["activated"], figures["expired"]) == (3, 1, 1)
    summary_services.expire_ended_summaries()
    figures = selectors.dashboard_figures(world.coordinator)
    assert (figures["all"], figures["activated"], figures["expired"]) == (3, 1, 1)
    assert [row.pk for row in selectors.dashboard_rows(world.coordinator, "expired")] == [ended.pk]
    activated = selectors.dashboard_rows(world.coordinator, "activated")
    assert ended.pk not in activated.values_list("pk", flat=True)
    # The exports list the same rows as the page.
    _headers, rows = exports.dashboard_block(user=world.finance, params={"block": "activated"})
    text = str(list(rows))
    assert "Running Client" in text and "Ended Client" not in text

    world.both.preferred_language = language
    world.both.save(update_fields=["preferred_language"])
    client = verified_client(world.both, membership=world.both_membership)
    page = client.get(reverse("orders:dashboard")).content.decode()
    for block in ("all", "expired"):
        assert f'id="block-{block}"' in page
        assert reverse("orders:dashboard_report", args=[block]) in page
    report = client.get(reverse("orders:dashboard_report", args=["expired"])).content.decode()
    assert "Ended Client" in report and "Running Client" not in report
    report = client.get(reverse("orders:dashboard_report", args=["all"])).content.decode()
    assert all(name in report for name in ("Ended Client", "Running Client", "Offered Client"))


def test_the_dashboard_counts_in_the_same_queries_for_one_summary_or_many(world, frozen):
    _ending(world, world.activated)

    def count():
        with CaptureQueriesContext(connection) as queries:
            selectors.dashboard_figures(world.coordinator)
        return len(queries)

    count()  # the active organization, read once then remembered
    one = count()
    for _ in range(5):
        _ending(world, world.activated)
        world.offered()
    assert count() == one


def _respond(client, summary, **data):
    return client.post(
        reverse("orders:respond", args=[summary.pk]), {"decision": "accept", "step": "confirm", **data}
    )


@pytest.mark.parametrize("language", ["en", "fr"])
def test_accepting_an_offer_whose_period_is_over_asks_for_confirmation_first(world, frozen, language):
    summary = _ending(world, world.offered, end=date(2026, 11, 10))
    world.coordinator.preferred_language = language
    world.coordinator.save(update_fields=["preferred_language"])
    client = verified_client(world.coordinator, membership=world.coordinator_membership)
    # The confirmation page says so and has the box to tick.
    page = client.post(reverse("orders:respond", args=[summary.pk]), {"decision": "accept"}).content.decode()
    assert 'id="period-over-notice"' in page and 'name="period_over"' in page
    # Not ticked: refused next to the box, the message kept, nothing changed.
    response = _respond(client, summary, message="We can start Monday")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_period_over_errors"' in page and "We can start Monday" in page
    summary.refresh_from_db()
    assert summary.status == S.OFFERED
    # Ticked: accepted.
    response = _respond(client, summary, message="We can start Monday", period_over="on")
    assert response.status_code == 302
    summary.refresh_from_db()
    assert summary.status == S.ACTIVATED


def test_an_offer_still_in_its_period_is_accepted_without_the_extra_box(world, frozen):
    summary = world.offered()
    client = verified_client(world.coordinator, membership=world.coordinator_membership)
    page = client.post(reverse("orders:respond", args=[summary.pk]), {"decision": "accept"}).content.decode()
    assert 'name="period_over"' not in page
    assert _respond(client, summary).status_code == 302


def test_the_service_refuses_an_ended_offer_unless_confirmed(world, frozen):
    summary = _ending(world, world.offered, end=date(2026, 11, 10))
    with pytest.raises(ActionError) as refused:
        offer_services.accept_summary(actor=world.coordinator, summary=summary)
    assert "period_over" in refused.value.error_dict
    summary.refresh_from_db()
    assert summary.status == S.OFFERED and not summary.events.filter(action="accepted").exists()
    offer_services.accept_summary(actor=world.coordinator, summary=summary, period_over_confirmed=True)
    summary.refresh_from_db()
    assert summary.status == S.ACTIVATED


@pytest.mark.parametrize(("language", "who"), [("fr", "Liaison (automatique)"), ("en", "Liaison (automatic)")])
def test_the_history_names_liaison_for_an_expiry_nobody_did(world, frozen, language, who):
    summary = _ending(world, world.activated)
    frozen.move_to(DECEMBER_1_EARLY)
    summary_services.expire_ended_summaries()
    client = verified_client(world.worker, membership=world.worker_membership)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(reverse("orders:summary", args=[summary.pk])).content.decode()
    assert f"— {who} —" in page
