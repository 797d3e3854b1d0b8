"""Reads of employment case management, scoped to the active organization in the query.

An agency sees its own cases; a department sees, read-only, the cases whose accountability
agreement (Case.agreement, set when the case is opened and again on transfer) is one of its own
agreements. An agreement with an agency is not a key to that agency's other cases: those opened
under another department's agreement stay out of reach. Business partners: the public ones and the
agency's private ones.
"""

from django.db.models import Count, Prefetch, Q, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from portal.db import folded_q, order_by_name
from portal.models import Task
from portal.selectors import active_organization, members_with_roles
from referrals.models import (
    SENT_STATUSES,
    Agreement,
    Barrier,
    BusinessPartner,
    Case,
    CaseDocument,
    ContractableAgency,
    CorrespondenceTemplate,
    Dimension,
    FundingRequest,
    FundingStatus,
    Intervention,
    Office,
    PlanPrint,
    Referral,
    ReferralType,
    TransferStatus,
)

CASE_MANAGER_ROLES = ("referrals.case_manager", "referrals.agency_supervisor")

# Reasons given to portal.scoping for reads that apply their own organization rule.
VISIBLE = "visible to the active organization (_agency_filter)"
DEPARTMENT = "the department's agreements"
OF_CASE = "about a case fetched through a selector"


def _agency_filter(organization, prefix=""):
    """The cases (through `prefix`) the organization reads: every case a page of a case, its
    documents, prints, funding requests and the accountability report reach goes through here."""
    if organization is None:
        return Q(pk__in=[])
    if organization.kind == "department":
        # The case's own accountability agreement, not "any agreement with its agency": the
        # guide's agreement holder answers for the clients served under that agreement.
        agreements = Agreement.objects.scoped(DEPARTMENT).filter(department=organization).values("pk")
        return Q(**{f"{prefix}agreement__in": agreements})
    if organization.kind == "employment_agency":
        return Q(**{f"{prefix}agency": organization})
    return Q(pk__in=[])


def is_department(user):
    organization = active_organization(user)
    return organization is not None and organization.kind == "department"


def cases_for(user):
    return (
        Case.objects.scoped(VISIBLE)
        .filter(_agency_filter(active_organization(user)))
        .select_related("person", "program", "agency", "office", "case_manager")
    )


def get_case_for_user(user, number):
    return get_object_or_404(cases_for(user), number=number)


def case_managers(agency):
    return members_with_roles(agency, CASE_MANAGER_ROLES)


def offices_for(agency):
    return Office.objects.for_organization(agency).filter(is_active=True)


def case_tasks(case):
    """The open tasks about this case (whoever holds them), for the case home page."""
    return (
        Task.objects.scoped(OF_CASE)
        .filter(key__contains=f":referrals.case.{case.pk}.", done_at__isnull=True)
        .select_related("assignee", "created_by")
        .order_by("due_date", "pk")
    )


def case_notifications(case, user):
    """This person's unread notifications about the case, for the case home page."""
    from portal.models import Notification

    return (
        Notification.objects.for_user(user)
        .filter(read_at__isnull=True, key__contains=f":referrals.case.{case.pk}.")
        .order_by("due_date", "pk")
    )


def latest_needs(case):
    return (
        case.needs_determinations.select_related("created_by")
        .prefetch_related(Prefetch("barriers", Barrier.objects.select_related("dimension")))
        .order_by("-version")
        .first()
    )


def needs_versions(case):
    return (
        case.needs_determinations.select_related("created_by")
        .prefetch_related(Prefetch("barriers", Barrier.objects.select_related("dimension")))
        .order_by("-version")
    )


def get_needs_version(case, version):
    return get_object_or_404(needs_versions(case), version=version)


def identified_needs(determination):
    """The "Identified needs" line: the dimensions of the latest determination's barriers."""
    if determination is None:
        return []
    dimensions = {barrier.dimension for barrier in determination.barriers.all()}
    return sorted(dimensions, key=lambda dimension: (dimension.position, dimension.name))


def barriers_by_dimension():
    dimensions = Dimension.objects.filter(is_active=True).prefetch_related(
        Prefetch("barriers", Barrier.objects.filter(is_active=True))
    )
    return [(dimension, list(dimension.barriers.all())) for dimension in dimensions]


def interventions_of(case):
    return (
        case.interventions.select_related(
            "dimension", "intervention_type", "funding_type", "delivering_organization", "local_coordinator"
        )
        .annotate(
            open_funding=Count(
                "funding_requests", filter=Q(funding_requests__status=FundingStatus.SUBMITTED)
            ),
            approved_amount=Sum(
                "funding_requests__amount", filter=Q(funding_requests__status=FundingStatus.APPROVED)
            ),
        )
        .order_by("planned_start", "pk")
    )


def get_intervention(case, pk):
    return get_object_or_404(interventions_of(case), pk=pk)


def funding_requests_of(intervention):
    return intervention.funding_requests.select_related("requested_by", "decided_by").order_by(
        "-requested_at"
    )


def funding_requests_for(user):
    return (
        FundingRequest.objects.scoped(VISIBLE)
        .filter(_agency_filter(active_organization(user), "intervention__case__"))
        .select_related(
            "intervention__case__person",
            "intervention__case__agency",
            "intervention__intervention_type",
            "requested_by",
            "decided_by",
        )
    )


def get_funding_request_for_user(user, pk):
    return get_object_or_404(funding_requests_for(user), pk=pk)


def documents_of(case):
    return case.documents.select_related("uploaded_by")


def get_document_for_user(user, pk):
    return get_object_or_404(
        CaseDocument.objects.scoped(VISIBLE).filter(case__in=cases_for(user)).select_related("case"), pk=pk
    )


def get_plan_print_for_user(user, pk):
    return get_object_or_404(
        PlanPrint.objects.scoped(VISIBLE).filter(case__in=cases_for(user)).select_related("case"), pk=pk
    )


def plan_print_context(case):
    """Everything the printed plan shows (the task renders it without a request)."""
    case = (
        Case.objects.scoped(OF_CASE)
        .select_related("person", "program", "agency", "office", "case_manager")
        .get(pk=case.pk)
    )
    needs = latest_needs(case)
    return {
        "case": case,
        "needs": needs,
        "identified_needs": identified_needs(needs),
        "interventions": list(interventions_of(case)),
    }


# Business partners ---------------------------------------------------------------------------


def partners_for(user):
    """Public partners, plus the private ones of the person's agency."""
    organization = active_organization(user)
    visible = Q(agency__isnull=True)
    if organization is not None and organization.kind == "employment_agency":
        visible |= Q(agency=organization)
    return (
        BusinessPartner.objects.scoped("public, or private to the agency")
        .filter(visible)
        .prefetch_related("services")
        .select_related("agency")
    )


def active_partners_for(user):
    return partners_for(user).filter(is_active=True)


def get_partner_for_user(user, pk):
    return get_object_or_404(partners_for(user), pk=pk)


def recent_partners(user, limit=5):
    """The business partners this person chose most recently (the guide's "Recent business partners")."""
    ids = []
    rows = (
        Intervention.objects.scoped("this person's own choices, shown through partners_for")
        .filter(created_by=user)
        .order_by("-updated_at")
        .values_list("delivering_organization", "local_coordinator")[:50]
    )
    for row in rows:
        for pk in row:
            if pk and pk not in ids:
                ids.append(pk)
    ids = ids[:limit]
    partners = {partner.pk: partner for partner in active_partners_for(user).filter(pk__in=ids)}
    return [partners[pk] for pk in ids if pk in partners]


def search_partners(user, *, name="", service=None, city="", limit=None):
    partners = active_partners_for(user)
    if name:
        partners = partners.filter(folded_q("name", name))
    if service:
        partners = partners.filter(services=service)
    if city:
        partners = partners.filter(folded_q("city", city))
    partners = order_by_name(partners.distinct(), "name")
    return partners[:limit] if limit else partners


# Department ----------------------------------------------------------------------------------


def agreements_for(user):
    organization = active_organization(user)
    return (
        Agreement.objects.scoped(DEPARTMENT)
        .filter(department=organization)
        .select_related("agency", "department")
    )


def contractable_agencies(user):
    """The active agencies the department may sign agreements with (reference data, admin site)."""
    from portal.models import Organization

    organization = active_organization(user)
    if organization is None or organization.kind != "department":
        return Organization.objects.none()
    allowed = ContractableAgency.objects.for_organization(organization).filter(department=organization)
    return order_by_name(
        Organization.objects.filter(
            kind="employment_agency", is_active=True, pk__in=allowed.values("agency")
        ),
        "name",
    )


def get_agreement_for_user(user, pk):
    return get_object_or_404(agreements_for(user), pk=pk)


def agencies_for(user):
    """The agencies a department has agreements with."""
    from portal.models import Organization

    organization = active_organization(user)
    return Organization.objects.filter(
        kind="employment_agency", employment_agreements__department=organization
    ).distinct()


def get_agency_for_user(user, pk):
    return get_object_or_404(agencies_for(user), pk=pk)


def get_office_for_user(user, pk):
    return get_object_or_404(Office.objects.scoped(VISIBLE).filter(agency__in=agencies_for(user)), pk=pk)


# Accountability report -----------------------------------------------------------------------


def _edmt(user, *, start, end, agency):
    """EDMT interventions under way in the period (planned start before its end, end after its start)."""
    queryset = (
        Intervention.objects.scoped(VISIBLE)
        .filter(_agency_filter(active_organization(user), "case__"))
        .filter(funding_type__counts_as_edmt=True, planned_start__lte=end, planned_end__gte=start)
        .exclude(status="cancelled")
    )
    if agency is not None:
        queryset = queryset.filter(case__agency=agency)
    return queryset


def edmt_interventions(user, *, start, end, agency=None):
    return (
        _edmt(user, start=start, end=end, agency=agency)
        .select_related("case__agency", "case__person", "case__program", "intervention_type", "funding_type")
        .annotate(
            approved_amount=Sum(
                "funding_requests__amount", filter=Q(funding_requests__status=FundingStatus.APPROVED)
            )
        )
        .order_by("case__agency__name", "case__number", "planned_start")
    )


def edmt_by_agency(user, *, start, end, agency=None):
    rows = (
        _edmt(user, start=start, end=end, agency=agency)
        .order_by()
        .values("case__agency", "case__agency__name_fr", "case__agency__name_en")
        .annotate(
            interventions=Count("pk", distinct=True),
            cases=Count("case", distinct=True),
            completed=Count("pk", filter=Q(status="completed"), distinct=True),
        )
        .order_by("case__agency__name_fr")
    )
    return list(rows)


def report_agencies(user):
    organization = active_organization(user)
    if organization is None:
        from portal.models import Organization

        return Organization.objects.none()
    if organization.kind == "department":
        return agencies_for(user)
    from portal.models import Organization

    return Organization.objects.filter(pk=organization.pk)


# Referrals -----------------------------------------------------------------------------------


def referrals_of(case):
    return (
        case.referrals.select_related("agency", "template", "created_by", "sent_by", "transferred_by")
        .prefetch_related("documents")
        .order_by("-created_at", "-pk")
    )


def get_referral(case, pk):
    return get_object_or_404(referrals_of(case), pk=pk)


def templates_for(referral_type, language):
    return CorrespondenceTemplate.objects.filter(
        referral_type=referral_type, language=language, is_active=True
    )


def incoming_for(user):
    """Referrals sent to the person's agency: pending transfers and informational ones within the
    network. They open the person record (and, for a transfer, a case summary) and nothing more."""
    organization = active_organization(user)
    if organization is None or organization.kind != "employment_agency":
        return Referral.objects.none()
    return (
        Referral.objects.scoped("sent to the agency")
        .filter(agency=organization, status__in=SENT_STATUSES)
        .filter(
            Q(referral_type=ReferralType.WITHIN)
            | Q(referral_type=ReferralType.TRANSFER, transfer_status=TransferStatus.PENDING)
        )
        .select_related("case__person", "case__agency", "case__program", "case__case_manager", "case__office")
        .order_by("-sent_at", "-pk")
    )


def get_incoming_for_user(user, pk):
    return get_object_or_404(incoming_for(user), pk=pk)


def active_agreements(agency):
    today = timezone.localdate()
    return (
        Agreement.objects.scoped("the agency's")
        .filter(agency=agency, funding_active=True, start_date__lte=today)
        .exclude(end_date__lt=today)
        .order_by("number")
    )


def delivery_locations(agency):
    return Office.objects.for_organization(agency).filter(is_active=True, is_delivery_location=True)
