"""The life of an order summary: one service function per status change, with its rules."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from orders import selectors
from orders.confirmations import services as confirmation_services
from orders.models import OrderSummary, ReportKind, ReportOption, SummaryStatus
from orders.offers import services as offer_services
from orders.reports import services as report_services
from orders.summaries import services as summary_services
from portal.models import NumberSequence, Task
from portal.workflow import ActionError

S = SummaryStatus


def test_a_new_summary_is_a_draft_with_its_first_order_and_numbers(world):
    summary = world.summary()
    assert summary.status == S.DRAFT
    assert summary.number == "OS-0000001"
    order = summary.orders.get()
    assert order.number == "00000001" and order.order_type == "service"
    assert summary.client_name_search == "melissa rachyl"
    following = world.summary()
    assert (following.number, following.orders.get().number) == ("OS-0000002", "00000002")


def test_numbers_continue_after_the_ones_already_given(world):
    first = world.summary()
    # Numbers given before the counter existed (they were the row's id then).
    OrderSummary.objects.filter(pk=first.pk).update(number="OS-0000500")
    first.orders.update(number="00000612")
    NumberSequence.objects.filter(name__startswith="orders.").delete()
    summary = world.summary()
    assert (summary.number, summary.orders.get().number) == ("OS-0000501", "00000613")


def test_offering_sends_the_guides_email_to_care_coordination_only(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        summary = world.offered()
    assert summary.status == S.OFFERED
    recipients = sorted(address for message in mailoutbox for address in message.to)
    assert recipients == sorted([world.coordinator.email, world.both.email])
    english = next(m for m in mailoutbox if m.to == [world.coordinator.email])
    assert english.subject == f"Liaison: service order {summary.number} offered"
    assert "There is a new service order offer, please sign in to the portal to view it." in english.body
    assert f"/orders/summaries/{summary.pk}/" in english.body
    for message in mailoutbox:
        assert "Rachyl" not in message.subject and "Rachyl" not in message.body


def test_transport_arrives_activated_without_acceptance(world):
    summary = world.offered(service="transport")
    assert summary.status == S.ACTIVATED


def test_accepting_activates_and_tells_the_worker(world):
    summary = world.offered()
    summary = offer_services.accept_summary(actor=world.coordinator, summary=summary, message="We start Monday.")
    assert summary.status == S.ACTIVATED
    assert summary.orders.get().status == S.ACTIVATED
    assert summary.provider_message == "We start Monday."
    assert Task.objects.filter(assignee=world.worker, link=f"/orders/summaries/{summary.pk}/").exists()
    assert summary.events.first().action == "accepted"


def test_declining_needs_a_reason_and_returns_the_summary_to_the_department(world):
    summary = world.offered()
    with pytest.raises(ActionError):
        offer_services.decline_summary(actor=world.coordinator, summary=summary, reason="   ")
    summary.refresh_from_db()
    assert summary.status == S.OFFERED
    offer_services.decline_summary(actor=world.coordinator, summary=summary, reason="No staff in that area.")
    summary.refresh_from_db()
    assert summary.status == S.DECLINED and summary.decline_reason == "No staff in that area."
    assert not selectors.summaries_for(world.coordinator).filter(pk=summary.pk).exists()
    assert selectors.summaries_for(world.worker).filter(pk=summary.pk).exists()


def test_a_revoked_offer_leaves_the_providers_lists_and_its_email_has_no_link(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    summary = world.offered()
    with django_capture_on_commit_callbacks(execute=True):
        summary_services.revoke_offer(actor=world.worker, summary=summary)
    assert not selectors.summaries_for(world.coordinator).filter(pk=summary.pk).exists()
    revoked = [m for m in mailoutbox if "no longer available" in m.subject]
    assert revoked and "/orders/" not in revoked[0].body


@pytest.mark.parametrize(
    ("prepare", "action", "allowed"),
    [
        ("draft", summary_services.set_pending, False),
        ("draft", summary_services.terminate_summary, False),
        ("offered", summary_services.terminate_summary, False),
        ("offered", summary_services.set_pending, False),
        ("activated", summary_services.revoke_offer, False),
        ("activated", summary_services.set_pending, True),
        ("activated", summary_services.cancel_summary, True),
        ("activated", summary_services.offer_summary, False),
    ],
)
def test_actions_the_status_does_not_allow_change_nothing(world, prepare, action, allowed):
    summary = {"draft": world.summary, "offered": world.offered, "activated": world.activated}[prepare]()
    before = summary.status
    if allowed:
        action(actor=world.worker, summary=summary)
        return
    with translation.override("en"), pytest.raises(ActionError) as error:
        action(actor=world.worker, summary=summary)
    with translation.override("en"):
        assert "Nothing was changed" in " ".join(error.value.messages)
    summary.refresh_from_db()
    assert summary.status == before


def test_answering_an_offer_already_answered_is_refused(world):
    summary = world.offered()
    stale = OrderSummary.objects.get(pk=summary.pk)
    offer_services.accept_summary(actor=world.coordinator, summary=summary)
    with pytest.raises(ActionError):
        offer_services.decline_summary(actor=world.both, summary=stale, reason="Too late")
    stale.refresh_from_db()
    assert stale.status == S.ACTIVATED and stale.decline_reason == ""


def test_pending_then_amended_then_activated_keeps_the_whole_life_in_one_summary(world):
    summary = world.activated()
    with pytest.raises(ActionError):
        summary_services.amend_summary(actor=world.worker, summary=summary, order=_order_data())
    summary = summary_services.set_pending(actor=world.worker, summary=summary)
    summary_services.amend_summary(actor=world.worker, summary=summary, order=_order_data(base_units=Decimal(5)))
    summary = summary_services.reactivate_summary(actor=world.worker, summary=summary)
    assert summary.orders.count() == 2
    assert set(summary.orders.values_list("status", flat=True)) == {S.ACTIVATED}
    assert [e.action for e in summary.events.order_by("at", "pk")] == [
        "created",
        "offered",
        "accepted",
        "pending",
        "amended",
        "reactivated",
    ]


def _order_data(**changes):
    data = dict(
        effective_date=timezone.localdate(),
        per="week",
        base_units=Decimal(40),
        base_rate=Decimal("30.09"),
        km_units=Decimal(0),
        other_monthly_cost=Decimal(0),
        client_contribution=Decimal(0),
    )
    data.update(changes)
    return data


def test_reports_follow_the_status_and_the_service(world):
    summary = world.activated()
    order = summary.orders.get()
    assert report_services.allowed_report_kinds(summary) == [
        ReportKind.INCIDENT,
        ReportKind.OBSERVATION,
        ReportKind.CHANGE,
    ]
    with pytest.raises(ActionError):
        report_services.log_report(
            actor=world.coordinator, order=order, kind=ReportKind.MISCELLANEOUS, description="x"
        )
    summary_services.set_pending(actor=world.worker, summary=summary)
    summary.refresh_from_db()
    # While a worker adjusts the order, incidents and requests still reach them.
    assert report_services.allowed_report_kinds(summary) == [
        ReportKind.INCIDENT,
        ReportKind.OBSERVATION,
        ReportKind.CHANGE,
    ]
    summary_services.terminate_summary(actor=world.worker, summary=summary)
    summary.refresh_from_db()
    assert report_services.allowed_report_kinds(summary) == [ReportKind.MISCELLANEOUS]
    transport = world.offered(service="transport")
    assert report_services.allowed_report_kinds(transport) == [ReportKind.CHANGE]


def test_a_report_goes_to_the_worker_as_a_task_and_an_email(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    summary = world.activated()
    with django_capture_on_commit_callbacks(execute=True):
        report = report_services.log_report(
            actor=world.coordinator,
            order=summary.orders.get(),
            kind=ReportKind.INCIDENT,
            types=ReportOption.objects.filter(code="incident_type-fall"),
            measures=ReportOption.objects.filter(code="measure-first-aid"),
            description="Fell in the bathroom.",
            urgency="high",
            location="home",
            occurred_on=timezone.localdate(),
            occurred_at=timezone.localtime().time(),
        )
    assert report.number == "SR-0000001"
    task = Task.objects.get(assignee=world.worker, link=f"/orders/reports/{report.pk}/")
    assert report.number in task.title_en and summary.number in task.title_fr
    assert [m.to for m in mailoutbox] == [[world.worker.email]]
    assert f"New service report {report.number} on {summary.number}" in mailoutbox[0].body
    assert all("Rachyl" not in m.subject + m.body for m in mailoutbox)


def test_monthly_confirmation_is_refused_while_pending_and_once_per_month(world):
    summary = world.activated()
    order = summary.orders.get()
    month = timezone.localdate().replace(day=1)
    confirmation_services.confirm_month(
        actor=world.coordinator,
        order=order,
        month=month,
        units_delivered=Decimal(40),
        km_delivered=Decimal(10),
    )
    with pytest.raises(ActionError):
        confirmation_services.confirm_month(
            actor=world.coordinator,
            order=order,
            month=month,
            units_delivered=Decimal(1),
            km_delivered=Decimal(0),
        )
    with pytest.raises(ActionError):
        confirmation_services.confirm_month(
            actor=world.coordinator,
            order=order,
            month=summary.start_date.replace(day=1) - timedelta(days=40),
            units_delivered=Decimal(1),
            km_delivered=Decimal(0),
        )
    summary_services.set_pending(actor=world.worker, summary=summary)
    with translation.override("en"), pytest.raises(ActionError) as error:
        confirmation_services.confirm_month(
            actor=world.coordinator,
            order=order,
            month=month - timedelta(days=1),
            units_delivered=Decimal(1),
            km_delivered=Decimal(0),
        )
    with translation.override("en"):
        assert "Pending" in " ".join(error.value.messages)
    assert order.confirmations.count() == 1


def test_the_search_matches_part_of_a_name_whatever_the_accents_or_case(world):
    from orders.filters import OrderSearch

    melissa = world.offered(client_name="Mélissa Rachyl")
    world.offered(client_name="Anita Plourde")
    for query in ("melissa", "MÉLISSA", "rachy", "lissa ra"):
        found = OrderSearch({"account_name": query}, queryset=selectors.orders_for(world.coordinator)).qs
        assert {order.summary_id for order in found} == {melissa.pk}, query


def test_a_new_worker_takes_over_the_open_tasks_of_the_summary(world):
    from tests.factories import MembershipFactory

    summary = world.activated()
    report = report_services.log_report(
        actor=world.coordinator, order=summary.orders.get(), kind=ReportKind.CHANGE, description="More hours"
    )
    unrelated = world.activated()
    newcomer = MembershipFactory(organization=world.department, role="orders.department_worker").user
    summary_services.reassign_worker(actor=world.worker, summary=summary, worker=newcomer)
    moved = set(Task.objects.filter(assignee=newcomer).values_list("link", flat=True))
    assert moved == {f"/orders/summaries/{summary.pk}/", f"/orders/reports/{report.pk}/"}
    assert Task.objects.filter(assignee=world.worker, link=f"/orders/summaries/{unrelated.pk}/").exists()
    assert summary.events.first().action == "reassigned"


def test_tasks_are_linked_to_their_record_and_handed_over_by_that_link(world):
    from portal.selectors import about
    from tests.factories import MembershipFactory

    summary = world.activated()
    report = report_services.log_report(
        actor=world.coordinator, order=summary.orders.get(), kind=ReportKind.CHANGE, description="More hours"
    )
    accepted = Task.objects.get(about(summary, purpose="accepted"))
    assert (accepted.record, accepted.assignee) == (summary, world.worker)
    assert Task.objects.get(about(report, purpose="report")).record == report
    # The hand-over asks by the typed link, not by the page a task opens: a task about the
    # summary whose link went elsewhere follows the summary all the same.
    Task.objects.filter(pk=accepted.pk).update(link="/somewhere-else/")
    newcomer = MembershipFactory(organization=world.department, role="orders.department_worker").user
    summary_services.reassign_worker(actor=world.worker, summary=summary, worker=newcomer)
    assert set(Task.objects.filter(assignee=newcomer).values_list("purpose", flat=True)) == {
        "accepted",
        "report",
    }


def test_one_order_of_a_summary_being_adjusted_can_be_cancelled(world):
    summary = world.activated()
    first = summary.orders.get()
    with pytest.raises(ActionError):
        summary_services.cancel_order(actor=world.worker, order=first)  # Activated: set Pending first
    summary = summary_services.set_pending(actor=world.worker, summary=summary)
    with pytest.raises(ActionError):
        summary_services.cancel_order(actor=world.worker, order=first)  # the only order left
    amendment = summary_services.amend_summary(actor=world.worker, summary=summary, order=_order_data())
    summary_services.cancel_order(actor=world.worker, order=amendment)
    summary_services.reactivate_summary(actor=world.worker, summary=summary)
    amendment.refresh_from_db()
    first.refresh_from_db()
    assert (first.status, amendment.status) == (S.ACTIVATED, S.CANCELLED)


def test_corrections_keep_the_orders_within_the_summary_dates(world):
    summary = world.summary()
    fields = {name: getattr(summary, name) for name in summary_services.SUMMARY_FIELDS}
    fields["start_date"] = summary.start_date + timedelta(days=10)
    with pytest.raises(ActionError):
        summary_services.edit_summary(actor=world.worker, summary=summary, **fields)


def test_an_incident_cannot_predate_the_service(world):
    summary = world.activated()
    with pytest.raises(ActionError):
        report_services.log_report(
            actor=world.coordinator,
            order=summary.orders.get(),
            kind=ReportKind.INCIDENT,
            description="x",
            urgency="low",
            location="home",
            occurred_on=summary.start_date - timedelta(days=1),
            occurred_at=timezone.localtime().time(),
        )


def test_the_audit_log_knows_records_by_their_number(world):
    from auditlog.models import LogEntry

    summary = world.activated()
    report = report_services.log_report(
        actor=world.coordinator, order=summary.orders.get(), kind=ReportKind.CHANGE, description="x"
    )
    assert LogEntry.objects.filter(object_repr=report.number).exists()
    assert LogEntry.objects.filter(object_repr=summary.number).exists()


def test_acknowledging_a_report_closes_the_workers_task(world):
    from portal.selectors import about

    summary = world.activated()
    report = report_services.log_report(
        actor=world.coordinator, order=summary.orders.get(), kind=ReportKind.CHANGE, description="More hours"
    )
    other = report_services.log_report(
        actor=world.coordinator, order=summary.orders.get(), kind=ReportKind.CHANGE, description="Fewer km"
    )
    task = Task.objects.get(about(report, purpose="report"))
    assert task.done_at is None
    report_services.acknowledge_report(actor=world.worker, report=report)
    task.refresh_from_db()
    assert task.done_at is not None
    # The other report's task, and the summary's own tasks, stay open.
    assert Task.objects.get(about(other, purpose="report")).done_at is None
    assert Task.objects.get(about(summary, purpose="accepted")).done_at is None
    # Acknowledging again changes nothing.
    done_at = task.done_at
    report_services.acknowledge_report(actor=world.worker, report=report)
    task.refresh_from_db()
    assert task.done_at == done_at
