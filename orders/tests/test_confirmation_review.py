"""Monthly confirmations (issue 18): a review step before recording, then a correction of a
recorded month by the provider until the department acknowledges it (history and audit)."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from auditlog.models import LogEntry
from django.urls import reverse

from orders.confirmations import services as confirmation_services
from orders.models import ConfirmationCorrection, MonthlyConfirmation
from portal.workflow import ActionError
from tests.helpers import verified_client

MONCTON = ZoneInfo("America/Moncton")
DECEMBER_3 = datetime(2026, 12, 3, 10, 0, tzinfo=MONCTON)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(DECEMBER_3, tick=False) as traveller:
        yield traveller


def _client(world, user, membership, language="en"):
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    return verified_client(user, membership=membership)


TYPED = {
    "fr": {"month": "2026-11", "units_delivered": "37,5", "km_delivered": "12,5"},
    "en": {"month": "2026-11", "units_delivered": "37.5", "km_delivered": "12.5"},
}
QUESTION = {
    # The month's name and the decimal comma come from Django's French; the sentence from the catalogue.
    "fr": ("37,5", "12,5", "novembre 2026"),
    "en": ("37.5 units, 12.5 km for November 2026 — confirm?",),
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_review_step_asks_before_recording_and_back_keeps_the_input(world, language):
    order = world.activated().orders.get()
    client = _client(world, world.coordinator, world.coordinator_membership, language)
    url = reverse("orders:confirm_month", args=[order.pk])
    response = client.post(url, TYPED[language])
    page = response.content.decode()
    assert response.status_code == 200
    assert all(part in page for part in QUESTION[language])
    assert not MonthlyConfirmation.objects.exists()
    # What was typed travels as typed, hidden, to Back and to Confirm.
    assert f'type="hidden" name="units_delivered" value="{TYPED[language]["units_delivered"]}"' in page
    assert 'name="step" value="back"' in page and 'name="step" value="confirm"' in page
    back = client.post(url, {**TYPED[language], "step": "back"}).content.decode()
    assert f'name="units_delivered" value="{TYPED[language]["units_delivered"]}"' in back
    assert 'type="hidden" name="units_delivered"' not in back
    assert not MonthlyConfirmation.objects.exists()
    response = client.post(url, {**TYPED[language], "step": "confirm"})
    assert response.status_code == 302
    confirmation = MonthlyConfirmation.objects.get()
    assert (confirmation.month, confirmation.units_delivered, confirmation.km_delivered) == (
        date(2026, 11, 1),
        Decimal("37.5"),
        Decimal("12.5"),
    )


def test_the_review_step_refuses_what_the_record_would_refuse_next_to_the_field(world):
    order = world.activated().orders.get()
    client = _client(world, world.coordinator, world.coordinator_membership)
    url = reverse("orders:confirm_month", args=[order.pk])
    page = client.post(url, {**TYPED["en"], "month": "2027-01"}).content.decode()
    assert 'id="id_month_errors"' in page and "once it has started" in page
    assert 'name="step" value="confirm"' not in page


def test_the_question_says_one_unit_in_the_singular(world):
    from django.utils import translation

    from orders.confirmations.views import month_question

    with translation.override("en"):
        one = month_question(date(2026, 11, 1), Decimal(1), Decimal(0))
        many = month_question(date(2026, 11, 1), Decimal("1123.50"), Decimal(40))
    assert one == "1 unit, 0 km for November 2026 — confirm?"
    assert many == "1,123.5 units, 40 km for November 2026 — confirm?"


def _recorded(world):
    order = world.activated().orders.get()
    return confirmation_services.confirm_month(
        actor=world.coordinator,
        order=order,
        month=date(2026, 11, 1),
        units_delivered=Decimal("37.5"),
        km_delivered=Decimal("12.5"),
    )


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_provider_corrects_a_month_with_history_and_audit(world, language):
    confirmation = _recorded(world)
    client = _client(world, world.coordinator, world.coordinator_membership, language)
    detail = reverse("orders:confirmation", args=[confirmation.pk])
    correct = reverse("orders:confirmation_correct", args=[confirmation.pk])
    assert f'href="{correct}"' in client.get(detail).content.decode()
    typed = {"fr": ("40,5", "15"), "en": ("40.5", "15")}[language]
    form = client.get(correct).content.decode()
    assert {"fr": 'value="37,5"', "en": 'value="37.5"'}[language] in form
    response = client.post(correct, {"units_delivered": typed[0], "km_delivered": typed[1]})
    assert response.status_code == 302
    confirmation.refresh_from_db()
    assert (confirmation.units_delivered, confirmation.km_delivered) == (Decimal("40.5"), Decimal(15))
    correction = ConfirmationCorrection.objects.get()
    assert (correction.units_before, correction.units_after, correction.km_before, correction.km_after) == (
        Decimal("37.5"),
        Decimal("40.5"),
        Decimal("12.5"),
        Decimal(15),
    )
    assert correction.actor == world.coordinator
    event = confirmation.order.summary.events.first()
    assert (event.action, event.note, event.actor) == ("month_corrected", "2026-11", world.coordinator)
    entry = LogEntry.objects.get_for_object(confirmation).filter(action=LogEntry.Action.UPDATE).get()
    assert set(entry.changes_dict) == {"units_delivered", "km_delivered"}
    page = client.get(detail).content.decode()
    assert {"fr": "37,5 → 40,5", "en": "37.5 → 40.5"}[language] in page
    # The department's summary page shows it in its history.
    worker = _client(world, world.worker, world.worker_membership, language)
    summary_page = worker.get(
        reverse("orders:summary", args=[confirmation.order.summary_id])
    ).content.decode()
    assert "2026-11" in summary_page


def test_the_same_figures_again_change_nothing(world):
    confirmation = _recorded(world)
    confirmation_services.correct_confirmation(
        actor=world.coordinator,
        confirmation=confirmation,
        units_delivered=Decimal("37.5"),
        km_delivered=Decimal("12.5"),
    )
    assert not ConfirmationCorrection.objects.exists()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_once_acknowledged_a_month_can_no_longer_be_corrected(world, language):
    confirmation = _recorded(world)
    worker = _client(world, world.worker, world.worker_membership, language)
    detail = reverse("orders:confirmation", args=[confirmation.pk])
    acknowledge = reverse("orders:confirmation_acknowledge", args=[confirmation.pk])
    assert f'action="{acknowledge}"' in worker.get(detail).content.decode()
    assert worker.post(acknowledge).status_code == 302
    confirmation.refresh_from_db()
    assert confirmation.acknowledged_by == world.worker and confirmation.acknowledged_at is not None

    client = _client(world, world.coordinator, world.coordinator_membership, language)
    correct = reverse("orders:confirmation_correct", args=[confirmation.pk])
    page = client.get(detail).content.decode()
    assert f'href="{correct}"' not in page and 'id="correction-notice"' in page
    # An old form posted anyway: refused, nothing changed.
    response = client.post(correct, {"units_delivered": "50", "km_delivered": "0"}, follow=True)
    confirmation.refresh_from_db()
    assert confirmation.units_delivered == Decimal("37.5")
    assert not ConfirmationCorrection.objects.exists()
    assert "3 " in response.content.decode()  # the acknowledgement's date, in the message
    with pytest.raises(ActionError, match="acknowledged this month|pris en compte ce mois"):
        confirmation_services.correct_confirmation(
            actor=world.coordinator,
            confirmation=confirmation,
            units_delivered=Decimal(1),
            km_delivered=Decimal(0),
        )
    # The GET of the form sends the person back with the message.
    response = client.get(correct)
    assert response.status_code == 302 and response["Location"] == detail


def test_correcting_and_acknowledging_are_for_their_own_side_only(world):
    confirmation = _recorded(world)
    finance = _client(world, world.finance, world.finance_membership)
    assert finance.get(reverse("orders:confirmation_correct", args=[confirmation.pk])).status_code == 403
    coordinator = _client(world, world.coordinator, world.coordinator_membership)
    assert (
        coordinator.post(reverse("orders:confirmation_acknowledge", args=[confirmation.pk])).status_code
        == 403
    )
    outsider = _client(world, world.outsider, world.outsider_membership)
    assert outsider.get(reverse("orders:confirmation", args=[confirmation.pk])).status_code == 404
    assert outsider.get(reverse("orders:confirmation_correct", args=[confirmation.pk])).status_code == 404
    confirmation.refresh_from_db()
    assert confirmation.acknowledged_at is None
