"""Requests, assignment, acceptance, completion, billing: through the services."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone, translation

from interpreters import selectors
from interpreters.billing import services as billing
from interpreters.models import (
    Rate,
    Registration,
    Request,
    RequestStatus,
    Statement,
    StatementLine,
)
from interpreters.pool import services as pool
from interpreters.registrations import services as registration_services
from interpreters.requests import notices, services
from portal.models import Membership, Message
from portal.workflow import ActionError

pytestmark = pytest.mark.django_db
RS = RequestStatus


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


def test_a_request_in_the_past_is_refused(world):
    with pytest.raises(ActionError) as error:
        world.request(date=timezone.localdate() - timedelta(days=1))
    assert "date" in error.value.error_dict
    assert not Request.objects.exists()


def test_an_unknown_or_inactive_language_is_refused(world):
    world.spanish.is_active = False
    world.spanish.save()
    with pytest.raises(ActionError) as error:
        world.request(language=world.spanish)
    assert "language" in error.value.error_dict


def test_a_cost_centre_of_another_establishment_is_refused(world):
    with pytest.raises(ActionError) as error:
        world.request(cost_centre=world.other_centre)
    assert "cost_centre" in error.value.error_dict


def test_a_weekly_series_makes_one_request_per_date(world):
    first_day = timezone.localdate() + timedelta(days=2)
    created = services.create_request(
        actor=world.requester,
        establishment=world.hospital,
        repeat_until=first_day + timedelta(days=21),
        **world.values(date=first_day),
    )
    assert [item.date for item in created] == [first_day + timedelta(days=7 * n) for n in range(4)]
    assert {item.series_id for item in created[1:]} == {created[0].pk}
    assert len({item.number for item in created}) == 4


def test_suggestions_have_the_language_and_come_nearest_first(world):
    _membership, spanish_only = world.interpreter("H2X 1Y5", ["es"])
    request = world.request()
    rows = selectors.suggestions(request)
    assert [row["interpreter"] for row in rows] == [world.near, world.far]
    assert rows[0]["distance"] < rows[1]["distance"]
    assert spanish_only not in [row["interpreter"] for row in rows]


def test_busy_or_unavailable_interpreters_are_not_suggested(world):
    first = world.request()
    services.assign_interpreter(actor=world.coordinator, request=first, interpreter=world.near)
    second = world.request(start_time=time(10, 30))
    assert [row["interpreter"] for row in selectors.suggestions(second)] == [world.far]
    pool.add_unavailability(
        interpreter=world.far, starts_at=second.starts_at - timedelta(hours=1), ends_at=second.ends_at
    )
    assert selectors.suggestions(second) == []


def test_the_same_interpreter_never_holds_two_overlapping_requests(world):
    first = world.request()
    services.assign_interpreter(actor=world.coordinator, request=first, interpreter=world.near)
    second = world.request(start_time=time(11, 0))
    with pytest.raises(ActionError) as error:
        services.assign_interpreter(actor=world.coordinator, request=second, interpreter=world.near)
    assert "already holds an assignment" in str(error.value)
    second.refresh_from_db()
    assert second.status == RS.SUBMITTED
    later = world.request(start_time=time(11, 30))
    assert (
        services.assign_interpreter(actor=world.coordinator, request=later, interpreter=world.near).status
        == RS.ASSIGNED
    )


def test_an_interpreter_without_the_language_or_modality_is_refused(world):
    _membership, phone_only = world.interpreter("H2X 1Y5", ["ar"], modalities=("phone",))
    with pytest.raises(ActionError):
        services.assign_interpreter(actor=world.coordinator, request=world.request(), interpreter=phone_only)
    with pytest.raises(ActionError):
        services.assign_interpreter(
            actor=world.coordinator, request=world.request(language=world.spanish), interpreter=world.near
        )


def test_an_offer_is_emailed_and_texted_without_personal_details(world, django_capture_on_commit_callbacks):
    world.near.user.phone = "+15065550123"
    world.near.user.save()
    request = world.request()
    with django_capture_on_commit_callbacks(execute=True):
        services.assign_interpreter(actor=world.coordinator, request=request, interpreter=world.near)
    (email,) = [message for message in mail.outbox if world.near.user.email in message.to]
    assert request.number in email.subject
    assert "Suivi" not in email.subject and "Paul" not in email.body
    assert Message.objects.filter(recipient=world.near.user, channel="sms").exists()


def test_declining_needs_a_reason_and_returns_to_the_queue(world):
    request = services.assign_interpreter(
        actor=world.coordinator, request=world.request(), interpreter=world.near
    )
    with pytest.raises(ActionError):
        services.decline_offer(actor=world.near.user, request=request, reason=" ")
    request = services.decline_offer(actor=world.near.user, request=request, reason="Sick")
    assert (request.status, request.interpreter) == (RS.DECLINED, None)
    assert request in selectors.queue(world.coordinator)
    assert request.events.last().note == "Sick"


def test_the_whole_life_of_a_request(world):
    request = world.validated()
    assert request.status == RS.VALIDATED
    assert [event.to_status for event in request.events.all()] == [
        RS.SUBMITTED,
        RS.ASSIGNED,
        RS.ACCEPTED,
        RS.CONFIRMED,
        RS.COMPLETED,
        RS.VALIDATED,
    ]


def test_a_service_is_recorded_once_started_and_ends_after_it_starts(world):
    request = world.confirmed()
    with pytest.raises(ActionError):
        services.record_completion(
            actor=world.near.user,
            request=request,
            actual_start=request.starts_at,
            actual_end=request.ends_at,
            travel_km=0,
            waiting_minutes=0,
            expenses=0,
            notes="",
        )
    start = timezone.now() - timedelta(hours=2)
    Request.objects.filter(pk=request.pk).update(starts_at=start, ends_at=start + timedelta(minutes=90))
    request.refresh_from_db()
    with pytest.raises(ActionError) as error:
        services.record_completion(
            actor=world.near.user,
            request=request,
            actual_start=timezone.now() - timedelta(hours=1),
            actual_end=timezone.now() - timedelta(hours=2),
            travel_km=0,
            waiting_minutes=0,
            expenses=0,
            notes="",
        )
    assert "actual_end" in error.value.error_dict


def test_a_late_cancellation_is_billable(world):
    request = world.confirmed(date=timezone.localdate() + timedelta(days=1), start_time=time(9, 0))
    request = services.cancel_request(actor=world.requester, request=request, reason="Patient transferred")
    assert request.late_cancellation
    early = world.confirmed(date=timezone.localdate() + timedelta(days=10))
    assert not services.cancel_request(actor=world.requester, request=early, reason="Moved").late_cancellation
    with pytest.raises(ActionError):
        services.cancel_request(actor=world.requester, request=early, reason="Again")


def test_reminders_go_the_day_before_between_8_and_21_only(world, django_capture_on_commit_callbacks):
    tomorrow = timezone.localdate() + timedelta(days=1)
    request = world.confirmed(date=tomorrow, start_time=time(14, 0))
    today = timezone.localdate()
    night = timezone.make_aware(datetime.combine(today, time(22, 30)))
    morning = timezone.make_aware(datetime.combine(today, time(8, 15)))
    assert notices.send_reminders(now=night) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert notices.send_reminders(now=morning) == 1
        assert notices.send_reminders(now=morning) == 0
    request.refresh_from_db()
    assert request.reminded_at is not None


def test_statements_bill_validated_services_and_never_change(world):
    request = world.validated()
    rate = Rate.objects.get(bank=world.bank, modality="in_person")
    month = request.date.replace(day=1)
    statements = billing.issue_statements(actor=world.coordinator, bank=world.bank, month=month)
    establishment = next(item for item in statements if item.kind == "establishment")
    pay = next(item for item in statements if item.kind == "pay")
    # 100 minutes worked, but the in-person minimum is 120.
    assert establishment.lines.get().minutes == max(100, rate.minimum_minutes)
    expected = (Decimal(max(100, rate.minimum_minutes)) * rate.hourly_rate / 60).quantize(Decimal("0.01")) + (
        Decimal(10) * rate.travel_rate
    ).quantize(Decimal("0.01"))
    assert establishment.total == expected
    assert pay.interpreter == world.near
    assert billing.issue_statements(actor=world.coordinator, bank=world.bank, month=month) == []
    # A correction after issuing: the old statement stays, the next carries the difference.
    completion = request.completion
    services.correct_completion(
        actor=world.coordinator,
        request=request,
        actual_start=completion.actual_start,
        actual_end=completion.actual_start + timedelta(minutes=180),
        travel_km=completion.travel_km,
        waiting_minutes=0,
        expenses=Decimal("20.00"),
        notes="",
    )
    establishment.refresh_from_db()
    assert establishment.total == expected
    corrections = billing.issue_statements(actor=world.coordinator, bank=world.bank, month=month)
    line = StatementLine.objects.get(statement__in=corrections, kind="establishment")
    assert line.is_correction
    assert (
        line.amount
        == (Decimal(180) * rate.hourly_rate / 60).quantize(Decimal("0.01"))
        + Decimal("20.00")
        + (Decimal(10) * rate.travel_rate).quantize(Decimal("0.01"))
        - expected
    )
    assert Statement.objects.count() == 4


def test_approving_a_registration_makes_a_requester_account(world, django_capture_on_commit_callbacks):
    registration = registration_services.register_requester(
        first_name="Nadine",
        last_name="Bélanger",
        email="nadine@example.ca",
        phone="",
        establishment=world.hospital,
        job_title="Social worker",
        preferred_language="fr",
    )
    with django_capture_on_commit_callbacks(execute=True):
        registration_services.approve_registration(actor=world.coordinator, registration=registration)
    membership = Membership.objects.get(user__email="nadine@example.ca")
    assert (membership.organization, membership.role) == (world.hospital, "interpreters.requester")
    assert not membership.user.has_usable_password()
    assert any("nadine@example.ca" in email.to for email in mail.outbox)
    with pytest.raises(ActionError):
        registration_services.refuse_registration(actor=world.coordinator, registration=registration, reason="No")
    assert Registration.objects.get().status == "approved"


def test_a_service_of_days_or_far_from_its_planned_time_is_refused(world):
    request = world.confirmed()
    start = timezone.now() - timedelta(hours=2)
    Request.objects.filter(pk=request.pk).update(starts_at=start, ends_at=start + timedelta(minutes=90))
    request.refresh_from_db()
    for actual_start, actual_end in (
        (start, start + timedelta(days=3)),
        (start - timedelta(days=2), start - timedelta(days=2) + timedelta(hours=1)),
    ):
        with pytest.raises(ActionError):
            services.record_completion(
                actor=world.near.user,
                request=request,
                actual_start=actual_start,
                actual_end=actual_end,
                travel_km=0,
                waiting_minutes=0,
                expenses=0,
                notes="",
            )


def test_a_started_service_can_no_longer_be_cancelled_or_assigned(world):
    request = world.confirmed()
    start = timezone.now() - timedelta(minutes=10)
    Request.objects.filter(pk=request.pk).update(starts_at=start, ends_at=start + timedelta(minutes=90))
    request.refresh_from_db()
    with pytest.raises(ActionError):
        services.cancel_request(actor=world.requester, request=request, reason="Too late")
    with pytest.raises(ActionError):
        services.assign_interpreter(actor=world.coordinator, request=request, interpreter=world.far)
    request.refresh_from_db()
    assert request.status == RS.CONFIRMED


def test_changing_a_rate_does_not_reprice_validated_services(world):
    request = world.validated()
    month = request.date.replace(day=1)
    billing.issue_statements(actor=world.coordinator, bank=world.bank, month=month)
    Rate.objects.filter(bank=world.bank, modality="in_person").update(hourly_rate=Decimal("999.00"))
    assert billing.issue_statements(actor=world.coordinator, bank=world.bank, month=month) == []


def test_an_old_absence_does_not_hide_an_interpreter(world):
    request = world.request()
    pool.add_unavailability(
        interpreter=world.near,
        starts_at=timezone.now() - timedelta(days=30),
        ends_at=timezone.now() - timedelta(days=29),
    )
    pool.add_unavailability(
        interpreter=world.near,
        starts_at=request.ends_at + timedelta(days=5),
        ends_at=request.ends_at + timedelta(days=6),
    )
    assert world.near in [row["interpreter"] for row in selectors.suggestions(request)]
