"""Reads of the service orders portal, scoped to the active organization in the query.

A department sees the summaries it issued; a provider sees the summaries addressed to it, except
drafts, revoked offers and the ones it declined.
"""

from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from orders.models import (
    ACTIVE_STATUSES,
    HIDDEN_FROM_PROVIDER,
    ConfirmationCorrection,
    MonthlyConfirmation,
    Order,
    OrderSummary,
    ReportKind,
    ReportMessage,
    ServiceReport,
    SummaryEvent,
    SummaryStatus,
)
from portal.models import Organization, OrganizationKind, User
from portal.selectors import active_organization

S = SummaryStatus
# The reason given to portal.scoping: _visible() filters by the organization, in the query.
VISIBLE = "visible to the active organization"


def _visible(organization: Organization | None, prefix: str = "") -> Q:
    """The summaries this organization may see, as a filter (prefix: the path to the summary)."""
    if organization is None:
        return Q(pk__in=[])
    if organization.kind == OrganizationKind.DEPARTMENT:
        return Q(**{f"{prefix}department": organization})
    return Q(**{f"{prefix}provider": organization}) & ~Q(**{f"{prefix}status__in": HIDDEN_FROM_PROVIDER})


def summaries_for(user: User) -> QuerySet[OrderSummary]:
    return (
        OrderSummary.objects.scoped(VISIBLE)
        .filter(_visible(active_organization(user)))
        .select_related("service", "zone", "service_centre", "provider", "department", "worker")
    )


def orders_for(user: User) -> QuerySet[Order]:
    return (
        Order.objects.scoped(VISIBLE)
        .filter(_visible(active_organization(user), "summary__"))
        .select_related("summary", "summary__service", "summary__zone", "summary__service_centre")
    )


def reports_for(user: User) -> QuerySet[ServiceReport]:
    return (
        ServiceReport.objects.scoped(VISIBLE)
        .filter(_visible(active_organization(user), "summary__"))
        .select_related("summary", "order", "created_by", "acknowledged_by")
    )


def no_longer_available(user: User, pk: int) -> dict[str, Any] | None:
    """A summary this provider was offered, then lost (declined, revoked): what happened, instead of a
    bare 404. None when there is nothing to say (another organization's summary, a department)."""
    organization = active_organization(user)
    if organization is None or organization.kind == OrganizationKind.DEPARTMENT:
        return None
    summary = (
        OrderSummary.objects.for_organization(organization)
        .filter(pk=pk, provider=organization, status__in=(S.DECLINED, S.REVOKED))
        .first()
    )
    if summary is None:
        return None
    event = None
    if summary.status == S.DECLINED:
        # The provider declined it itself: say who, when and with which reason (its own words).
        event = (
            SummaryEvent.objects.for_organization(organization)
            .filter(summary=summary, to_status=S.DECLINED)
            .select_related("actor")
            .order_by("-at", "-pk")
            .first()
        )
    return {
        "summary": summary,
        "declined": summary.status == S.DECLINED,
        "event": event,
        "by_you": bool(event and event.actor_id == user.pk),
    }


def get_summary_for_user(user: User, pk: int) -> OrderSummary:
    return get_object_or_404(summaries_for(user), pk=pk)


def get_order_for_user(user: User, pk: int) -> Order:
    return get_object_or_404(orders_for(user), pk=pk)


def get_report_for_user(user: User, pk: int) -> ServiceReport:
    return get_object_or_404(
        reports_for(user).prefetch_related("types", "measures").select_related("category"), pk=pk
    )


TABS = {
    "offered": (S.OFFERED,),
    "active": ACTIVE_STATUSES,
    # Ended either way: terminated by the department, or expired at the end of its period.
    "terminated": (S.TERMINATED, S.EXPIRED),
    "cancelled": (S.CANCELLED,),
}


def requests_tab(user: User, tab: str) -> QuerySet[OrderSummary]:
    return summaries_for(user).filter(status__in=TABS[tab])


# Home-page tile counts (issue 18): what waits for the person, one COUNT query each, scoped to the
# active organization through summaries_for / reports_for.


def offers_awaiting_answer_count(user: User) -> int:
    return requests_tab(user, "offered").count()


def drafts_to_complete_count(user: User) -> int:
    return summaries_for(user).filter(status=S.DRAFT, worker=user).count()


def reports_to_acknowledge_count(user: User) -> int | None:
    """The department's reports nobody has acknowledged yet; a provider has nothing to acknowledge."""
    organization = active_organization(user)
    if organization is None or organization.kind != OrganizationKind.DEPARTMENT:
        return None
    return reports_for(user).filter(acknowledged_at__isnull=True).count()


def summary_orders(summary: OrderSummary) -> QuerySet[Order]:
    return summary.orders.order_by("effective_date", "pk")


def summary_reports(summary: OrderSummary) -> QuerySet[ServiceReport]:
    return summary.reports.select_related("order", "created_by").order_by("-created_at", "-pk")


def report_thread(report: ServiceReport) -> QuerySet[ReportMessage]:
    """The report's messages between the department and the provider, oldest first."""
    return (
        ReportMessage.objects.scoped("the thread of a report fetched through a selector")
        .filter(report=report)
        .select_related("author")
        .order_by("created_at", "pk")
    )


def summary_history(summary: OrderSummary) -> QuerySet[SummaryEvent]:
    return summary.events.select_related("actor").order_by("-at", "-pk")


def summary_confirmations(summary: OrderSummary) -> QuerySet[MonthlyConfirmation]:
    return (
        MonthlyConfirmation.objects.scoped("of a summary fetched through a selector")
        .filter(order__summary=summary)
        .select_related("order", "created_by")
        .order_by("-month", "order__number")
    )


def order_confirmations(order: Order) -> QuerySet[MonthlyConfirmation]:
    return order.confirmations.select_related("created_by").order_by("-month")


def get_confirmation_for_user(user: User, pk: int) -> MonthlyConfirmation:
    return get_object_or_404(
        MonthlyConfirmation.objects.scoped(VISIBLE)
        .filter(_visible(active_organization(user), "order__summary__"))
        .select_related(
            "order", "order__summary", "order__summary__service", "created_by", "acknowledged_by"
        ),
        pk=pk,
    )


def confirmation_corrections(confirmation: MonthlyConfirmation) -> QuerySet[ConfirmationCorrection]:
    return confirmation.corrections.select_related("actor").order_by("-at", "-pk")


# What changed on a summary since a provider's person last opened it ------------------------------

CHANGE_ACTIONS = ("amended", "order_cancelled")


def changes_since(summary: OrderSummary, since: datetime | None) -> list[dict[str, Any]]:
    """The orders added or cancelled since then, oldest first; each added one with the order in
    effect before it (units, rate and effective date, before → after). Nothing while Pending: the
    worker is still adjusting, and the provider is emailed once it is activated again."""
    if summary.status == S.PENDING:
        return []
    recent = summary.events.filter(action__in=CHANGE_ACTIONS)
    if since is not None:
        recent = recent.filter(at__gt=since)
    else:
        # Never opened by this person (a colleague accepted it): the last adjustment is news to them.
        pending = summary.events.filter(action="pending").order_by("-at", "-pk").values_list("pk", flat=True)
        if not pending:
            return []
        recent = recent.filter(pk__gt=pending[0])
    events = list(recent.order_by("at", "pk").only("action", "note"))
    if not events:
        return []
    orders = list(summary.orders.order_by("effective_date", "pk"))
    by_number = {order.number: order for order in orders}
    changes = []
    for event in events:
        order = by_number.get(event.note)
        if order is None:
            continue
        if event.action == "order_cancelled":
            changes.append({"kind": "cancelled", "order": order})
            continue
        if order.status == S.CANCELLED:
            continue  # added then cancelled meanwhile: nothing to show
        earlier = [
            other
            for other in orders
            if other.status != S.CANCELLED
            and other.pk != order.pk
            and (other.effective_date, other.pk) < (order.effective_date, order.pk)
        ]
        changes.append({"kind": "added", "order": order, "before": earlier[-1] if earlier else None})
    return changes


# Dashboard ------------------------------------------------------------------------------------


def dashboard_rows(user: User, block: str, today: date | None = None) -> QuerySet[Any]:
    """The rows behind a dashboard block ("View report" and exports list the same rows)."""
    today = today or timezone.localdate()
    summaries = summaries_for(user)
    if block == "all":
        return summaries.order_by("-created_at", "-pk")
    if block == "new":
        return summaries.filter(sent_at__date__gte=today - timedelta(days=30)).order_by("-sent_at")
    if block == "expiring":
        return summaries.filter(
            status__in=ACTIVE_STATUSES, end_date__gte=today, end_date__lte=today + timedelta(days=30)
        ).order_by("end_date")
    if block == "activated":
        # Past its end date a summary is no longer active, even before the hourly job expires it.
        return summaries.filter(status__in=ACTIVE_STATUSES, end_date__gte=today).order_by("number")
    if block == "terminated":
        return summaries.filter(status=S.TERMINATED).order_by("-end_date")
    if block == "expired":
        return summaries.filter(
            Q(status=S.EXPIRED) | Q(status__in=ACTIVE_STATUSES, end_date__lt=today)
        ).order_by("-end_date", "number")
    if block == "mileage":
        return (
            MonthlyConfirmation.objects.scoped(VISIBLE)
            .filter(_visible(active_organization(user), "order__summary__"))
            .select_related("order", "order__summary")
            .order_by("-month", "order__number")
        )
    if block == "reports":
        return reports_for(user).order_by("-created_at")
    raise KeyError(block)


def dashboard_figures(user: User, today: date | None = None) -> dict[str, Any]:
    """Counts per block in a constant number of queries."""
    today = today or timezone.localdate()
    summaries = summaries_for(user)
    counts = summaries.aggregate(
        all=Count("pk"),
        new=Count("pk", filter=Q(sent_at__date__gte=today - timedelta(days=30))),
        expiring=Count(
            "pk",
            filter=Q(
                status__in=ACTIVE_STATUSES, end_date__gte=today, end_date__lte=today + timedelta(days=30)
            ),
        ),
        activated=Count("pk", filter=Q(status__in=ACTIVE_STATUSES, end_date__gte=today)),
        terminated=Count("pk", filter=Q(status=S.TERMINATED)),
        expired=Count("pk", filter=Q(status=S.EXPIRED) | Q(status__in=ACTIVE_STATUSES, end_date__lt=today)),
    )
    mileage = dashboard_rows(user, "mileage").aggregate(km=Sum("km_delivered"), months=Count("pk"))
    by_kind = dict(
        reports_for(user).values_list("kind").annotate(total=Count("pk")).values_list("kind", "total")
    )
    reports = [(kind, label, by_kind.get(kind, 0)) for kind, label in ReportKind.choices]
    return {
        **counts,
        "km": mileage["km"] or 0,
        "confirmations": mileage["months"],
        "reports": reports,
        "reports_total": sum(total for _kind, _label, total in reports),
        "reports_max": max([total for _kind, _label, total in reports] + [1]),
    }
