"""Service-order summaries' entries in the cross-app suites, kept next to their code.

tests/registry.py collects them (APP_REGISTRIES): object URLs for the permission matrix, pages
without an object for its 403 half, pages for the accessibility suite and lists searched by
personal details. The entries' shapes (ObjectURL, Page, PersonalSearch) are documented there.
Reach these entries through tests.registry (importing this module first is a circular import).
"""

from django.urls import reverse

from tests.registry import WORKER, ObjectURL, Page, PersonalSearch, _pick

OBJECT_URLS: list[ObjectURL] = []
CAPABILITY_PAGES: list[tuple] = []
PAGES: list[Page] = []


def _orders_summary(organization, status="activated"):
    """A summary owned by `organization` (as its department or as its provider), in `status`."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from orders.models import ServiceCentre, ServiceType, Zone
    from orders.offers import services as offer_services
    from orders.reference import ensure_reference_data
    from orders.summaries import services as summary_services
    from tests.factories import OrganizationFactory, UserFactory

    ensure_reference_data()
    if organization.kind == "department":
        department, provider = organization, OrganizationFactory(kind="provider_agency")
    else:
        department, provider = OrganizationFactory(kind="department"), organization
    worker = UserFactory()
    today = timezone.localdate()
    summary = summary_services.create_summary(
        actor=worker,
        department=department,
        provider=provider,
        client_name="Test Client",
        service=ServiceType.objects.get(code="home-support"),
        zone=Zone.objects.get(code="central"),
        service_centre=ServiceCentre.objects.get(code="sussex"),
        start_date=today - timedelta(days=40),
        end_date=today + timedelta(days=300),
        worker=worker,
        order=dict(
            effective_date=today - timedelta(days=40),
            per="week",
            base_units=Decimal(1),
            base_rate=Decimal(1),
            km_units=Decimal(0),
            other_monthly_cost=Decimal(0),
            client_contribution=Decimal(0),
        ),
    )
    if status != "draft":
        summary = summary_services.offer_summary(actor=worker, summary=summary)
    if status in ("activated", "pending"):
        summary = offer_services.accept_summary(actor=worker, summary=summary)
    if status == "pending":
        summary = summary_services.set_pending(actor=worker, summary=summary)
    return summary


def _cancellable_order(organization):
    """An order that can be cancelled alone: an amendment of a Pending summary (its first order
    remains; a summary's only remaining order is not cancelled alone)."""
    return _amendment_of(_orders_summary(organization, "pending"))


def _amendment_of(summary):
    """An amendment added to a Pending summary: an order that can be cancelled alone."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from orders.summaries import services as summary_services

    return summary_services.amend_summary(
        actor=summary.worker,
        summary=summary,
        order=dict(
            effective_date=timezone.localdate() + timedelta(days=1),
            per="week",
            base_units=Decimal(2),
            base_rate=Decimal(1),
            km_units=Decimal(0),
            other_monthly_cost=Decimal(0),
            client_contribution=Decimal(0),
        ),
    )


def _orders_report(organization):
    from orders.models import ReportKind
    from orders.reports import services as report_services

    summary = _orders_summary(organization)
    return report_services.log_report(
        actor=summary.worker, order=summary.orders.get(), kind=ReportKind.CHANGE, description="x"
    )


def _orders_confirmation(organization):
    from decimal import Decimal

    from django.utils import timezone

    from orders.confirmations import services as confirmation_services

    summary = _orders_summary(organization)
    return confirmation_services.confirm_month(
        actor=summary.worker,
        order=summary.orders.get(),
        month=timezone.localdate().replace(day=1),
        units_delivered=Decimal(1),
        km_delivered=Decimal(0),
    )


PROVIDER = ("provider_agency",)
DEPARTMENT = ("department",)
BOTH = ("department", "provider_agency")

OBJECT_URLS += [
    ObjectURL(
        "orders:summary",
        "orders.view",
        BOTH,
        lambda org: reverse("orders:summary", args=[_orders_summary(org).pk]),
    ),
    ObjectURL(
        "orders:summary_reports",
        "orders.view_reports",
        BOTH,
        lambda org: reverse("orders:summary_reports", args=[_orders_summary(org).pk]),
    ),
    ObjectURL(
        "orders:order",
        "orders.view",
        BOTH,
        lambda org: reverse("orders:order", args=[_orders_summary(org).orders.get().pk]),
    ),
    ObjectURL(
        "orders:report",
        "orders.view_reports",
        BOTH,
        lambda org: reverse("orders:report", args=[_orders_report(org).pk]),
    ),
    ObjectURL(
        "orders:report_done",
        "orders.view_reports",
        BOTH,
        lambda org: reverse("orders:report_done", args=[_orders_report(org).pk]),
    ),
    ObjectURL(
        "orders:respond",
        "orders.respond",
        PROVIDER,
        lambda org: reverse("orders:respond", args=[_orders_summary(org, "offered").pk]),
    ),
    ObjectURL(
        "orders:report_create",
        "orders.report",
        PROVIDER,
        lambda org: reverse("orders:report_create", args=[_orders_summary(org).orders.get().pk, "incident"]),
    ),
    ObjectURL(
        "orders:confirm_month",
        "orders.report",
        PROVIDER,
        lambda org: reverse("orders:confirm_month", args=[_orders_summary(org).orders.get().pk]),
    ),
    ObjectURL(
        "orders:confirmation",
        "orders.view",
        BOTH,
        lambda org: reverse("orders:confirmation", args=[_orders_confirmation(org).pk]),
    ),
    ObjectURL(
        "orders:confirmation_correct",
        "orders.report",
        PROVIDER,
        lambda org: reverse("orders:confirmation_correct", args=[_orders_confirmation(org).pk]),
    ),
    ObjectURL(
        "orders:amend",
        "orders.manage",
        DEPARTMENT,
        lambda org: reverse("orders:amend", args=[_orders_summary(org, "pending").pk]),
    ),
    ObjectURL(
        "orders:order_cancel",
        "orders.manage",
        DEPARTMENT,
        lambda org: reverse("orders:order_cancel", args=[_cancellable_order(org).pk]),
    ),
    ObjectURL(
        "orders:edit",
        "orders.manage",
        DEPARTMENT,
        lambda org: reverse("orders:edit", args=[_orders_summary(org, "draft").pk]),
    ),
    ObjectURL(
        "orders:worker",
        "orders.manage",
        DEPARTMENT,
        lambda org: reverse("orders:worker", args=[_orders_summary(org).pk]),
    ),
]

CAPABILITY_PAGES += [
    ("orders:requests", (), "orders.requests"),
    ("orders:department_list", (), "orders.manage"),
    ("orders:summary_create", (), "orders.manage"),
    ("orders:report_list", (), "orders.view_reports"),
    ("orders:dashboard", (), "orders.dashboard"),
    ("orders:dashboard_report", ("new",), "orders.dashboard"),
    ("orders:dashboard_report", ("expired",), "orders.dashboard"),
]


def _demo_summary(world, status, provider="provider"):
    from orders.models import OrderSummary

    return (
        OrderSummary.objects.filter(provider=world["organizations"][provider], status=status)
        .order_by("pk")
        .first()
    )


def _demo_cancellable_order(world):
    """An order of a demo Pending summary that can be cancelled alone (another order remains; a
    summary's only remaining order is not): the demo's own, else an amendment added to it."""
    from orders.models import SummaryStatus

    summary = _demo_summary(world, "pending")
    live = list(summary.orders.exclude(status=SummaryStatus.CANCELLED).order_by("pk"))
    if len(live) >= 2:
        return live[-1]
    return _amendment_of(summary)


COORDINATION = "coordination@demo.liaison.ca"
FINANCE_AND_COORDINATION = "financecoord@demo.liaison.ca"

PAGES += [
    Page(
        "orders-offered",
        lambda w: reverse("orders:requests") + "?tab=offered",
        account=FINANCE_AND_COORDINATION,
    ),
    Page("orders-active", lambda w: reverse("orders:requests") + "?tab=active", account=COORDINATION),
    # The provider's home page: its offers awaiting an answer, their age and counts.
    Page("orders-provider-home", lambda w: reverse("portal:home"), account=COORDINATION),
    Page(
        "orders-search",
        lambda w: reverse("orders:requests") + "?tab=search",
        account=COORDINATION,
        search={"account_name": "a"},
    ),
    Page(
        "orders-summary-provider",
        lambda w: reverse("orders:summary", args=[_demo_summary(w, "offered").pk]),
        account=FINANCE_AND_COORDINATION,
    ),
    Page(
        "orders-respond",
        lambda w: reverse("orders:respond", args=[_demo_summary(w, "offered").pk]),
        account=COORDINATION,
    ),
    Page(
        "orders-order",
        lambda w: reverse("orders:order", args=[_demo_summary(w, "activated").orders.first().pk]),
        account=FINANCE_AND_COORDINATION,
    ),
    Page(
        "orders-incident",
        lambda w: reverse(
            "orders:report_create", args=[_demo_summary(w, "activated").orders.first().pk, "incident"]
        ),
        account=COORDINATION,
    ),
    Page(
        "orders-observation",
        lambda w: reverse(
            "orders:report_create", args=[_demo_summary(w, "activated").orders.first().pk, "observation"]
        ),
        account=COORDINATION,
    ),
    Page(
        "orders-change-category",
        lambda w: reverse(
            "orders:report_create", args=[_demo_summary(w, "activated").orders.first().pk, "change"]
        ),
        account=COORDINATION,
    ),
    Page(
        "orders-change",
        lambda w: (
            reverse("orders:report_create", args=[_demo_summary(w, "activated").orders.first().pk, "change"])
            + "?category="
            + str(_first_category())
        ),
        account=COORDINATION,
    ),
    Page(
        "orders-miscellaneous",
        lambda w: reverse(
            "orders:report_create", args=[_demo_summary(w, "terminated").orders.first().pk, "miscellaneous"]
        ),
        account=COORDINATION,
    ),
    Page(
        "orders-confirm-month",
        lambda w: reverse("orders:confirm_month", args=[_demo_summary(w, "activated").orders.first().pk]),
        account=COORDINATION,
    ),
    Page(
        "orders-confirmation",
        lambda w: reverse("orders:confirmation", args=[_demo_confirmation(w).pk]),
        account=COORDINATION,
    ),
    Page(
        "orders-confirmation-correct",
        lambda w: reverse("orders:confirmation_correct", args=[_demo_confirmation(w).pk]),
        account=COORDINATION,
    ),
    Page(
        "orders-dashboard-expired",
        lambda w: reverse("orders:dashboard_report", args=["expired"]),
        account=FINANCE_AND_COORDINATION,
    ),
    Page(
        "orders-report", lambda w: reverse("orders:report", args=[_demo_report(w).pk]), account=COORDINATION
    ),
    Page(
        "orders-report-recorded",
        lambda w: reverse("orders:report_done", args=[_demo_report(w).pk]),
        account=COORDINATION,
    ),
    Page("orders-reports", lambda w: reverse("orders:report_list"), account=COORDINATION),
    Page("orders-dashboard", lambda w: reverse("orders:dashboard"), account=FINANCE_AND_COORDINATION),
    Page(
        "orders-dashboard-report",
        lambda w: reverse("orders:dashboard_report", args=["reports"]),
        account=FINANCE_AND_COORDINATION,
    ),
    Page("orders-department-list", lambda w: reverse("orders:department_list"), account=WORKER),
    Page(
        "orders-summary-department",
        lambda w: reverse("orders:summary", args=[_demo_summary(w, "declined").pk]),
        account=WORKER,
    ),
    Page("orders-new-summary", lambda w: reverse("orders:summary_create"), account=WORKER),
    Page(
        "orders-order-cancel",
        lambda w: reverse("orders:order_cancel", args=[_demo_cancellable_order(w).pk]),
        account=WORKER,
    ),
    Page(
        "orders-edit",
        lambda w: reverse("orders:edit", args=[_demo_summary(w, "declined").pk]),
        account=WORKER,
    ),
    Page(
        "orders-amend",
        lambda w: reverse("orders:amend", args=[_demo_summary(w, "pending").pk]),
        account=WORKER,
    ),
    Page(
        "orders-worker",
        lambda w: reverse("orders:worker", args=[_demo_summary(w, "activated").pk]),
        account=WORKER,
    ),
]


def _first_category():
    from orders.models import ChangeCategory

    return ChangeCategory.objects.order_by("position").first().pk


def _demo_confirmation(world):
    from orders.models import MonthlyConfirmation

    return (
        MonthlyConfirmation.objects.filter(
            order__summary__provider=world["organizations"]["provider"], order__summary__status="activated"
        )
        .order_by("pk")
        .first()
    )


def _demo_report(world):
    from orders.models import ServiceReport

    return ServiceReport.objects.filter(summary__provider=world["organizations"]["provider"]).first()


def _probe_order_search(user):
    from orders import selectors

    orders = selectors.orders_for(user).select_related("summary")[:50]
    typed, found, other = _pick(
        orders, lambda order: (order.summary.client_name.split()[-1],), lambda order: order.number
    )
    return {"account_name": typed}, "tab=search", found, other


def _probe_summaries(user):
    from orders import selectors

    summaries = selectors.summaries_for(user)[:50]
    typed, found, other = _pick(
        summaries, lambda summary: (summary.client_name.split()[-1],), lambda summary: summary.number
    )
    return {"q": typed}, "", found, other


PERSONAL_SEARCHES = [
    PersonalSearch("orders:requests", COORDINATION, _probe_order_search),
    PersonalSearch("orders:department_list", WORKER, _probe_summaries),
]
