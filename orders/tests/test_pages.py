"""The pages of the service orders portal, as each persona uses them."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from orders.confirmations import services as confirmation_services
from orders.models import OrderSummary, ReportKind, ReportOption, ServiceReport, SummaryStatus
from orders.offers import services as offer_services
from orders.reports import services as report_services
from orders.summaries import services as summary_services
from portal.models import Export
from tests.helpers import assert_constant_queries, search, verified_client

S = SummaryStatus


@pytest.fixture
def coordinator(world):
    return verified_client(world.coordinator, membership=world.coordinator_membership)


@pytest.fixture
def worker(world):
    return verified_client(world.worker, membership=world.worker_membership)


def test_the_tabs_list_what_the_guide_says_and_hide_the_rest(world, coordinator):
    offered = world.offered(client_name="Brighton Early")
    active = world.activated(client_name="Anita Plourde")
    pending = summary_services.set_pending(actor=world.worker, summary=world.activated(client_name="Howard Doucette"))
    declined = offer_services.decline_summary(
        actor=world.coordinator, summary=world.offered(client_name="Gérard Landry"), reason="No"
    )
    draft = world.summary(client_name="Claire Boudreau")
    elsewhere = world.offered(provider=world.other_provider, client_name="Omar Benali")

    def tab(name):
        return coordinator.get(reverse("orders:requests") + f"?tab={name}").content.decode()

    assert offered.number in tab("offered") and active.number not in tab("offered")
    active_page = tab("active")
    assert active.number in active_page and pending.number in active_page
    assert 'class="badge badge--pending">Pending' in active_page
    for hidden in (declined, draft, elsewhere):
        for name in ("offered", "active", "terminated", "cancelled"):
            assert hidden.number not in tab(name)


def test_the_search_takes_any_subset_of_fields_and_has_a_clear_button(world, coordinator):
    melissa = world.offered(client_name="Mélissa Rachyl")
    world.offered(client_name="Anita Plourde")
    page = search(coordinator, reverse("orders:requests"), {"tab": "search", "account_name": "melissa"}).content.decode()
    assert melissa.number in page and "Plourde" not in page
    assert "1 order found." in page
    assert 'name="_clear"' in page  # Clear fields
    order = melissa.orders.get()
    page = search(
        coordinator, reverse("orders:requests"), {"tab": "search", "order_number": order.number[-4:], "status": "offered"}
    ).content.decode()
    assert order.number in page


@pytest.mark.parametrize(
    "query",
    [{"status": "nonsense"}, {"zone": "abc"}, {"service": "99999"}, {"tab": "<script>"}, {"page": "x"}],
)
def test_bad_search_values_never_fail(world, coordinator, query):
    response = coordinator.get(reverse("orders:requests"), {"tab": "search", **query})
    assert response.status_code in (200, 404)


def test_financial_columns_follow_the_persona(world):
    summary = world.activated()
    url = reverse("orders:summary", args=[summary.pk])
    coordination_page = verified_client(world.coordinator, membership=world.coordinator_membership).get(url)
    finance_page = verified_client(world.finance, membership=world.finance_membership).get(url)
    assert (
        "30.09" not in coordination_page.content.decode()
        and "Base rate" not in coordination_page.content.decode()
    )
    assert "30,09" in finance_page.content.decode() or "30.09" in finance_page.content.decode()


def test_accepting_takes_the_guides_two_steps(world, coordinator):
    summary = world.offered()
    url = reverse("orders:respond", args=[summary.pk])
    page = coordinator.get(url).content.decode()
    assert "Do you want to accept or decline this order summary?" in page
    response = coordinator.post(url, {"step": "choose"})
    assert "Choose to accept or to decline the request." in response.content.decode()
    response = coordinator.post(url, {"step": "choose", "decision": "accept"})
    assert "Are you sure you want to accept this service request?" in response.content.decode()
    response = coordinator.post(url, {"step": "confirm", "decision": "accept", "message": "Monday"})
    assert response["Location"] == reverse("orders:summary", args=[summary.pk])
    summary.refresh_from_db()
    assert summary.status == S.ACTIVATED and summary.provider_message == "Monday"


def test_declining_requires_a_reason_and_changes_nothing_without_it(world, coordinator):
    summary = world.offered()
    url = reverse("orders:respond", args=[summary.pk])
    response = coordinator.post(url, {"step": "confirm", "decision": "decline", "reason": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    summary.refresh_from_db()
    assert summary.status == S.OFFERED
    response = coordinator.post(url, {"step": "confirm", "decision": "decline", "reason": "No staff"})
    assert response["Location"] == reverse("portal:home")
    summary.refresh_from_db()
    assert summary.status == S.DECLINED


def test_a_stale_answer_gets_a_clear_message(world, coordinator):
    summary = world.offered()
    offer_services.accept_summary(actor=world.both, summary=summary)
    response = coordinator.post(
        reverse("orders:respond", args=[summary.pk]),
        {"step": "confirm", "decision": "decline", "reason": "x"},
        follow=True,
    )
    assert "no longer Offered" in response.content.decode()
    summary.refresh_from_db()
    assert summary.status == S.ACTIVATED


def test_logging_an_incident_checks_every_required_field_then_thanks(world, coordinator):
    summary = world.activated(client_name="MELISSA RACHYL")
    order = summary.orders.get()
    url = reverse("orders:report_create", args=[order.pk, "incident"])
    response = coordinator.post(url, {"description": "x"})
    page = response.content.decode()
    for field in ("types", "measures", "urgency", "location", "occurred_on", "occurred_at"):
        assert f'id="id_{field}_errors"' in page, field
    assert not ServiceReport.objects.exists()
    data = {
        "types": [ReportOption.objects.get(code="incident_type-fall").pk],
        "measures": [ReportOption.objects.get(code="measure-first-aid").pk],
        "description": "Fell",
        "urgency": "high",
        "location": "home",
        "occurred_on": timezone.localdate().isoformat(),
        "occurred_at": "10:30",
    }
    response = coordinator.post(url, data, follow=True)
    page = response.content.decode()
    assert "Thank you, the incident of" in page and "for MELISSA RACHYL has been recorded." in page
    assert ServiceReport.objects.get().kind == ReportKind.INCIDENT


def test_a_change_request_offers_the_types_of_its_category(world, coordinator):
    order = world.activated().orders.get()
    url = reverse("orders:report_create", args=[order.pk, "change"])
    assert 'name="category"' in coordinator.get(url).content.decode()
    from orders.models import ChangeCategory

    schedule = ChangeCategory.objects.get(code="schedule")
    page = coordinator.get(url, {"category": schedule.pk}).content.decode()
    assert "Schedule change asked by the person" in page
    assert "The person asks for a higher level of service" not in page
    other_type = ReportOption.objects.get(code="change-person-increase")
    response = coordinator.post(
        f"{url}?category={schedule.pk}",
        {"category": schedule.pk, "types": [other_type.pk], "description": "x"},
    )
    assert response.status_code == 200 and not ServiceReport.objects.exists()
    good = ReportOption.objects.get(code="change-schedule-person")
    coordinator.post(
        f"{url}?category={schedule.pk}",
        {"category": schedule.pk, "types": [good.pk], "description": "x", "step": "submit"},
    )
    report = ServiceReport.objects.get()
    assert report.category == schedule and list(report.types.all()) == [good]


def test_a_report_the_status_forbids_gets_a_message_and_records_nothing(world, coordinator):
    summary = summary_services.cancel_summary(actor=world.worker, summary=world.activated())
    order = summary.orders.get()
    response = coordinator.get(reverse("orders:report_create", args=[order.pk, "incident"]), follow=True)
    assert "cannot be logged on this order while it is Cancelled" in response.content.decode()
    assert not ServiceReport.objects.exists()


def test_a_stale_report_form_keeps_what_was_typed(world, coordinator):
    summary = world.activated()
    order = summary.orders.get()
    summary_services.cancel_summary(actor=world.worker, summary=summary)  # meanwhile, at the department
    category = _category("change-service")
    response = coordinator.post(
        reverse("orders:report_create", args=[order.pk, "change"]) + f"?category={category.pk}",
        {
            "category": category.pk,
            "description": "Typed with care",
            "types": [ReportOption.objects.get(code="change-person-increase").pk],
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Nothing was changed" in page and "Typed with care" in page
    assert not ServiceReport.objects.exists()


def _category(code):
    from orders.models import ChangeCategory

    return ChangeCategory.objects.get(code=code)


def test_a_miscellaneous_request_on_a_terminated_order(world, coordinator):
    summary = summary_services.terminate_summary(
        actor=world.worker, summary=world.activated(client_name="Nath Tester")
    )
    order = summary.orders.get()
    response = coordinator.post(
        reverse("orders:report_create", args=[order.pk, "miscellaneous"]),
        {"description": "Invoice question"},
        follow=True,
    )
    assert "Thank you, the request submitted on" in response.content.decode()
    assert ServiceReport.objects.get().kind == ReportKind.MISCELLANEOUS


def test_confirming_a_month_with_bad_input_says_what_is_wrong(world, coordinator):
    order = world.activated().orders.get()
    url = reverse("orders:confirm_month", args=[order.pk])
    response = coordinator.post(url, {"month": "November", "units_delivered": "-3", "km_delivered": ""})
    page = response.content.decode()
    assert "Enter a month as year-month" in page and 'id="id_units_delivered_errors"' in page
    month = timezone.localdate().strftime("%Y-%m")
    response = coordinator.post(
        url, {"month": month, "units_delivered": "40", "km_delivered": "12.5", "step": "confirm"}
    )
    assert response.status_code == 302
    response = coordinator.post(url, {"month": month, "units_delivered": "40", "km_delivered": "12.5"})
    assert "already confirmed" in response.content.decode()


def test_personas_finance_cannot_answer_or_report_and_care_coordination_cannot_export_mileage(world):
    summary = world.offered()
    finance = verified_client(world.finance, membership=world.finance_membership)
    assert finance.get(reverse("orders:respond", args=[summary.pk])).status_code == 403
    assert (
        finance.get(reverse("orders:report_create", args=[summary.orders.get().pk, "change"])).status_code
        == 403
    )
    assert finance.get(reverse("orders:dashboard")).status_code == 200
    coordination = verified_client(world.coordinator, membership=world.coordinator_membership)
    # Care coordination exports the order lists, not the mileage (test_dashboard_exports.py).
    assert coordination.post(reverse("orders:dashboard_export", args=["mileage", "csv"])).status_code == 403
    assert coordination.get(reverse("orders:dashboard_report", args=["mileage"])).status_code == 200


def test_the_department_creates_offers_and_sees_the_answer(world, worker):
    from orders.models import ServiceCentre, ServiceType, Zone

    today = timezone.localdate()
    data = {
        "provider": world.provider.pk,
        "client_name": "Brighton Early",
        "service": ServiceType.objects.get(code="home-support").pk,
        "zone": Zone.objects.get(code="central").pk,
        "service_centre": ServiceCentre.objects.get(code="sussex").pk,
        "start_date": today.isoformat(),
        "end_date": (today.replace(year=today.year - 1)).isoformat(),
        "worker": world.worker.pk,
        "effective_date": today.isoformat(),
        "per": "week",
        "base_units": "35",
        "base_rate": "30.09",
        "km_units": "0",
        "other_monthly_cost": "0",
        "client_contribution": "0",
    }
    response = worker.post(reverse("orders:summary_create"), data)
    assert "The end date cannot be before the start date." in response.content.decode()
    assert not OrderSummary.objects.exists()
    data["end_date"] = today.replace(year=today.year + 1).isoformat()
    response = worker.post(reverse("orders:summary_create"), data)
    summary = OrderSummary.objects.get()
    assert response["Location"] == reverse("orders:summary", args=[summary.pk])
    worker.post(reverse("orders:action", args=[summary.pk, "offer"]))
    summary.refresh_from_db()
    assert summary.status == S.OFFERED
    offer_services.decline_summary(actor=world.coordinator, summary=summary, reason="No staff in Sussex")
    page = worker.get(reverse("orders:summary", args=[summary.pk])).content.decode()
    assert "No staff in Sussex" in page
    response = worker.post(reverse("orders:action", args=[summary.pk, "terminate"]), follow=True)
    assert "Nothing was changed" in response.content.decode()
    assert worker.post(reverse("orders:action", args=[summary.pk, "explode"])).status_code == 404


def test_the_department_amends_while_pending_and_acknowledges_reports(world, worker):
    summary = summary_services.set_pending(actor=world.worker, summary=world.activated())
    url = reverse("orders:amend", args=[summary.pk])
    response = worker.post(
        url,
        {
            "effective_date": "1999-01-01",
            "per": "week",
            "base_units": "5",
            "base_rate": "1",
            "km_units": "0",
            "other_monthly_cost": "0",
            "client_contribution": "0",
        },
    )
    assert "within the order summary" in response.content.decode()
    response = worker.post(
        url,
        {
            "effective_date": timezone.localdate().isoformat(),
            "per": "week",
            "base_units": "-5",
            "base_rate": "0",
            "km_units": "0",
            "other_monthly_cost": "0",
            "client_contribution": "0",
        },
    )
    assert response.status_code == 302 and summary.orders.count() == 2
    summary_services.reactivate_summary(actor=world.worker, summary=summary)
    report = report_services.log_report(
        actor=world.coordinator,
        order=summary.orders.first(),
        kind=ReportKind.CHANGE,
        description="More hours",
    )
    task_title = f"New service report {report.number} on {summary.number}"
    assert task_title in worker.get(reverse("portal:home")).content.decode()
    worker.post(reverse("orders:report_acknowledge", args=[report.pk]))
    report.refresh_from_db()
    assert report.acknowledged_by == world.worker
    # "Take this report into account" closes the worker's task: it leaves their home page.
    assert task_title not in worker.get(reverse("portal:home")).content.decode()


def test_the_dashboard_counts_and_exports_what_the_provider_sees(world, django_capture_on_commit_callbacks):
    world.offered()
    summary = world.activated()
    confirmation_services.confirm_month(
        actor=world.coordinator,
        order=summary.orders.get(),
        month=timezone.localdate(),
        units_delivered=Decimal(10),
        km_delivered=Decimal("42.5"),
    )
    world.offered(provider=world.other_provider)
    client = verified_client(world.both, membership=world.both_membership)
    page = client.get(reverse("orders:dashboard")).content.decode()
    assert "42.5 km" in page
    report = client.get(reverse("orders:dashboard_report", args=["new"])).content.decode()
    assert summary.number in report
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("orders:dashboard_export", args=["new", "csv"]))
    export = Export.objects.get()
    assert response["Location"] == reverse("portal:export", args=[export.pk])
    download = client.get(reverse("portal:export_download", args=[export.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "Order summary number" and len(rows) == 3
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("orders:dashboard_export", args=["mileage", "xlsx"]))
    export = Export.objects.latest("pk")
    workbook = load_workbook(
        io.BytesIO(
            b"".join(client.get(reverse("portal:export_download", args=[export.pk])).streaming_content)
        )
    )
    assert list(workbook.active.values)[1][-1] == 42.5
    # Another person never gets someone's export.
    other = verified_client(world.finance, membership=world.finance_membership)
    assert other.get(reverse("portal:export_download", args=[export.pk])).status_code == 404


@pytest.mark.parametrize(
    ("who", "url_name", "kwargs"),
    [
        ("coordinator", "orders:requests", {"tab": "offered"}),
        ("coordinator", "orders:requests", {"tab": "search", "account_name": "a"}),
        ("worker", "orders:department_list", {}),
        ("coordinator", "orders:report_list", {}),
        ("coordinator", "orders:dashboard_report", {}),
    ],
)
def test_lists_cost_the_same_queries_for_1_and_50_rows(world, who, url_name, kwargs):
    client = verified_client(getattr(world, who), membership=getattr(world, f"{who}_membership"))
    params = dict(kwargs)
    if url_name == "orders:dashboard_report":
        url = reverse(url_name, args=["new"])
    else:
        url = reverse(url_name)

    def add(n):
        for _i in range(n):
            summary = world.offered(client_name="Anna Bell")
            if url_name == "orders:report_list":
                summary = offer_services.accept_summary(actor=world.coordinator, summary=summary)
                report_services.log_report(
                    actor=world.coordinator,
                    order=summary.orders.get(),
                    kind=ReportKind.CHANGE,
                    description="x",
                )

    from urllib.parse import urlencode

    if "account_name" in params:
        # A personal field: searched by POST once, then kept in the session for the GETs below.
        search(client, url, {"account_name": params.pop("account_name")})
    assert_constant_queries(client, f"{url}?{urlencode(params)}", add)


def test_an_offer_declined_by_a_colleague_meanwhile_says_it_is_no_longer_available(world, coordinator):
    summary = world.offered()
    offer_services.decline_summary(actor=world.both, summary=summary, reason="No staff")
    response = coordinator.post(
        reverse("orders:respond", args=[summary.pk]), {"step": "confirm", "decision": "accept", "message": ""}
    )
    assert response.status_code == 404
    assert "This request is no longer available" in response.content.decode()
    assert (
        "no longer available"
        in coordinator.get(reverse("orders:summary", args=[summary.pk])).content.decode()
    )
    # Another provider's summary stays a plain 404 (nothing said about it).
    other = world.offered(provider=world.other_provider)
    assert (
        "no longer available"
        not in coordinator.get(reverse("orders:summary", args=[other.pk])).content.decode()
    )


def test_the_search_tab_lists_nothing_until_a_field_is_filled(world, coordinator):
    world.offered()
    page = coordinator.get(reverse("orders:requests"), {"tab": "search"}).content.decode()
    assert "found." not in page


def test_destructive_actions_ask_first(world, worker):
    summary = world.activated()
    url = reverse("orders:action", args=[summary.pk, "terminate"])
    page = worker.get(url).content.decode()
    assert "You will not be able to go back on this" in page
    summary.refresh_from_db()
    assert summary.status == S.ACTIVATED
    worker.post(url)
    summary.refresh_from_db()
    assert summary.status == S.TERMINATED


def test_amending_an_activated_summary_explains_what_to_do(world, worker):
    summary = world.activated()
    response = worker.get(reverse("orders:amend", args=[summary.pk]), follow=True)
    assert "set the summary to Pending first" in response.content.decode()


def test_finance_sees_no_dead_links_to_reports(world):
    summary = world.activated()
    report_services.log_report(
        actor=world.coordinator, order=summary.orders.get(), kind=ReportKind.CHANGE, description="x"
    )
    finance = verified_client(world.finance, membership=world.finance_membership)
    page = finance.get(reverse("orders:summary", args=[summary.pk])).content.decode()
    assert "/orders/reports/" not in page
    dashboard = finance.get(reverse("orders:dashboard")).content.decode()
    assert reverse("orders:dashboard_report", args=["reports"]) not in dashboard
    assert finance.get(reverse("orders:dashboard_report", args=["reports"])).status_code == 403


def test_a_service_without_incidents_says_so(world, coordinator):
    order = world.offered(service="transport").orders.get()
    response = coordinator.get(reverse("orders:report_create", args=[order.pk, "incident"]), follow=True)
    assert "This service does not take this kind of report." in response.content.decode()


def test_a_declined_summary_is_corrected_and_offered_to_another_provider(world, worker):
    summary = world.offered()
    offer_services.decline_summary(actor=world.coordinator, summary=summary, reason="No staff")
    url = reverse("orders:edit", args=[summary.pk])
    data = {
        "provider": world.other_provider.pk,
        "client_name": "Mélissa Rachyl-Doucet",
        "service": summary.service_id,
        "zone": summary.zone_id,
        "service_centre": summary.service_centre_id,
        "start_date": summary.start_date.isoformat(),
        "end_date": summary.start_date.replace(year=2000).isoformat(),
        "notes_for_provider": "",
    }
    response = worker.post(url, data)
    assert "The end date cannot be before the start date." in response.content.decode()
    data["end_date"] = summary.end_date.isoformat()
    assert worker.post(url, data)["Location"] == reverse("orders:summary", args=[summary.pk])
    summary.refresh_from_db()
    assert summary.provider == world.other_provider and summary.client_name_search == "melissa rachyl-doucet"
    summary_services.offer_summary(actor=world.worker, summary=summary)
    assert OrderSummary.objects.filter(
        pk=summary.pk, status=S.OFFERED, provider=world.other_provider
    ).exists()
    # Once the provider holds it, it is no longer corrected here.
    response = worker.get(url, follow=True)
    assert "can be corrected" in response.content.decode()


def test_the_department_cancels_one_order_after_confirming(world, worker):
    summary = summary_services.set_pending(actor=world.worker, summary=world.activated())
    amendment = summary_services.amend_summary(
        actor=world.worker,
        summary=summary,
        order={
            "effective_date": timezone.localdate(),
            "per": "week",
            "base_units": Decimal(-5),
            "base_rate": Decimal(0),
            "km_units": Decimal(0),
            "other_monthly_cost": Decimal(0),
            "client_contribution": Decimal(0),
        },
    )
    url = reverse("orders:order_cancel", args=[amendment.pk])
    assert "You will not be able to go back on this" in worker.get(url).content.decode()
    worker.post(url)
    amendment.refresh_from_db()
    assert amendment.status == S.CANCELLED
    response = worker.post(url, follow=True)
    assert "already cancelled" in response.content.decode()


def test_a_first_order_cannot_have_negative_amounts(world, worker):
    from orders.models import ServiceCentre, ServiceType, Zone

    today = timezone.localdate()
    data = {
        "provider": world.provider.pk,
        "client_name": "Brighton Early",
        "service": ServiceType.objects.get(code="home-support").pk,
        "zone": Zone.objects.get(code="central").pk,
        "service_centre": ServiceCentre.objects.get(code="sussex").pk,
        "start_date": today.isoformat(),
        "end_date": today.replace(year=today.year + 1).isoformat(),
        "worker": world.worker.pk,
        "effective_date": today.isoformat(),
        "per": "week",
        "base_units": "-5",
        "base_rate": "30.09",
        "km_units": "0",
        "other_monthly_cost": "0",
        "client_contribution": "-3",
    }
    response = worker.post(reverse("orders:summary_create"), data)
    page = response.content.decode()
    assert 'id="id_base_units_errors"' in page and 'id="id_client_contribution_errors"' in page
    assert not OrderSummary.objects.exists()
