"""Service reports: what a provider may report on an order in its status (incidents,
observation changes, change requests, miscellaneous requests), the department taking them into
account, and each report's thread between the two. Keyword-only, atomic.
"""

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.models import (
    Order,
    OrderSummary,
    ReportKind,
    ReportMessage,
    ServiceReport,
    SummaryStatus,
)
from orders.roles import CARE_COORDINATION_ROLES
from orders.summaries.services import SUMMARY_FLOW, next_record_number
from portal import services as portal_services
from portal.models import User
from portal.selectors import members_with_roles
from portal.workflow import ActionError

S = SummaryStatus

# While Pending (a worker adjusting the order) reports are still needed; only monthly
# confirmations wait (the guide).
REPORTABLE: dict[str, tuple[str, ...]] = {
    ReportKind.INCIDENT: (S.ACTIVATED, S.PENDING),
    ReportKind.OBSERVATION: (S.ACTIVATED, S.PENDING),
    ReportKind.CHANGE: (S.ACTIVATED, S.PENDING),
    ReportKind.MISCELLANEOUS: (S.CANCELLED, S.TERMINATED, S.EXPIRED),
}


def allowed_report_kinds(summary: OrderSummary) -> list[str]:
    """The report kinds this summary's status and service allow, in the guide's order."""
    kinds = [kind for kind, statuses in REPORTABLE.items() if summary.status in statuses]
    if not summary.service.allows_incident:
        kinds = [k for k in kinds if k != ReportKind.INCIDENT]
    if not summary.service.allows_observation:
        kinds = [k for k in kinds if k != ReportKind.OBSERVATION]
    return kinds


def _check_reportable(summary: OrderSummary, kind: str) -> None:
    if kind not in allowed_report_kinds(summary):
        if summary.status in REPORTABLE[kind]:
            raise ActionError(_("This service does not take this kind of report. Nothing was recorded."))
        raise SUMMARY_FLOW.refuse(summary, REPORTABLE[kind])


def review_report(*, order: Order, kind: str) -> None:
    """The status check of log_report, before a review page (nothing written, nothing locked)."""
    _check_reportable(order.summary, kind)


@transaction.atomic
def log_report(
    *, actor: User, order: Order, kind: str, types: Any = (), measures: Any = (), **fields: Any
) -> ServiceReport:
    """Record a service report; the assigned worker gets a task and an email."""
    summary = SUMMARY_FLOW.lock(order.summary)
    _check_reportable(summary, kind)
    occurred_on = fields.get("occurred_on")
    if occurred_on and occurred_on < summary.start_date:
        raise ActionError({"occurred_on": _("This date is before the service started.")})
    report = ServiceReport.objects.create(
        number=next_record_number(ServiceReport),
        kind=kind,
        order=order,
        summary=summary,
        created_by=actor,
        **fields,
    )
    report.types.set(types)
    report.measures.set(measures)
    portal_services.create_task(
        assignee=summary.worker,
        organization=summary.department,
        title=_("New service report %(report)s on %(number)s"),
        params={"report": report.number, "number": summary.number},
        due_date=timezone.localdate() + timedelta(days=1 if kind == ReportKind.INCIDENT else 5),
        link=reverse("orders:report", args=[report.pk]),
        key=f"orders:report:{report.pk}",
        record=report,
        purpose="report",
        send_email=True,
        title_in_email=True,
    )
    return report


@transaction.atomic
def acknowledge_report(*, actor: User, report: ServiceReport) -> ServiceReport:
    report = ServiceReport.objects.select_for_update().get(pk=report.pk)
    if report.acknowledged_at is None:
        report.acknowledged_at = timezone.now()
        report.acknowledged_by = actor
        report.save(update_fields=["acknowledged_at", "acknowledged_by"])
    # The worker's "New service report …" task is done once the report is taken into account,
    # whoever acknowledged it (the task may have been handed over to a colleague).
    portal_services.complete_tasks(record=report, purpose="report")
    return report


@transaction.atomic
def post_report_message(
    *, actor: User, report: ServiceReport, body: str | None, from_department: bool
) -> ReportMessage:
    """A message on the report's thread, which both sides see on the report. The department's
    reply emails the provider's care coordination people, the provider's message the summary's
    worker, each in their language: the report's number and a link only."""
    body = (body or "").strip()
    if not body:
        raise ActionError({"body": _("Write your message.")})
    message = ReportMessage.objects.create(report=report, author=actor, body=body, from_department=from_department)
    summary = report.summary
    recipients = (
        list(members_with_roles(summary.provider, CARE_COORDINATION_ROLES)) if from_department else [summary.worker]
    )
    for user in recipients:
        if user.pk == actor.pk:
            continue
        portal_services.notify(
            key=f"orders:report-message:{message.pk}:{user.pk}",
            template="orders/emails/report_message",
            recipient=user,
            link=reverse("orders:report", args=[report.pk]) + "#thread",
            context={"number": summary.number, "report": report.number},
        )
    return message
