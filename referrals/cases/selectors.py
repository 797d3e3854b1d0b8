"""Reads of employment case management, scoped to the active organization in the query.

An agency sees its own cases; a department sees, read-only, the cases whose accountability
agreement (Case.agreement, set when the case is opened and again on transfer) is one of its own
agreements. An agreement with an agency is not a key to that agency's other cases: those opened
under another department's agreement stay out of reach. Business partners: the public ones and the
agency's private ones.
"""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from portal.models import Notification, Organization, OrganizationKind, Task, User
from portal.selectors import about, active_organization, members_with_roles
from referrals.models import (
    Agreement,
    Case,
    CaseDocument,
)

CASE_MANAGER_ROLES = ("referrals.case_manager", "referrals.agency_supervisor")


# Reasons given to portal.scoping for reads that apply their own organization rule.
VISIBLE = "visible to the active organization (agency_filter)"


DEPARTMENT = "the department's agreements"


OF_CASE = "about a case fetched through a selector"


def agency_filter(organization: Organization | None, prefix: str = "") -> Q:
    """The cases (through `prefix`) the organization reads: every case a page of a case, its
    documents, prints, funding requests and the accountability report reach goes through here."""
    if organization is None:
        return Q(pk__in=[])
    if organization.kind == OrganizationKind.DEPARTMENT:
        # The case's own accountability agreement, not "any agreement with its agency": the
        # guide's agreement holder answers for the clients served under that agreement.
        agreements = Agreement.objects.scoped(DEPARTMENT).filter(department=organization).values("pk")
        return Q(**{f"{prefix}agreement__in": agreements})
    if organization.kind == OrganizationKind.EMPLOYMENT_AGENCY:
        return Q(**{f"{prefix}agency": organization})
    return Q(pk__in=[])


def is_department(user: User) -> bool:
    organization = active_organization(user)
    return organization is not None and organization.kind == OrganizationKind.DEPARTMENT


def cases_for(user: User) -> QuerySet[Case]:
    return (
        Case.objects.scoped(VISIBLE)
        .filter(agency_filter(active_organization(user)))
        .select_related("person", "program", "agency", "office", "case_manager")
    )


def get_case_for_user(user: User, number: int) -> Case:
    return get_object_or_404(cases_for(user), number=number)


def case_managers(agency: Organization) -> QuerySet[User]:
    return members_with_roles(agency, CASE_MANAGER_ROLES)


def case_tasks(case: Case) -> QuerySet[Task]:
    """The open tasks about this case (whoever holds them), for the case home page."""
    return (
        Task.objects.scoped(OF_CASE)
        .filter(about(case), done_at__isnull=True)
        .select_related("assignee", "created_by")
        .order_by("due_date", "pk")
    )


def case_notifications(case: Case, user: User) -> QuerySet[Notification]:
    """This person's unread notifications about the case, for the case home page."""
    return (
        Notification.objects.for_user(user)
        .filter(about(case), read_at__isnull=True)
        .order_by("due_date", "pk")
    )


def documents_of(case: Case) -> QuerySet[CaseDocument]:
    return case.documents.select_related("uploaded_by")


def get_document_for_user(user: User, pk: int) -> CaseDocument:
    return get_object_or_404(
        CaseDocument.objects.scoped(VISIBLE).filter(case__in=cases_for(user)).select_related("case"), pk=pk
    )
