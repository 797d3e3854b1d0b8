"""Writes of agencies' agreements, offices and reference lists (department staff)."""

from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import names
from portal import services as portal_services
from portal.models import Organization, OrganizationKind, User
from portal.selectors import members_with_roles
from portal.services import StrOrPromise
from portal.workflow import ActionError
from referrals.cases.services import save_fields
from referrals.models import (
    Agreement,
    ContractableAgency,
    Office,
)

AGREEMENT_NOTICE_ROLES = ("portal.administrator", "referrals.agency_supervisor")


def agency_not_contractable_error() -> StrOrPromise:
    return _("Your department may not sign an agreement with this agency. Choose one from the list.")


@transaction.atomic
def save_agreement(
    *, actor: User | None = None, agreement: Agreement | None = None, department: Organization, **fields: Any
) -> Agreement:
    """A department's agreement with an agency it may contract (ContractableAgency, kept by
    platform staff): a new agreement with any other agency is refused, whatever id was posted. The
    agency of a saved agreement never changes (its cases point at it). The agency is told of a new
    agreement and of every change; django-auditlog records both with their old and new values."""
    if agreement is not None and agreement.pk:
        agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if agreement.department_id != department.pk:
            raise ActionError(_("This agreement belongs to another department."))
        fields.pop("agency", None)
    else:
        agreement = Agreement(department=department)
    created = agreement.pk is None
    agency = fields.get("agency")
    # A new agreement needs an agency on the department's list; a signed one may still be changed
    # (ended, say) after its agency left the list.
    if created and (
        agency is None
        or agency.kind != OrganizationKind.EMPLOYMENT_AGENCY
        or not agency.is_active
        or not ContractableAgency.objects.filter(department=department, agency=agency).exists()
    ):
        raise ActionError({"agency": agency_not_contractable_error()})
    if not created and all(getattr(agreement, name) == value for name, value in fields.items()):
        return agreement  # nothing changed: no audit entry, no notice
    for name, value in fields.items():
        setattr(agreement, name, value)
    agreement.full_clean()
    agreement.save()
    _tell_agency_of_agreement(agreement, actor=actor, created=created)
    return agreement


def _tell_agency_of_agreement(agreement: Agreement, *, actor: User | None, created: bool) -> None:
    """A notice on the home page and an email (in each person's language; the subject carries the
    agreement number only) for the agency's administrators and supervisors, or its case managers
    when it has neither."""
    agency = agreement.agency
    people = list(members_with_roles(agency, AGREEMENT_NOTICE_ROLES)) or list(
        members_with_roles(agency, ("referrals.case_manager",))
    )
    event = "created" if created else f"changed.{timezone.now():%Y%m%d%H%M%S%f}"
    title = (
        _("Agreement %(number)s signed with you by %(department)s")
        if created
        else _("Agreement %(number)s changed by %(department)s")
    )
    # "par le Ministère…" / "by the Department…": the name with its article (portal.names).
    params = {"number": agreement.number, "department": names.lazy_the_name(agreement.department)}
    department = agreement.department
    for person in people:
        portal_services.create_notification(
            recipient=person,
            title=title,
            params=params,
            link="/",
            organization=agency,
            key=f"referrals.agreement.{agreement.pk}.{event}",
            record=agreement,
            purpose="created" if created else "changed",
            record_number=agreement.number,
            created_by=actor,
        )
        portal_services.notify(
            key=f"referrals:agreement:{agreement.pk}:{event}:{person.pk}",
            template="referrals/emails/agreement",
            recipient=person,
            link="/",
            context={
                "created": created,
                "number": agreement.number,
                "department": {
                    code: getattr(department, f"name_{code}") or department.name
                    for code in portal_services.LANGUAGE_CODES
                },
                "start_date": agreement.start_date.isoformat(),
                "end_date": agreement.end_date.isoformat() if agreement.end_date else "",
            },
        )


@transaction.atomic
def save_office(*, office: Office | None = None, agency: Organization, **fields: Any) -> Office:
    return save_fields(office or Office(agency=agency), fields)


@transaction.atomic
def save_reference_item(*, item: Model, **fields: Any) -> Model:
    return save_fields(item, fields)
