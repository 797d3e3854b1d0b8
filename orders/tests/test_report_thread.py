"""A two-way thread on each service report (issue 18, beyond the guide): the department replies,
the provider is emailed (and the other way round), both see the history on the report."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from orders.models import ReportKind, ReportMessage
from orders.reports import services as report_services
from tests.helpers import verified_client

MONCTON = ZoneInfo("America/Moncton")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 12, 3, 10, 0, tzinfo=MONCTON), tick=False) as traveller:
        yield traveller


def _report(world):
    summary = world.activated()
    return report_services.log_report(
        actor=world.coordinator, order=summary.orders.first(), kind=ReportKind.CHANGE, description="More hours"
    )


def _client(world, who, language="en"):
    user = getattr(world, who)
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    return verified_client(user, membership=getattr(world, f"{who}_membership"))


def test_the_department_replies_the_provider_is_emailed_and_both_see_the_thread(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    report = _report(world)
    world.both.preferred_language = "fr"
    world.both.save(update_fields=["preferred_language"])
    worker = _client(world, "worker")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = worker.post(reverse("orders:report_message", args=[report.pk]), {"body": "Approved from Monday."})
    assert response.status_code == 302
    message = ReportMessage.objects.scoped("a test").get()
    assert (message.author, message.from_department, message.body) == (world.worker, True, "Approved from Monday.")
    assert sorted(address for mail in mailoutbox for address in mail.to) == sorted(
        [world.coordinator.email, world.both.email]
    )
    english = next(m for m in mailoutbox if m.to == [world.coordinator.email])
    assert english.subject == f"Liaison: new message on service report {report.number}"
    assert f"/orders/reports/{report.pk}/#thread" in english.body
    french = next(m for m in mailoutbox if m.to == [world.both.email])
    with translation.override("fr"):
        assert translation.gettext("Order summary number:") in french.body
    for mail in mailoutbox:
        assert "Rachyl" not in mail.subject and "Approved" not in mail.subject and "Approved" not in mail.body
    # The provider answers: the worker is emailed; both pages show the whole thread, oldest first.
    coordinator = _client(world, "coordinator")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.post(reverse("orders:report_message", args=[report.pk]), {"body": "Thank you, noted."})
    assert [mail.to for mail in mailoutbox] == [[world.worker.email]]
    for client in (worker, coordinator):
        page = client.get(reverse("orders:report", args=[report.pk])).content.decode()
        assert page.index("Approved from Monday.") < page.index("Thank you, noted.")
        assert 'id="thread-heading"' in page


@pytest.mark.parametrize("language", ["en", "fr"])
def test_an_empty_message_is_refused_next_to_the_field_and_nothing_is_sent(
    world, mailoutbox, django_capture_on_commit_callbacks, language
):
    report = _report(world)
    worker = _client(world, "worker", language)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = worker.post(reverse("orders:report_message", args=[report.pk]), {"body": "   "})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_body_errors"' in page or "id_body" in page
    assert not ReportMessage.objects.scoped("a test").exists()
    assert mailoutbox == []


def test_finance_reads_no_thread_and_another_organization_gets_a_404(world):
    report = _report(world)
    assert _client(world, "finance").post(reverse("orders:report_message", args=[report.pk]), {"body": "x"}).status_code in (
        403,
        404,
    )
    assert _client(world, "outsider").post(
        reverse("orders:report_message", args=[report.pk]), {"body": "x"}
    ).status_code == 404
    assert not ReportMessage.objects.scoped("a test").exists()


def test_a_get_is_not_allowed(world):
    report = _report(world)
    assert _client(world, "worker").get(reverse("orders:report_message", args=[report.pk])).status_code == 405
