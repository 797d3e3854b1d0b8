"""Every write of employment case management: keyword-only, atomic, one function per status change.

Statuses change under a row lock with a guard on the current status, so two people acting on the
same case or intervention at once cannot both succeed: the second gets a clear message.
"""

import logging
from datetime import timedelta
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max, ProtectedError
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from portal import services as portal_services
from portal.models import Organization, Priority
from referrals.models import (
    CASE_NUMBER_BASE,
    EDITABLE_INTERVENTION_STATUSES,
    NETWORK_TYPES,
    OPEN_CASE_STATUSES,
    PLAN_STATUSES,
    Agreement,
    BusinessPartner,
    Case,
    CaseDocument,
    CaseNote,
    CaseStatus,
    CaseStatusChange,
    ContractableAgency,
    CorrespondenceTemplate,
    EmploymentOutcome,
    FundingRequest,
    FundingStatus,
    Intervention,
    InterventionStatus,
    NeedsDetermination,
    Office,
    Person,
    PlanPrint,
    PrintStatus,
    Referral,
    ReferralStatus,
    ReferralType,
    TransferStatus,
)

logger = logging.getLogger(__name__)
CS = CaseStatus
IS = InterventionStatus
# The guide: the "Develop action plan" task is due two weeks after the assessment is completed.
PLAN_TASK_DELAY = timedelta(days=14)


class CaseActionError(ValidationError):
    """An action the current status does not allow, or bad input: nothing was changed."""


def _choices_text(values, choices):
    return str(_(" or ")).join(str(choices(value).label) for value in values)


# Work-list items about a case ------------------------------------------------------------------


def case_key(case, suffix):
    """Keys of every task and notification about a case share this prefix (reassignment moves them)."""
    return f"referrals.case.{case.pk}.{suffix}"


def _columns(case, actor, priority=Priority.NORMAL):
    """The LaMPSS work-list columns: case id, person, program, created by."""
    return {
        "priority": priority,
        "record_number": str(case.number),
        "record_link": case.get_absolute_url(),
        "about": case.person.display_name,
        "details": {"fr": case.program.name_fr, "en": case.program.name_en},
        "created_by": actor,
        "organization": case.agency,
    }


# Agencies, agreements, offices -----------------------------------------------------------------


AGREEMENT_NOTICE_ROLES = ("portal.administrator", "referrals.agency_supervisor")


def agency_not_contractable_error():
    return _("Your department may not sign an agreement with this agency. Choose one of the list.")


@transaction.atomic
def save_agreement(*, actor=None, agreement=None, department, **fields):
    """A department's agreement with an agency it may contract (ContractableAgency, kept by
    platform staff): a new agreement with any other agency is refused, whatever id was posted. The
    agency of a saved agreement never changes (its cases point at it). The agency is told of a new
    agreement and of every change; django-auditlog records both with their old and new values."""
    if agreement is not None and agreement.pk:
        agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if agreement.department_id != department.pk:
            raise CaseActionError(_("This agreement belongs to another department."))
        fields.pop("agency", None)
    else:
        agreement = Agreement(department=department)
    created = agreement.pk is None
    agency = fields.get("agency")
    # A new agreement needs an agency on the department's list; a signed one may still be changed
    # (ended, say) after its agency left the list.
    if created and (
        agency is None
        or agency.kind != "employment_agency"
        or not agency.is_active
        or not ContractableAgency.objects.filter(department=department, agency=agency).exists()
    ):
        raise CaseActionError({"agency": agency_not_contractable_error()})
    if not created and all(getattr(agreement, name) == value for name, value in fields.items()):
        return agreement  # nothing changed: no audit entry, no notice
    for name, value in fields.items():
        setattr(agreement, name, value)
    agreement.full_clean()
    agreement.save()
    _tell_agency_of_agreement(agreement, actor=actor, created=created)
    return agreement


def _tell_agency_of_agreement(agreement, *, actor, created):
    """A notice on the home page and an email (in each person's language; the subject carries the
    agreement number only) for the agency's administrators and supervisors, or its case managers
    when it has neither."""
    from portal.selectors import members_with_roles

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
    params = {"number": agreement.number, "department": _lazy_name(agreement.department)}
    department = agreement.department
    for person in people:
        portal_services.create_notification(
            recipient=person,
            title=title,
            params=params,
            link="/",
            organization=agency,
            key=f"referrals.agreement.{agreement.pk}.{event}",
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
def save_office(*, office=None, agency, **fields):
    office = office or Office(agency=agency)
    for name, value in fields.items():
        setattr(office, name, value)
    office.save()
    return office


@transaction.atomic
def save_reference_item(*, item, **fields):
    for name, value in fields.items():
        setattr(item, name, value)
    item.save()
    return item


# Persons and cases ---------------------------------------------------------------------------


@transaction.atomic
def update_case_person(*, actor, case, **fields):
    """The person's details, from an open case."""
    case = _locked_case(case)
    if case.is_closed:
        raise CaseActionError(_("This case is closed: its information can no longer be changed."))
    return save_person(person=case.person, **fields)


@transaction.atomic
def save_person(*, person=None, **fields):
    person = person or Person()
    for name, value in fields.items():
        setattr(person, name, value)
    person.save()
    return person


def _agency_agreement(agency, program, today):
    """An agency opens cases while its funding agreement is active (and ECM is on, for ECM programs):
    that agreement is the case's accountability agreement."""
    agreements = Agreement.objects.filter(agency=agency, funding_active=True, start_date__lte=today).exclude(
        end_date__lt=today
    )
    if program.needs_ecm_agreement:
        agreements = agreements.filter(ecm_enabled=True)
    return agreements.order_by("start_date", "pk").first()


@transaction.atomic
def open_case(*, actor, agency, person, program, office, case_manager, opened_on=None):
    today = timezone.localdate()
    opened_on = opened_on or today
    if office.agency_id != agency.pk:
        raise CaseActionError({"office": _("Choose an office of your agency.")})
    agreement = _agency_agreement(agency, program, today)
    if agreement is None:
        raise CaseActionError(
            {
                "program": _(
                    "Your agency has no active agreement for this program: a case cannot be opened in it."
                )
            }
        )
    if opened_on > today:
        raise CaseActionError({"opened_on": _("The opening date cannot be in the future.")})
    for _attempt in range(5):
        number = (Case.objects.aggregate(top=Max("number"))["top"] or CASE_NUMBER_BASE) + 1
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    number=number,
                    person=person,
                    program=program,
                    agency=agency,
                    office=office,
                    agreement=agreement,
                    delivery_location=office if office.is_delivery_location else None,
                    case_manager=case_manager,
                    opened_on=opened_on,
                )
            break
        except IntegrityError:
            if Case.objects.filter(number=number).exists():
                continue  # someone took this number at the same moment: take the next one
            raise  # any other broken rule is a bug to see, not a numbering problem
    else:
        raise CaseActionError(_("The case could not be numbered. Please try again."))
    CaseStatusChange.objects.create(case=case, from_status="", to_status=CS.INTAKE, changed_by=actor)
    return case


@transaction.atomic
def update_case_information(*, actor, case, **fields):
    case = _locked_case(case)
    if case.is_closed:
        raise CaseActionError(_("This case is closed: its information can no longer be changed."))
    for name, value in fields.items():
        setattr(case, name, value)
    case.save(update_fields=list(fields))
    return case


def _locked_case(case):
    # Lock the case row only (not the person, program or agency rows the join reads).
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("person", "program", "agency")
        .get(pk=case.pk)
    )


def _status_error(case, allowed):
    return CaseActionError(
        _("This case is now %(status)s: this action needs it to be %(allowed)s. Nothing was changed.")
        % {"status": case.get_status_display(), "allowed": _choices_text(allowed, CS)}
    )


def _change_status(case, *, actor, allowed, to, comment=""):
    """Lock, check, change, record. The caller is inside a transaction."""
    locked = _locked_case(case)
    if locked.status not in allowed:
        raise _status_error(locked, allowed)
    previous = locked.status
    locked.status = to
    fields = ["status"]
    if to == CS.CLOSED:
        locked.closed_on = timezone.localdate()
        locked.closure_reason = comment
        fields += ["closed_on", "closure_reason"]
    elif previous == CS.CLOSED:
        locked.closed_on = None
        fields.append("closed_on")
    locked.save(update_fields=fields)
    CaseStatusChange.objects.create(
        case=locked, from_status=previous, to_status=to, changed_by=actor, comment=comment
    )
    return locked


@transaction.atomic
def start_assessment(*, actor, case):
    return _change_status(case, actor=actor, allowed=[CS.INTAKE], to=CS.ASSESSMENT)


@transaction.atomic
def complete_assessment(*, actor, case):
    """The assessment is done: the case moves to action plan development and the case manager
    gets the task "Develop action plan", due two weeks later (LaMPSS)."""
    case = _change_status(case, actor=actor, allowed=[CS.INTAKE, CS.ASSESSMENT], to=CS.PLAN_DEVELOPMENT)
    latest = case.needs_determinations.order_by("-version").first()
    if latest is None or not latest.barriers.exists():
        raise CaseActionError(
            _(
                "Save a needs determination with at least one barrier to employment before completing the assessment."
            )
        )
    portal_services.create_task(
        assignee=case.case_manager,
        title=_("Develop action plan"),
        due_date=timezone.localdate() + PLAN_TASK_DELAY,
        link=reverse("referrals:plan", args=[case.number]),
        key=case_key(case, f"develop-plan.{case.status_changes.count()}"),
        send_email=True,
        title_in_email=True,
        **_columns(case, actor, Priority.HIGH),
    )
    return case


@transaction.atomic
def start_plan_management(*, actor, case):
    """The plan was reviewed and signed with the client: the "Develop action plan" task is done."""
    if not case.interventions.exists():
        raise CaseActionError(_("Add at least one intervention to the action plan before managing it."))
    case = _change_status(case, actor=actor, allowed=[CS.PLAN_DEVELOPMENT], to=CS.PLAN_MANAGEMENT)
    _complete_plan_tasks(case)
    return case


def _complete_plan_tasks(case):
    portal_services.complete_tasks(key_contains=f":{case_key(case, 'develop-plan.')}")


@transaction.atomic
def start_follow_up(*, actor, case):
    return _change_status(case, actor=actor, allowed=[CS.PLAN_MANAGEMENT], to=CS.FOLLOW_UP)


@transaction.atomic
def close_case(*, actor, case, reason):
    if not reason.strip():
        raise CaseActionError({"reason": _("Give the reason for closing the case.")})
    case = _change_status(case, actor=actor, allowed=OPEN_CASE_STATUSES, to=CS.CLOSED, comment=reason.strip())
    _complete_plan_tasks(case)
    return case


@transaction.atomic
def reopen_case(*, actor, case, reason):
    if not reason.strip():
        raise CaseActionError({"reason": _("Give the reason for reopening the case.")})
    return _change_status(case, actor=actor, allowed=[CS.CLOSED], to=CS.ASSESSMENT, comment=reason.strip())


# The status tool offers the next steps of the cycle; each maps to its own function above.
STATUS_ACTIONS = {
    "start-assessment": (start_assessment, [CS.INTAKE], _("Start the assessment")),
    "complete-assessment": (complete_assessment, [CS.INTAKE, CS.ASSESSMENT], _("Complete the assessment")),
    "manage-plan": (start_plan_management, [CS.PLAN_DEVELOPMENT], _("Action plan signed: manage the plan")),
    "follow-up": (start_follow_up, [CS.PLAN_MANAGEMENT], _("Start the follow-up")),
}


@transaction.atomic
def reassign_case(*, actor, case, case_manager):
    """Give the case to another case manager of the agency; open tasks and notifications follow."""
    locked = _locked_case(case)
    if locked.is_closed:
        raise CaseActionError(_("This case is closed: it cannot be reassigned."))
    if locked.case_manager_id == case_manager.pk:
        return locked
    previous = locked.case_manager
    locked.case_manager = case_manager
    locked.save(update_fields=["case_manager"])
    portal_services.hand_over_home_items(
        key_contains=f":{case_key(locked, '')}", from_user=previous, to_user=case_manager
    )
    CaseStatusChange.objects.create(
        case=locked,
        from_status=locked.status,
        to_status=locked.status,
        changed_by=actor,
        comment=str(_("Case reassigned from %(old)s to %(new)s."))
        % {"old": previous.get_full_name(), "new": case_manager.get_full_name()},
    )
    portal_services.create_notification(
        recipient=case_manager,
        title=_("Case assigned to you"),
        link=locked.get_absolute_url(),
        key=case_key(locked, f"assigned.{timezone.now():%Y%m%d%H%M%S%f}"),
        **_columns(locked, actor),
    )
    return locked


# Case tools ----------------------------------------------------------------------------------


def _open_case(case):
    if case.is_closed:
        raise CaseActionError(_("This case is closed: reopen it first. Nothing was changed."))


@transaction.atomic
def add_note(*, actor, case, subject, text):
    case = _locked_case(case)
    _open_case(case)
    return CaseNote.objects.create(case=case, subject=subject, text=text, author=actor)


@transaction.atomic
def add_document(*, actor, case, document_type, description, upload, content_type):
    case = _locked_case(case)
    _open_case(case)
    return CaseDocument.objects.create(
        case=case,
        document_type=document_type,
        description=description,
        file=upload,
        original_name=upload.name[:200],
        content_type=content_type,
        size=upload.size,
        uploaded_by=actor,
    )


@transaction.atomic
def add_referral_document(*, actor, referral, document_type, description, upload, content_type):
    """A document attached to a draft referral (it also joins the case's documents)."""
    locked = _locked_referral(referral)
    _draft_only(locked)
    document = add_document(
        actor=actor,
        case=locked.case,
        document_type=document_type,
        description=description,
        upload=upload,
        content_type=content_type,
    )
    document.referral = locked
    document.save(update_fields=["referral"])
    return document


@transaction.atomic
def add_case_task(*, actor, case, title, due_date, assignee):
    case = _locked_case(case)
    _open_case(case)
    if due_date < timezone.localdate():
        raise CaseActionError({"due_date": _("The due date cannot be in the past.")})
    return portal_services.create_task(
        assignee=assignee,
        title=title,
        due_date=due_date,
        link=case.get_absolute_url(),
        key=case_key(case, f"task.{timezone.now():%Y%m%d%H%M%S%f}"),
        **_columns(case, actor),
    )


@transaction.atomic
def record_outcome(*, actor, case, **fields):
    case = _locked_case(case)
    if case.status not in (CS.PLAN_MANAGEMENT, CS.FOLLOW_UP, CS.CLOSED):
        raise CaseActionError(
            _("Employment outcomes are recorded once the action plan is under way (management or follow-up).")
        )
    if fields["outcome_date"] > timezone.localdate():
        raise CaseActionError({"outcome_date": _("The date of an outcome cannot be in the future.")})
    return EmploymentOutcome.objects.create(case=case, recorded_by=actor, **fields)


# Needs determination -------------------------------------------------------------------------


@transaction.atomic
def save_needs_determination(*, actor, case, barriers, comments, complete_assessment_now=False):
    """Saving makes a new version; the earlier ones stay readable in the archive."""
    locked = _locked_case(case)
    _open_case(locked)
    if complete_assessment_now and locked.status not in (CS.INTAKE, CS.ASSESSMENT):
        raise _status_error(locked, [CS.INTAKE, CS.ASSESSMENT])
    if complete_assessment_now and not barriers:
        raise CaseActionError(
            {"barriers": _("Choose at least one barrier to employment before completing the assessment.")}
        )
    version = (locked.needs_determinations.aggregate(top=Max("version"))["top"] or 0) + 1
    determination = NeedsDetermination.objects.create(
        case=locked,
        version=version,
        comments=comments,
        created_by=actor,
        completes_assessment=complete_assessment_now,
    )
    determination.barriers.set(barriers)
    if locked.status == CS.INTAKE:
        # Recording needs is the assessment: the history shows the step even when done in one go.
        start_assessment(actor=actor, case=locked)
    if complete_assessment_now:
        complete_assessment(actor=actor, case=locked)
    return determination


# Interventions -------------------------------------------------------------------------------


def _intervention_keys(intervention, start=None, end=None):
    case = intervention.case
    return [
        case_key(case, f"intervention.{intervention.pk}.start.{start or intervention.planned_start}"),
        case_key(case, f"intervention.{intervention.pk}.end.{end or intervention.planned_end}"),
    ]


def _announce(intervention, actor, *, start=True, end=True):
    """Follow-up notifications at the intervention's start and at its end (LaMPSS)."""
    case = intervention.case
    link = reverse("referrals:intervention", args=[case.number, intervention.pk])
    start_key, end_key = _intervention_keys(intervention)
    if start:
        portal_services.create_notification(
            recipient=case.case_manager,
            title=_("Action required: an intervention starts"),
            link=link,
            due_date=intervention.planned_start,
            key=start_key,
            **_columns(case, actor),
        )
    if end:
        portal_services.create_notification(
            recipient=case.case_manager,
            title=_("Action required: an intervention ends, follow up"),
            link=link,
            due_date=intervention.planned_end,
            key=end_key,
            **_columns(case, actor),
        )


def _check_intervention(case, fields):
    errors = {}
    if fields["planned_end"] < fields["planned_start"]:
        errors["planned_end"] = _("The end date cannot be before the start date.")
    if fields["intervention_type"].dimension_id != fields["dimension"].pk:
        errors["intervention_type"] = _("Choose an intervention type of the chosen employability dimension.")
    if fields.get("funding_requested") and not fields.get("funding_type"):
        errors["funding_type"] = _("Choose the funding type of an intervention with a funding request.")
    for field in ("local_coordinator", "delivering_organization"):
        partner = fields.get(field)
        if partner is not None and partner.agency_id not in (None, case.agency_id):
            errors[field] = _("Choose a business partner from your directory.")
    if errors:
        raise CaseActionError(errors)


def _plan_open(case):
    if case.status not in PLAN_STATUSES:
        raise CaseActionError(
            _("The action plan can be changed once the assessment is completed and until the case is closed.")
        )


@transaction.atomic
def add_intervention(*, actor, case, **fields):
    case = _locked_case(case)
    _plan_open(case)
    _check_intervention(case, fields)
    intervention = Intervention.objects.create(case=case, created_by=actor, **fields)
    _announce(intervention, actor)
    return intervention


def _locked_intervention(intervention):
    # The intervention row only: deleting locks the case then its interventions, so locking the
    # case here too, in the other order, could deadlock.
    locked = (
        Intervention.objects.select_for_update(of=("self",))
        .select_related("case", "case__person", "case__program", "case__agency", "case__case_manager")
        .filter(pk=intervention.pk)
        .first()
    )
    if locked is None:
        raise CaseActionError(_("This intervention was deleted in the meantime. Nothing was changed."))
    return locked


def _intervention_status_error(intervention, allowed):
    return CaseActionError(
        _("This intervention is now %(status)s: this action needs it to be %(allowed)s. Nothing was changed.")
        % {"status": intervention.get_status_display(), "allowed": _choices_text(allowed, IS)}
    )


@transaction.atomic
def update_intervention(*, actor, intervention, **fields):
    """Save one intervention. A new end date replaces the end notification (and likewise the start)."""
    locked = _locked_intervention(intervention)
    if locked.status not in EDITABLE_INTERVENTION_STATUSES:
        raise _intervention_status_error(locked, EDITABLE_INTERVENTION_STATUSES)
    _plan_open(locked.case)
    _check_intervention(locked.case, fields)
    old_start, old_end = locked.planned_start, locked.planned_end
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save()
    start_moved = old_start != locked.planned_start and locked.status == IS.PLANNED
    end_moved = old_end != locked.planned_end
    old_keys = _intervention_keys(locked, old_start, old_end)
    portal_services.withdraw_home_items(
        keys=[key for key, moved in zip(old_keys, (start_moved, end_moved), strict=True) if moved]
    )
    _announce(locked, actor, start=start_moved, end=end_moved)
    return locked


def _change_intervention(intervention, *, allowed, to):
    locked = _locked_intervention(intervention)
    if locked.status not in allowed:
        raise _intervention_status_error(locked, allowed)
    _plan_open(locked.case)
    locked.status = to
    locked.save(update_fields=["status", "updated_at"])
    return locked


@transaction.atomic
def start_intervention(*, actor, intervention):
    locked = _change_intervention(intervention, allowed=[IS.PLANNED], to=IS.IN_PROGRESS)
    portal_services.withdraw_home_items(keys=_intervention_keys(locked)[:1])
    return locked


@transaction.atomic
def complete_intervention(*, actor, intervention):
    locked = _change_intervention(intervention, allowed=[IS.IN_PROGRESS], to=IS.COMPLETED)
    return locked


@transaction.atomic
def cancel_intervention(*, actor, intervention):
    locked = _change_intervention(intervention, allowed=[IS.PLANNED, IS.IN_PROGRESS], to=IS.CANCELLED)
    portal_services.withdraw_home_items(keys=_intervention_keys(locked))
    # A request still waiting for the department is refused with the intervention.
    for waiting in locked.funding_requests.filter(status=FundingStatus.SUBMITTED):
        _decide(
            waiting,
            actor=actor,
            to=FundingStatus.REFUSED,
            comment=str(_("The intervention was cancelled.")),
            allow_closed=True,
        )
    return locked


INTERVENTION_ACTIONS = {
    "start": (start_intervention, [IS.PLANNED], _("Mark as in progress")),
    "complete": (complete_intervention, [IS.IN_PROGRESS], _("Mark as completed")),
    "cancel": (cancel_intervention, [IS.PLANNED, IS.IN_PROGRESS], _("Cancel the intervention")),
}


@transaction.atomic
def delete_interventions(*, actor, case, interventions):
    """Delete planned interventions for good (the guide: only Planned ones; all or none)."""
    case = _locked_case(case)
    _plan_open(case)
    ids = [intervention.pk for intervention in interventions]
    locked = list(Intervention.objects.select_for_update().filter(case=case, pk__in=ids).order_by("pk"))
    if not locked:
        raise CaseActionError(_("Choose the interventions to delete."))
    funded = [intervention for intervention in locked if intervention.funding_requests.exists()]
    if funded:
        raise CaseActionError(
            _(
                "%(names)s has a funding request: cancel the intervention instead, so that the request "
                "stays on record. Nothing was deleted."
            )
            % {"names": ", ".join(str(intervention.intervention_type) for intervention in funded)}
        )
    refused = [intervention for intervention in locked if intervention.status != IS.PLANNED]
    if refused:
        raise CaseActionError(
            _(
                "Only planned interventions can be deleted; %(names)s already started or ended. "
                "Nothing was deleted."
            )
            % {"names": ", ".join(str(intervention.intervention_type) for intervention in refused)}
        )
    for intervention in locked:
        intervention.case = case
        portal_services.withdraw_home_items(keys=_intervention_keys(intervention))
    Intervention.objects.filter(pk__in=[intervention.pk for intervention in locked]).delete()
    return len(locked)


# Funding -------------------------------------------------------------------------------------


@transaction.atomic
def request_funding(*, actor, intervention, amount, justification):
    locked = _locked_intervention(intervention)
    _plan_open(locked.case)
    if not locked.funding_requested:
        raise CaseActionError(_("This intervention has no funding request: edit it and tick the box first."))
    if locked.status not in EDITABLE_INTERVENTION_STATUSES:
        raise _intervention_status_error(locked, EDITABLE_INTERVENTION_STATUSES)
    if locked.funding_requests.filter(status=FundingStatus.SUBMITTED).exists():
        raise CaseActionError(_("A funding request for this intervention is already waiting for a decision."))
    if amount is None or amount <= 0:
        raise CaseActionError({"amount": _("Enter an amount greater than zero.")})
    return FundingRequest.objects.create(
        intervention=locked, amount=amount, justification=justification, requested_by=actor
    )


def _decide(funding_request, *, actor, to, comment, allow_closed=False):
    locked = (
        FundingRequest.objects.select_for_update(of=("self",))
        .select_related(
            "intervention__case__person", "intervention__case__program", "intervention__case__agency"
        )
        .get(pk=funding_request.pk)
    )
    if locked.status != FundingStatus.SUBMITTED:
        raise CaseActionError(
            _("This funding request is already %(status)s. Nothing was changed.")
            % {"status": locked.get_status_display()}
        )
    if (
        not allow_closed
        and to == FundingStatus.APPROVED
        and (locked.intervention.case.is_closed or locked.intervention.status == IS.CANCELLED)
    ):
        raise CaseActionError(
            _("The case is closed or the intervention cancelled: this request can only be refused.")
        )
    locked.status = to
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_comment = comment
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    case = locked.intervention.case
    portal_services.create_notification(
        recipient=case.case_manager,
        title=_("Funding request approved") if to == FundingStatus.APPROVED else _("Funding request refused"),
        link=reverse("referrals:intervention", args=[case.number, locked.intervention_id]),
        key=case_key(case, f"funding.{locked.pk}.{to}"),
        **_columns(case, actor),
    )
    return locked


@transaction.atomic
def approve_funding(*, actor, funding_request, comment=""):
    return _decide(funding_request, actor=actor, to=FundingStatus.APPROVED, comment=comment)


@transaction.atomic
def refuse_funding(*, actor, funding_request, comment):
    if not comment.strip():
        raise CaseActionError({"comment": _("Give the reason for refusing the funding request.")})
    return _decide(funding_request, actor=actor, to=FundingStatus.REFUSED, comment=comment.strip())


# Business partners ---------------------------------------------------------------------------


@transaction.atomic
def save_partner(*, partner=None, agency=None, services=(), **fields):
    """A public partner (agency None, the department's) or one private to an agency."""
    partner = partner or BusinessPartner(agency=agency)
    for name, value in fields.items():
        setattr(partner, name, value)
    partner.save()
    partner.services.set(services)
    return partner


# Printing the plan ---------------------------------------------------------------------------


@transaction.atomic
def request_plan_print(*, actor, case, language):
    """The PDF is built by a Celery task (plans can be long); the page shows it once ready."""
    if not case.interventions.exists():
        raise CaseActionError(_("The action plan has no intervention yet: add one before printing."))
    plan_print = PlanPrint.objects.create(case=case, language=language, requested_by=actor)
    _queue_print(plan_print)
    return plan_print


def _queue_print(plan_print):
    # Recorded as queued first: with the broker away, requeue_stale_prints builds it later.
    from portal.tasks import enqueue
    from referrals.tasks import build_plan_print

    enqueue(build_plan_print, plan_print.pk)


def build_print(*, plan_print_id):
    """The worker's side of a plan print or letter preview: build the PDF, or mark it failed.
    The row is locked while building, so a re-queued twin skips it instead of building it twice."""
    from referrals.tasks import render_letter_pdf, render_plan_pdf

    with transaction.atomic():
        plan_print = (
            PlanPrint.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("case", "referral")
            .filter(pk=plan_print_id, status=PrintStatus.QUEUED)
            .first()
        )
        if plan_print is None:
            return False
        try:
            content = (
                render_letter_pdf(_referral_for_letter(plan_print.referral_id))
                if plan_print.referral_id
                else render_plan_pdf(plan_print)
            )
        except Exception:
            logger.exception("The PDF %s could not be built", plan_print_id)
            plan_print.status, plan_print.finished_at = PrintStatus.FAILED, timezone.now()
            plan_print.save(update_fields=["status", "finished_at"])
            return False
        plan_print.file.save(f"{uuid4().hex}.pdf", ContentFile(content), save=False)
        plan_print.status = PrintStatus.READY
        plan_print.finished_at = timezone.now()
        plan_print.save(update_fields=["file", "status", "finished_at"])
    return True


def requeue_stale_prints(*, minutes=10, days=1):
    """Queue again the PDFs still being prepared after a while (a broker outage, a lost task)."""
    from portal.tasks import requeue_waiting
    from referrals.tasks import build_plan_print

    return requeue_waiting(
        PlanPrint.objects.filter(status=PrintStatus.QUEUED),
        since="requested_at",
        task=build_plan_print,
        minutes=minutes,
        days=days,
    )


# Referrals -----------------------------------------------------------------------------------

RS = ReferralStatus
# The guide: a case in follow-up or closed cannot be transferred.
NO_TRANSFER_STATUSES = (CS.FOLLOW_UP, CS.CLOSED)
# A referral's email is a portal message: its attempts are the message's.
MAX_EMAIL_ATTEMPTS = portal_services.MESSAGE_ATTEMPTS


def network_agencies(*, excluding=None):
    """Agencies that may receive a network referral: active funding agreement, external case
    management program enabled and client tracking enabled (the guide's list)."""
    today = timezone.localdate()
    agreements = Agreement.objects.filter(
        funding_active=True, ecm_enabled=True, client_tracking=True, start_date__lte=today
    ).exclude(end_date__lt=today)
    agencies = Organization.objects.filter(
        kind="employment_agency", is_active=True, pk__in=agreements.values("agency")
    ).order_by("name")
    if excluding is not None:
        agencies = agencies.exclude(pk=excluding.pk)
    return agencies


def _default_template(referral_type, language):
    return (
        CorrespondenceTemplate.objects.filter(referral_type=referral_type, language=language, is_active=True)
        .order_by("name")
        .first()
    )


@transaction.atomic
def create_referral(*, actor, case, referral_type):
    """A draft referral of one type, filled with the default template's subject and body."""
    case = _locked_case(case)
    _open_case(case)
    language = actor.preferred_language or "fr"
    template = _default_template(referral_type, language)
    return Referral.objects.create(
        case=case,
        referral_type=referral_type,
        language=language,
        template=template,
        subject=template.default_subject if template else "",
        body=template.default_body if template else "",
        created_by=actor,
    )


def _locked_referral(referral):
    locked = (
        Referral.objects.select_for_update(of=("self",))
        .select_related(
            "case", "case__agency", "case__person", "case__program", "case__case_manager", "agency"
        )
        .filter(pk=referral.pk)
        .first()
    )
    if locked is None:
        raise CaseActionError(_("This referral was deleted in the meantime. Nothing was changed."))
    return locked


def _draft_only(referral):
    if referral.status != RS.DRAFT:
        raise CaseActionError(_("This referral was sent: it can no longer be changed. Nothing was changed."))


def _check_referral_fields(referral, fields):
    errors = {}
    if referral.referral_type in NETWORK_TYPES:
        agency = fields.get("agency")
        if (
            agency is not None
            and not network_agencies(excluding=referral.case.agency).filter(pk=agency.pk).exists()
        ):
            errors["agency"] = _("Choose an agency of the list.")
    template = fields.get("template")
    if template is not None and (
        template.referral_type != referral.referral_type or template.language != fields.get("language")
    ):
        errors["template"] = _("Choose a template of this referral type in the correspondence language.")
    if errors:
        raise CaseActionError(errors)


@transaction.atomic
def update_referral(*, actor, referral, **fields):
    """Save a draft. For network types the organization is an agency; outside, a name typed in."""
    locked = _locked_referral(referral)
    _draft_only(locked)
    if locked.referral_type in NETWORK_TYPES:
        fields["organization_name"] = ""
        if fields.get("agency") is not None and not fields.get("email_to"):
            fields["email_to"] = fields["agency"].contact_email
    else:
        fields["agency"] = None
    _check_referral_fields(locked, fields)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save()
    return locked


@transaction.atomic
def change_referral_language(*, actor, referral, language, **fields):
    """A new correspondence language: the same letter in that language, and its subject and body
    back to their defaults (the guide warns that this undoes changes to them)."""
    locked = _locked_referral(referral)
    _draft_only(locked)
    template = None
    if locked.template_id:
        template = CorrespondenceTemplate.objects.filter(
            code=locked.template.code, language=language, is_active=True
        ).first()
    template = template or _default_template(locked.referral_type, language)
    fields.update(
        language=language,
        template=template,
        subject=template.default_subject if template else "",
        body=template.default_body if template else "",
    )
    return update_referral(actor=actor, referral=locked, **fields)


def _missing_for_sending(referral):
    required = {
        "contact_person": _("Enter the contact person."),
        "email_to": _("Enter the email address to send the referral to."),
        "template": _("Choose a correspondence template."),
        "subject": _("Enter the email subject."),
        "body": _("Enter the email body."),
    }
    errors = {name: message for name, message in required.items() if not getattr(referral, name)}
    if referral.referral_type in NETWORK_TYPES and referral.agency_id is None:
        errors["agency"] = _("Choose the agency that receives the referral.")
    if referral.referral_type not in NETWORK_TYPES and not referral.organization_name:
        errors["organization_name"] = _("Enter the organization that receives the referral.")
    return errors


@transaction.atomic
def send_referral(*, actor, referral):
    """Sent for good (read-only from now on); the letter is emailed in the background."""
    locked = _locked_referral(referral)
    _draft_only(locked)
    case = _locked_case(locked.case)
    _open_case(case)
    errors = _missing_for_sending(locked)
    if errors:
        raise CaseActionError(errors)
    if locked.referral_type in NETWORK_TYPES:
        _check_referral_fields(
            locked, {"agency": locked.agency, "template": locked.template, "language": locked.language}
        )
    if locked.referral_type == ReferralType.TRANSFER:
        if case.status in NO_TRANSFER_STATUSES:
            raise CaseActionError(_("A case in follow-up or closed cannot be transferred. Nothing was sent."))
        if case.referrals.filter(
            referral_type=ReferralType.TRANSFER, transfer_status=TransferStatus.PENDING
        ).exists():
            raise CaseActionError(
                _("A transfer of this case is already waiting for the receiving agency. Nothing was sent.")
            )
        locked.transfer_status = TransferStatus.PENDING
    locked.status = RS.SENT
    locked.sent_at = timezone.now()
    locked.sent_by = actor
    locked.save(update_fields=["status", "sent_at", "sent_by", "transfer_status"])
    _email_referral(locked)
    return locked


def _email_referral(referral):
    """The referral's email, with its letter attached, from the no-reply address, through
    portal.notify (one retry policy, idempotency key and stale re-queue for every email). Each
    sending gets its own key; notify tells referral_emailed or referral_not_emailed how it went."""
    hook_kwargs = {"referral_id": referral.pk}
    portal_services.notify(
        key=f"referrals:referral:{referral.pk}:{uuid4().hex}",
        template="referrals/emails/referral",
        email=referral.email_to,
        language=referral.language,
        from_email=settings.REFERRAL_FROM_EMAIL,
        # What the sender typed, rendered as is by the worker; cleared from the message once sent.
        context={"subject": referral.subject, "body": referral.body},
        attachments=[["referrals.services.letter_attachment", hook_kwargs]],
        on_sent=["referrals.services.referral_emailed", hook_kwargs],
        on_failed=["referrals.services.referral_not_emailed", hook_kwargs],
    )


def _referral_for_letter(pk):
    return Referral.objects.select_related(
        "case__person", "case__agency", "case__office", "case__case_manager", "agency", "template"
    ).get(pk=pk)


def letter_attachment(*, referral_id):
    """The letter as a PDF, rendered when the email leaves (portal.notify attachment)."""
    from referrals.tasks import render_letter_pdf

    referral = _referral_for_letter(referral_id)
    return f"referral-{referral.case.number}.pdf", render_letter_pdf(referral), "application/pdf"


def _locked_sent_referral(referral_id):
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("case", "sent_by")
        .filter(pk=referral_id, status=RS.SENT)
        .first()
    )


@transaction.atomic
def referral_emailed(*, referral_id, attempts):
    """portal.notify's on_sent hook: the referral's email left."""
    referral = _locked_sent_referral(referral_id)
    return mark_referral_emailed(referral=referral, attempts=attempts) if referral else None


@transaction.atomic
def referral_not_emailed(*, referral_id, attempts, reason):
    """portal.notify's on_failed hook: the referral's email failed for good."""
    referral = _locked_sent_referral(referral_id)
    return record_referral_failure(referral=referral, reason=reason, attempts=attempts) if referral else None


@transaction.atomic
def cancel_referral(*, actor, referral):
    """Cancel a draft: it is deleted, with the documents attached to it."""
    locked = _locked_referral(referral)
    _draft_only(locked)
    locked.delete()


def mark_referral_emailed(*, referral, attempts):
    """On the locked row, once the email has left."""
    referral.status = RS.EMAILED
    referral.emailed_at = timezone.now()
    referral.attempts = attempts
    referral.failure_reason = ""
    referral.save(update_fields=["status", "emailed_at", "attempts", "failure_reason"])
    return referral


def record_referral_failure(*, referral, reason, attempts):
    """On the locked row, once its email failed for good (portal.notify retried it): Failed, with
    the reason, and the sender is told."""
    referral.attempts = attempts
    referral.failure_reason = reason[:500]
    referral.status = RS.FAILED
    case = referral.case
    portal_services.create_notification(
        recipient=referral.sent_by or case.case_manager,
        title=_("A referral could not be emailed"),
        link=reverse("referrals:referrals", args=[case.number])
        + f"?open={referral.pk}#referral-{referral.pk}",
        # One notice per failed sending (a resent referral that fails again is told again).
        key=case_key(case, f"referral.{referral.pk}.failed.{uuid4().hex}"),
        priority=Priority.HIGH,
        **{key: value for key, value in _columns(case, None).items() if key != "priority"},
    )
    referral.save(update_fields=["attempts", "failure_reason", "status"])
    return referral


@transaction.atomic
def resend_referral(*, actor, referral):
    """Try a failed referral again (after the address was checked, for example)."""
    locked = _locked_referral(referral)
    if locked.status != RS.FAILED:
        raise CaseActionError(_("Only a referral whose email failed can be sent again."))
    locked.status = RS.SENT
    locked.attempts = 0
    locked.save(update_fields=["status", "attempts"])
    _email_referral(locked)
    return locked


@transaction.atomic
def withdraw_transfer(*, actor, referral):
    """The sending agency takes back a transfer the receiving agency has not completed."""
    locked = _locked_referral(referral)
    if locked.transfer_status != TransferStatus.PENDING:
        raise CaseActionError(_("This transfer is no longer waiting: it cannot be withdrawn."))
    locked.transfer_status = TransferStatus.WITHDRAWN
    locked.save(update_fields=["transfer_status"])
    return locked


@transaction.atomic
def complete_transfer(*, actor, referral, office, case_manager, agreement, delivery_location):
    """The receiving agency takes the case: its office, case manager, agreement and location."""
    locked = _locked_referral(referral)
    if locked.transfer_status != TransferStatus.PENDING:
        raise CaseActionError(
            _("This transfer is no longer waiting (completed or withdrawn). Nothing was changed.")
        )
    receiving = locked.agency
    case = _locked_case(locked.case)
    if case.status in NO_TRANSFER_STATUSES:
        raise CaseActionError(_("A case in follow-up or closed cannot be transferred. Nothing was changed."))
    errors = {}
    if office.agency_id != receiving.pk:
        errors["office"] = _("Choose an office of your agency.")
    if delivery_location.agency_id != receiving.pk:
        errors["delivery_location"] = _("Choose a location of your agency.")
    if agreement.agency_id != receiving.pk:
        errors["agreement"] = _("Choose an agreement of your agency.")
    if errors:
        raise CaseActionError(errors)
    sending, previous_manager = case.agency, case.case_manager
    case.agency, case.office, case.case_manager = receiving, office, case_manager
    case.agreement, case.delivery_location = agreement, delivery_location
    case.save(update_fields=["agency", "office", "case_manager", "agreement", "delivery_location"])
    # Organization names are bilingual: lazy, so each language of the notification gets its own.
    names = {"old": _lazy_name(sending), "new": _lazy_name(receiving), "number": case.number}
    CaseStatusChange.objects.create(
        case=case,
        from_status=case.status,
        to_status=case.status,
        changed_by=actor,
        comment=str(_("Case transferred from %(old)s to %(new)s.")) % names,
    )
    locked.transfer_status = TransferStatus.COMPLETED
    locked.transferred_at = timezone.now()
    locked.transferred_by = actor
    locked.save(update_fields=["transfer_status", "transferred_at", "transferred_by"])
    # The sending agency's open work on this case ends here.
    portal_services.withdraw_home_items_containing(key_contains=f":{case_key(case, '')}")
    portal_services.create_task(
        assignee=case_manager,
        title=_("Case received by transfer: review it and contact the client"),
        due_date=timezone.localdate() + timedelta(days=7),
        link=case.get_absolute_url(),
        key=case_key(case, f"transfer.{locked.pk}.task"),
        send_email=True,
        title_in_email=True,
        **_columns(case, actor, Priority.HIGH),
    )
    portal_services.create_notification(
        recipient=case_manager,
        title=_("Case received by transfer from %(old)s"),
        params={"old": _lazy_name(sending)},
        link=case.get_absolute_url(),
        key=case_key(case, f"transfer.{locked.pk}.received"),
        **_columns(case, actor),
    )
    # The former case manager can no longer open the case: the notice names it and goes home.
    portal_services.create_notification(
        recipient=previous_manager,
        title=_("Case %(number)s has been transferred from %(old)s to %(new)s"),
        params=names,
        link="/",
        key=f"referrals.transferred.{locked.pk}",
        record_number=str(case.number),
        created_by=actor,
    )
    return case


def _lazy_name(organization):
    return lazy(lambda: organization.name, str)()


@transaction.atomic
def request_letter_preview(*, actor, referral):
    """The letter as it will be attached, built in the background like the plan."""
    if referral.template_id is None:
        raise CaseActionError({"template": _("Choose a correspondence template to preview the letter.")})
    preview = PlanPrint.objects.create(
        case=referral.case, referral=referral, language=referral.language, requested_by=actor
    )
    _queue_print(preview)
    return preview


@transaction.atomic
def save_template(*, template=None, **fields):
    template = template or CorrespondenceTemplate()
    for name, value in fields.items():
        setattr(template, name, value)
    template.save()
    return template


@transaction.atomic
def delete_template(*, template):
    message = _("This template is used by referrals: deactivate it instead. Nothing was deleted.")
    template = CorrespondenceTemplate.objects.select_for_update().get(pk=template.pk)
    if template.referrals.exists():
        raise CaseActionError(message)
    try:
        with transaction.atomic():
            template.delete()
    except ProtectedError as error:  # a referral took it in the meantime
        raise CaseActionError(message) from error
