"""Monthly service confirmations: when the order page offers them, and why not when it does not."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from orders.confirmations import services as confirmation_services
from orders.models import SummaryStatus
from orders.summaries import services as summary_services
from portal.workflow import ActionError
from tests.helpers import verified_client

S = SummaryStatus
MONCTON = ZoneInfo("America/Moncton")
# A fixed instant: mid-November 2026, in the middle of the working day.
NOVEMBER_16 = datetime(2026, 11, 16, 10, 0, tzinfo=MONCTON)


@pytest.fixture
def coordinator(world):
    return verified_client(world.coordinator, membership=world.coordinator_membership)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOVEMBER_16, tick=False) as traveller:
        yield traveller


def _order_page(client, order):
    return client.get(reverse("orders:order", args=[order.pk])).content.decode()


def test_a_pending_order_says_why_confirm_a_month_is_not_offered_where_the_button_was(world, coordinator):
    summary = world.activated()
    order = summary.orders.get()
    url = reverse("orders:confirm_month", args=[order.pk])
    assert f'href="{url}"' in _order_page(coordinator, order)
    summary_services.set_pending(actor=world.worker, summary=summary)
    page = _order_page(coordinator, order)
    assert f'href="{url}"' not in page
    panel = page[page.index('aria-labelledby="report-heading"') : page.index("</section>")]
    assert "is not offered while this order is Pending" in panel
    # Reports still reach the worker while Pending: their buttons stay beside the notice.
    assert reverse("orders:report_create", args=[order.pk, "change"]) in panel


def test_finance_sees_no_confirmation_panel_and_no_notice(world):
    summary = summary_services.set_pending(actor=world.worker, summary=world.activated())
    finance = verified_client(world.finance, membership=world.finance_membership)
    page = _order_page(finance, summary.orders.get())
    assert "report-heading" not in page and "confirm-notice" not in page


def test_confirming_while_pending_is_refused_by_the_service(world):
    summary = summary_services.set_pending(actor=world.worker, summary=world.activated())
    with pytest.raises(ActionError):
        confirmation_services.confirm_month(
            actor=world.coordinator,
            order=summary.orders.get(),
            month=date(2026, 11, 1),
            units_delivered=Decimal(10),
            km_delivered=Decimal(0),
        )


def _confirm(world, order, month):
    return confirmation_services.confirm_month(
        actor=world.coordinator,
        order=order,
        month=month,
        units_delivered=Decimal("37.5"),
        km_delivered=Decimal("12.5"),
    )


def test_a_terminated_order_stays_billable_for_the_months_before_its_termination(world, coordinator, frozen):
    """Guide: after a termination the provider is "toujours en mesure de facturer les services rendus"."""
    summary = summary_services.terminate_summary(actor=world.worker, summary=world.activated())
    order = summary.orders.get()
    assert confirmation_services.termination_date(summary) == date(2026, 11, 16)
    # A month later, November (delivered before the termination) can still be confirmed...
    frozen.move_to(datetime(2026, 12, 10, 9, 0, tzinfo=MONCTON))
    page = _order_page(verified_client(world.coordinator, membership=world.coordinator_membership), order)
    assert f'href="{reverse("orders:confirm_month", args=[order.pk])}"' in page
    assert "you can still confirm the months of service delivered before its termination" in page
    assert _confirm(world, order, date(2026, 11, 1)).units_delivered == Decimal("37.5")
    # ...December, after it, is refused next to the month field, and nothing is recorded.
    with pytest.raises(ActionError) as refused:
        _confirm(world, order, date(2026, 12, 1))
    assert "month" in refused.value.message_dict
    assert order.confirmations.count() == 1


def test_the_confirmation_page_refuses_a_month_after_the_termination_next_to_its_field(world, coordinator, frozen):
    summary = summary_services.terminate_summary(actor=world.worker, summary=world.activated())
    order = summary.orders.get()
    frozen.move_to(datetime(2026, 12, 10, 9, 0, tzinfo=MONCTON))
    coordinator = verified_client(world.coordinator, membership=world.coordinator_membership)
    response = coordinator.post(
        reverse("orders:confirm_month", args=[order.pk]),
        {"month": "2026-12", "units_delivered": "37.5", "km_delivered": "0"},
    )
    assert response.status_code == 200
    assert "was terminated on" in response.content.decode()
    assert order.confirmations.count() == 0
