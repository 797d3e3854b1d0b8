"""Writes about a case (LaMPSS): opening it, its information, its status cycle, reassignment and
its tools (notes, documents, tasks, outcomes). Keyword-only, atomic, one function per status change.

Statuses change under a row lock with a guard on the current status, so two people acting on the
same case at once cannot both succeed: the second gets a clear message.
"""

import logging
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max, TextChoices
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from portal import services as portal_services
from portal.models import Organization, Priority, Task, User
from referrals.models import (
    CASE_NUMBER_BASE,
    OPEN_CASE_STATUSES,
    Agreement,
    Case,
    CaseDocument,
    CaseNote,
    CaseStatus,
    CaseStatusChange,
    EmploymentOutcome,
    InterventionStatus,
    Office,
    Person,
    Program,
)

logger = logging.getLogger(__name__)


CS = CaseStatus


IS = InterventionStatus


# The guide: the "Develop action plan" task is due two weeks after the assessment is completed.
PLAN_TASK_DELAY = timedelta(days=14)


class CaseActionError(ValidationError):
    """An action the current status does not allow, or bad input: nothing was changed."""


def choices_text(values: Iterable[str], choices: type[TextChoices]) -> str:
    return str(_(" or ")).join(str(choices(value).label) for value in values)


def case_key(case: Case, suffix: str) -> str:
    """Keys of every task and notification about a case share this prefix (reassignment moves them)."""
    return f"referrals.case.{case.pk}.{suffix}"


def case_columns(case: Case, actor: User | None, priority: str = Priority.NORMAL) -> dict[str, Any]:
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


@transaction.atomic
def update_case_person(*, actor: User, case: Case, **fields: Any) -> Person:
    """The person's details, from an open case."""
    case = locked_case(case)
    if case.is_closed:
        raise CaseActionError(_("This case is closed: its information can no longer be changed."))
    return save_person(person=case.person, **fields)


@transaction.atomic
def save_person(*, person: Person | None = None, **fields: Any) -> Person:
    person = person or Person()
    for name, value in fields.items():
        setattr(person, name, value)
    person.save()
    return person


def _agency_agreement(agency: Organization, program: Program, today: date) -> Agreement | None:
    """An agency opens cases while its funding agreement is active (and ECM is on, for ECM programs):
    that agreement is the case's accountability agreement."""
    agreements = Agreement.objects.filter(agency=agency, funding_active=True, start_date__lte=today).exclude(
        end_date__lt=today
    )
    if program.needs_ecm_agreement:
        agreements = agreements.filter(ecm_enabled=True)
    return agreements.order_by("start_date", "pk").first()


@transaction.atomic
def open_case(
    *,
    actor: User,
    agency: Organization,
    person: Person,
    program: Program,
    office: Office,
    case_manager: User,
    opened_on: date | None = None,
) -> Case:
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
def update_case_information(*, actor: User, case: Case, **fields: Any) -> Case:
    case = locked_case(case)
    if case.is_closed:
        raise CaseActionError(_("This case is closed: its information can no longer be changed."))
    for name, value in fields.items():
        setattr(case, name, value)
    case.save(update_fields=list(fields))
    return case


def locked_case(case: Case) -> Case:
    # Lock the case row only (not the person, program or agency rows the join reads).
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("person", "program", "agency")
        .get(pk=case.pk)
    )


def status_error(case: Case, allowed: Iterable[str]) -> CaseActionError:
    return CaseActionError(
        _("This case is now %(status)s: this action needs it to be %(allowed)s. Nothing was changed.")
        % {"status": case.get_status_display(), "allowed": choices_text(allowed, CS)}
    )


def _change_status(case: Case, *, actor: User, allowed: Iterable[str], to: str, comment: str = "") -> Case:
    """Lock, check, change, record. The caller is inside a transaction."""
    locked = locked_case(case)
    if locked.status not in allowed:
        raise status_error(locked, allowed)
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
def start_assessment(*, actor: User, case: Case) -> Case:
    return _change_status(case, actor=actor, allowed=[CS.INTAKE], to=CS.ASSESSMENT)


@transaction.atomic
def complete_assessment(*, actor: User, case: Case) -> Case:
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
        **case_columns(case, actor, Priority.HIGH),
    )
    return case


@transaction.atomic
def start_plan_management(*, actor: User, case: Case) -> Case:
    """The plan was reviewed and signed with the client: the "Develop action plan" task is done."""
    if not case.interventions.exists():
        raise CaseActionError(_("Add at least one intervention to the action plan before managing it."))
    case = _change_status(case, actor=actor, allowed=[CS.PLAN_DEVELOPMENT], to=CS.PLAN_MANAGEMENT)
    _complete_plan_tasks(case)
    return case


def _complete_plan_tasks(case: Case) -> None:
    portal_services.complete_tasks(key_contains=f":{case_key(case, 'develop-plan.')}")


@transaction.atomic
def start_follow_up(*, actor: User, case: Case) -> Case:
    return _change_status(case, actor=actor, allowed=[CS.PLAN_MANAGEMENT], to=CS.FOLLOW_UP)


@transaction.atomic
def close_case(*, actor: User, case: Case, reason: str) -> Case:
    if not reason.strip():
        raise CaseActionError({"reason": _("Give the reason for closing the case.")})
    case = _change_status(case, actor=actor, allowed=OPEN_CASE_STATUSES, to=CS.CLOSED, comment=reason.strip())
    _complete_plan_tasks(case)
    return case


@transaction.atomic
def reopen_case(*, actor: User, case: Case, reason: str) -> Case:
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
def reassign_case(*, actor: User, case: Case, case_manager: User) -> Case:
    """Give the case to another case manager of the agency; open tasks and notifications follow."""
    locked = locked_case(case)
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
        **case_columns(locked, actor),
    )
    return locked


def require_open(case: Case) -> None:
    if case.is_closed:
        raise CaseActionError(_("This case is closed: reopen it first. Nothing was changed."))


@transaction.atomic
def add_note(*, actor: User, case: Case, subject: str, text: str) -> CaseNote:
    case = locked_case(case)
    require_open(case)
    return CaseNote.objects.create(case=case, subject=subject, text=text, author=actor)


@transaction.atomic
def add_document(
    *, actor: User, case: Case, document_type: str, description: str, upload: UploadedFile, content_type: str
) -> CaseDocument:
    case = locked_case(case)
    require_open(case)
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
def add_case_task(*, actor: User, case: Case, title: str, due_date: date, assignee: User) -> Task:
    case = locked_case(case)
    require_open(case)
    if due_date < timezone.localdate():
        raise CaseActionError({"due_date": _("The due date cannot be in the past.")})
    return portal_services.create_task(
        assignee=assignee,
        title=title,
        due_date=due_date,
        link=case.get_absolute_url(),
        key=case_key(case, f"task.{timezone.now():%Y%m%d%H%M%S%f}"),
        **case_columns(case, actor),
    )


@transaction.atomic
def record_outcome(*, actor: User, case: Case, **fields: Any) -> EmploymentOutcome:
    case = locked_case(case)
    if case.status not in (CS.PLAN_MANAGEMENT, CS.FOLLOW_UP, CS.CLOSED):
        raise CaseActionError(
            _("Employment outcomes are recorded once the action plan is under way (management or follow-up).")
        )
    if fields["outcome_date"] > timezone.localdate():
        raise CaseActionError({"outcome_date": _("The date of an outcome cannot be in the future.")})
    return EmploymentOutcome.objects.create(case=case, recorded_by=actor, **fields)


def lazy_name(organization: Organization | None) -> str:
    return lazy(lambda: organization.name, str)()
