"""Issue 14: the orders pages mark a status and offer an order's cancellation from the workflow
declarations (SUMMARY_FLOW, ORDER_FLOW), never by comparing statuses in a template."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from orders.models import Order, OrderSummary, SummaryEvent, SummaryStatus
from orders.summaries import services as summary_services
from orders.summaries.services import ORDER_FLOW, SUMMARY_FLOW
from portal import workflow
from portal.workflow import ActionError
from tests.helpers import verified_client

S = SummaryStatus

# `record.status == "x"`, `status != x`, `status in (...)` inside a template tag.
STATUS_COMPARISON = re.compile(r"{%[^%]*\bstatus\s*(==|!=|\bin\b|\bnot in\b)[^%]*%}")


def _amendment(world, summary):
    return summary_services.amend_summary(
        actor=world.worker,
        summary=summary,
        order={
            "effective_date": timezone.localdate(),
            "per": "week",
            "base_units": Decimal(5),
            "base_rate": Decimal(0),
            "km_units": Decimal(0),
            "other_monthly_cost": Decimal(0),
            "client_contribution": Decimal(0),
        },
    )


def test_no_template_compares_statuses():
    """Pages and emails of every app, appointments included (its waitlist reads WAITLIST_FLOW)."""
    templates = Path(settings.BASE_DIR) / "templates"
    paths = [path for pattern in ("*.html", "*.txt") for path in templates.rglob(pattern)]
    assert any(path.relative_to(templates).parts[0] == "appointments" for path in paths)
    found = [
        f"{path.relative_to(templates)}: {match.group(0)}"
        for path in paths
        for match in STATUS_COMPARISON.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_scan_finds_a_status_comparison():
    assert STATUS_COMPARISON.search('{% elif entry.status == "waiting" or entry.status == "offered" %}')
    assert STATUS_COMPARISON.search("{% if x.status in allowed %}")
    assert not STATUS_COMPARISON.search('{% if entry|reached:"leave" %}')


def test_the_declarations_mark_pending_and_nothing_else():
    for status in S.values:
        expected = "pending" if status == S.PENDING else ""
        assert SUMMARY_FLOW.kind_of(OrderSummary(status=status)) == expected
        assert workflow.status_kind(Order(status=status)) == expected
    assert workflow.status_kind(SummaryEvent()) == ""  # a model without a workflow: shown plainly


@pytest.mark.django_db
def test_the_status_cell_marks_a_pending_order_and_shows_others_plainly(world):
    worker = verified_client(world.worker, membership=world.worker_membership)
    pending = summary_services.set_pending(actor=world.worker, summary=world.activated())
    active = world.activated(client_name="Anita Plourde")

    def status_of(summary):
        page = worker.get(reverse("orders:order", args=[summary.orders.get().pk])).content.decode()
        return re.search(r"<dt>Status</dt><dd>(.*?)</dd>", page).group(1)

    assert status_of(pending) == '<strong class="badge badge--pending">Pending</strong>'
    assert status_of(active) == "Activated"


@pytest.mark.django_db
def test_the_order_page_offers_cancelling_from_the_declaration(world):
    worker = verified_client(world.worker, membership=world.worker_membership)
    coordinator = verified_client(world.coordinator, membership=world.coordinator_membership)
    summary = summary_services.set_pending(actor=world.worker, summary=world.activated())
    amendment = _amendment(world, summary)
    cancel_url = reverse("orders:order_cancel", args=[amendment.pk])
    page_url = reverse("orders:order", args=[amendment.pk])

    assert cancel_url in worker.get(page_url).content.decode()
    assert cancel_url not in coordinator.get(page_url).content.decode()  # no orders.manage
    assert summary_services.can_cancel_order(user=world.worker, order=amendment)
    assert not summary_services.can_cancel_order(user=world.coordinator, order=amendment)

    summary_services.cancel_order(actor=world.worker, order=amendment)
    amendment.refresh_from_db()
    page = worker.get(page_url).content.decode()

    assert ORDER_FLOW.reached(amendment, "cancel")
    assert "This order is cancelled." in page and cancel_url not in page
    event = SummaryEvent.objects.filter(summary=summary).latest("pk")
    assert (event.action, event.note, event.to_status, event.actor) == (
        "order_cancelled",
        amendment.number,
        S.PENDING,
        world.worker,
    )


@pytest.mark.django_db
def test_an_order_cancelled_twice_is_refused_with_the_same_words(world):
    summary = summary_services.set_pending(actor=world.worker, summary=world.activated())
    amendment = _amendment(world, summary)
    summary_services.cancel_order(actor=world.worker, order=amendment)

    with (
        translation.override("en"),
        pytest.raises(ActionError, match="already cancelled. Nothing was changed"),
    ):
        summary_services.cancel_order(actor=world.worker, order=amendment)
    assert SummaryEvent.objects.filter(summary=summary, action="order_cancelled").count() == 1


@pytest.mark.django_db
def test_an_order_of_an_active_summary_cannot_be_cancelled_alone(world):
    summary = world.activated()
    order = summary.orders.get()
    assert not summary_services.can_cancel_order(user=world.worker, order=order)
    page = verified_client(world.worker, membership=world.worker_membership).get(
        reverse("orders:order", args=[order.pk])
    )
    assert reverse("orders:order_cancel", args=[order.pk]) not in page.content.decode()


@pytest.mark.django_db
def test_a_summarys_only_remaining_order_offers_no_cancel_and_its_page_says_why(world):
    # Browser walk 2: "Cancel this order" was offered on a summary's last remaining order and its
    # "are you sure?" page opened for any order, then the save was refused.
    from django.contrib.messages import get_messages

    summary = summary_services.set_pending(actor=world.worker, summary=world.activated())
    (order,) = summary.orders.all()
    client = verified_client(world.worker, membership=world.worker_membership)
    client.cookies["liaison_language"] = "en"
    page = client.get(reverse("orders:order", args=[order.pk])).content.decode()
    cancel_url = reverse("orders:order_cancel", args=[order.pk])
    assert cancel_url not in page
    assert 'id="only-order-notice"' in page
    response = client.get(cancel_url)
    assert response.status_code == 302 and response.url == reverse("orders:order", args=[order.pk])
    assert "only remaining order" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    order.refresh_from_db()
    assert order.status != S.CANCELLED
